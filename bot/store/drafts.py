"""Drafts: each belongs to one member of one server; every query is scoped to its owner."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from bot.errors import TooManyDrafts
from bot.limits import REVISIONS_PER_DRAFT
from bot.models import Draft, DraftListing, JobState, Owner, Revision
from bot.store._codec import decode_labels, decode_time, encode_labels, encode_time
from bot.store._database import StorePart
from bot.store.schedules import shown_schedules_now

PARAGRAPH = "\n\n"

# Only drafts not published and not being published may change.
_WRITABLE = (
    " AND issue_number IS NULL AND NOT EXISTS (SELECT 1 FROM publish_jobs j"
    " WHERE j.draft_id = drafts.id AND j.state = 'pending')"
)

# The draft is still at the revision the change was based on (0: it has none).
_AT_REVISION = (
    " AND COALESCE((SELECT MAX(r.id) FROM draft_revisions r"
    " WHERE r.draft_id = drafts.id AND r.undone = 0), 0) = ?"
)


def _has_extras(table: str) -> str:
    """Whether the draft in `table` has images or a schedule its preview shows (pending or
    failed; a later schedule may hide a failed one, so True only means "look")."""
    return (
        f"(EXISTS (SELECT 1 FROM draft_images i WHERE i.draft_id = {table}.id)"
        f" OR EXISTS (SELECT 1 FROM draft_schedules s WHERE s.draft_id = {table}.id"
        " AND s.state IN ('pending', 'failed'))) AS has_extras"
    )


_SELECT = f"""
SELECT d.*, (SELECT j.state FROM publish_jobs j WHERE j.draft_id = d.id
             ORDER BY j.id DESC LIMIT 1) AS job_state,
       (SELECT j.error_key FROM publish_jobs j WHERE j.draft_id = d.id
             ORDER BY j.id DESC LIMIT 1) AS job_error_key,
       (SELECT MAX(r.id) FROM draft_revisions r WHERE r.draft_id = d.id AND r.undone = 0)
           AS revision,
       {_has_extras("d")}
FROM drafts d
"""

# The changed draft as `_draft` reads it, from the statement that changed it.
_RETURNING = (
    " RETURNING *, (SELECT j.state FROM publish_jobs j WHERE j.draft_id = drafts.id"
    " ORDER BY j.id DESC LIMIT 1) AS job_state,"
    " (SELECT j.error_key FROM publish_jobs j WHERE j.draft_id = drafts.id"
    f" ORDER BY j.id DESC LIMIT 1) AS job_error_key, {_has_extras('drafts')}"
)


def _draft(row: sqlite3.Row, revision: int | None = None) -> Draft:
    """The draft in `row`; `revision` when the row comes from the statement that changed it
    (RETURNING has no `revision` column: it is the revision recorded right after)."""
    created = decode_time(row["created_at"])
    updated = decode_time(row["updated_at"])
    assert created and updated
    return Draft(
        id=row["id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        title=row["title"],
        body=row["body"],
        labels=decode_labels(row["labels"]),
        created_at=created,
        updated_at=updated,
        issue_number=row["issue_number"],
        issue_url=row["issue_url"],
        published_at=decode_time(row["published_at"]),
        job_state=JobState(row["job_state"]) if row["job_state"] else None,
        job_error_key=row["job_error_key"],
        revision=(row["revision"] if revision is None else revision) or 0,
        issue_repository=row["issue_repository"],
        has_extras=bool(row["has_extras"]),
    )


class DraftStore(StorePart):
    async def add_draft(
        self,
        owner: Owner,
        title: str,
        body: str,
        labels: Sequence[str],
        at: datetime,
        *,
        limit: int | None = None,
    ) -> Draft:
        """Insert a draft and return it as stored. With `limit`, only while the owner has
        fewer unpublished drafts than that (counted in the same transaction), else
        TooManyDrafts."""
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> Draft:
            if limit is not None and _count_now(db, owner, published=False) >= limit:
                raise TooManyDrafts(limit)
            row = db.execute(
                "INSERT INTO drafts (guild_id, author_id, title, body, labels, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)" + _RETURNING,
                (owner.guild_id, owner.user_id, title, body, encode_labels(labels), stamp, stamp),
            ).fetchone()
            revision = _record_revision_now(db, owner, row["id"], "create", stamp)
            return _draft(row, revision)

        return await self._db.run_write(work)

    async def get_draft(self, owner: Owner, draft_id: int) -> Draft | None:
        """The owner's draft with this id, or None (also when someone else owns it)."""
        return await self._db.run_read(lambda db: _fetch_draft_now(db, owner, draft_id))

    async def get_latest_draft(self, owner: Owner, *, unpublished: bool = True) -> Draft | None:
        """The owner's most recently changed draft (by default, among unpublished ones)."""
        return await self._db.run_read(lambda db: _latest_draft_now(db, owner, unpublished))

    async def get_draft_of_issue(
        self, issue_number: int, repository: str | None = None
    ) -> Draft | None:
        """The draft (of any server) this bot published as entry #`issue_number` of
        `repository` (a member's own; None: the server diary)."""

        def work(db: sqlite3.Connection) -> Draft | None:
            row = db.execute(
                f"{_SELECT} WHERE d.issue_number = ? AND lower(d.issue_repository) IS lower(?)"
                " ORDER BY d.id LIMIT 1",
                (issue_number, repository),
            ).fetchone()
            return _draft(row) if row else None

        return await self._db.run_read(work)

    async def list_published_issue_numbers(
        self, numbers: Collection[int], repository: str | None = None
    ) -> set[int]:
        """Which of `numbers` (a page of issues of `repository`, at most a few hundred; None:
        the server diary) this bot published."""
        wanted = sorted(set(numbers))[:900]  # within SQLite's bound on parameters
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))

        def work(db: sqlite3.Connection) -> set[int]:
            rows = db.execute(
                f"SELECT issue_number FROM drafts WHERE issue_number IN ({marks})"
                " AND lower(issue_repository) IS lower(?)",
                (*wanted, repository),
            ).fetchall()
            return {int(row[0]) for row in rows}

        return await self._db.run_read(work)

    async def list_drafts(self, owner: Owner, limit: int = 25, query: str = "") -> list[Draft]:
        """The owner's drafts, unpublished ones first, each part most recently changed first,
        optionally filtered by title."""
        return await self._db.run_read(lambda db: _list_now(db, owner, limit, query))

    async def get_draft_listing(self, owner: Owner, limit: int = 25) -> DraftListing:
        """What `/draft list` shows, read in one unit: the owner's newest `limit` drafts (as
        `list_drafts`), how many they have in all, and the schedules those drafts show
        (read only if one of them has any)."""

        def work(db: sqlite3.Connection) -> DraftListing:
            drafts = _list_now(db, owner, limit, "")
            if not drafts:
                return DraftListing([], 0, {})
            total = _count_now(db, owner, published=True)
            shown = {d.id for d in drafts}
            schedules = {}
            if any(d.has_extras for d in drafts):
                schedules = {
                    s.draft_id: s for s in shown_schedules_now(db, owner) if s.draft_id in shown
                }
            return DraftListing(drafts, total, schedules)

        return await self._db.run_read(work)

    async def count_drafts(self, owner: Owner, *, published: bool = False) -> int:
        """How many unpublished drafts the owner has (what the draft limit counts); with
        `published`, all of them."""
        return await self._db.run_read(lambda db: _count_now(db, owner, published=published))

    async def update_draft(
        self,
        owner: Owner,
        draft_id: int,
        at: datetime,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        reason: str = "edit",
        expected_revision: int | None = None,
    ) -> Draft | None:
        """Change the given fields of a draft, keeping a revision; None if it is not the
        owner's, or is published or being published, or (with `expected_revision`) is no
        longer at that revision: the same statement checks it, so no change slips between."""
        stamp = encode_time(at)
        condition = _AT_REVISION if expected_revision is not None else ""
        revision_value = () if expected_revision is None else (expected_revision,)

        def work(db: sqlite3.Connection) -> Draft | None:
            row = db.execute(
                "UPDATE drafts SET title = COALESCE(?, title), body = COALESCE(?, body),"
                " labels = COALESCE(?, labels), updated_at = ?"
                " WHERE id = ? AND guild_id = ? AND author_id = ?"
                + _WRITABLE
                + condition
                + _RETURNING,
                (
                    title,
                    body,
                    encode_labels(labels) if labels is not None else None,
                    stamp,
                    draft_id,
                    owner.guild_id,
                    owner.user_id,
                    *revision_value,
                ),
            ).fetchone()
            if row is None:
                return None
            revision = _record_revision_now(db, owner, draft_id, reason, stamp)
            return _draft(row, revision)

        return await self._db.run_write(work)

    async def append_to_draft(
        self,
        owner: Owner,
        draft_id: int | None,
        text: str,
        at: datetime,
        accept: Callable[[Draft], bool] | None = None,
    ) -> tuple[Draft | None, Draft | None]:
        """In one transaction: find the owner's draft (`draft_id`, or the most recently
        changed unpublished one) and, if `accept` says yes to it (called in the database
        thread) and it is neither published nor being published, add a paragraph to the end
        of its body in one statement, so concurrent appends all land. Returns (the draft as
        found, or None if the owner has no such draft; the draft after the append, or None
        if nothing was appended)."""
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> tuple[Draft | None, Draft | None]:
            if draft_id is None:
                found = _latest_draft_now(db, owner, unpublished=True)
            else:
                found = _fetch_draft_now(db, owner, draft_id)
            if found is None or (accept is not None and not accept(found)):
                return found, None
            return found, _append_now(db, owner, found.id, text, stamp)

        return await self._db.run_write(work)

    async def list_revisions(self, owner: Owner, draft_id: int, limit: int = 10) -> list[Revision]:
        """The draft's most recent revisions, newest first (empty if not the owner's)."""

        def work(db: sqlite3.Connection) -> list[Revision]:
            rows = db.execute(
                "SELECT r.* FROM draft_revisions r JOIN drafts d ON d.id = r.draft_id"
                " WHERE r.draft_id = ? AND d.guild_id = ? AND d.author_id = ?"
                " ORDER BY r.id DESC LIMIT ?",
                (draft_id, owner.guild_id, owner.user_id, limit),
            ).fetchall()
            return [_revision(row) for row in rows]

        return await self._db.run_read(work)

    async def get_revision(self, owner: Owner, draft_id: int, revision_id: int) -> Revision | None:
        """One revision of the owner's draft, or None."""

        def work(db: sqlite3.Connection) -> Revision | None:
            row = db.execute(
                "SELECT r.* FROM draft_revisions r JOIN drafts d ON d.id = r.draft_id"
                " WHERE r.id = ? AND r.draft_id = ? AND d.guild_id = ? AND d.author_id = ?",
                (revision_id, draft_id, owner.guild_id, owner.user_id),
            ).fetchone()
            return _revision(row) if row else None

        return await self._db.run_read(work)

    async def undo_draft(self, owner: Owner, draft_id: int, at: datetime) -> Draft | None:
        """Go back to the state before the latest change still in effect; the undone
        revision stays in the history, marked. None when there is nothing to undo."""
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> Draft | None:
            rows = db.execute(
                "SELECT r.* FROM draft_revisions r JOIN drafts d ON d.id = r.draft_id"
                " WHERE r.draft_id = ? AND d.guild_id = ? AND d.author_id = ? AND r.undone = 0"
                " ORDER BY r.id DESC LIMIT 2",
                (draft_id, owner.guild_id, owner.user_id),
            ).fetchall()
            if len(rows) < 2:
                return None
            latest, previous = rows
            db.execute("UPDATE draft_revisions SET undone = 1 WHERE id = ?", (latest["id"],))
            db.execute(
                "UPDATE drafts SET title = ?, body = ?, labels = ?, updated_at = ? WHERE id = ?",
                (previous["title"], previous["body"], previous["labels"], stamp, draft_id),
            )
            return _fetch_draft_now(db, owner, draft_id)

        return await self._db.run_write(work)


_REVISION = (
    "INSERT INTO draft_revisions (draft_id, title, body, labels, reason, created_at)"
    " SELECT id, title, body, labels, ?, ? FROM drafts"
    " WHERE id = ? AND guild_id = ? AND author_id = ?"
)
# Keep the newest REVISIONS_PER_DRAFT: the one just written is the draft's current state,
# so what goes is only history beyond what `/draft undo` may step back through.
_TRIM_REVISIONS = (
    "DELETE FROM draft_revisions WHERE draft_id = ? AND id <= (SELECT id FROM"
    " draft_revisions WHERE draft_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)"
)


def _record_revision_now(
    db: sqlite3.Connection, owner: Owner, draft_id: int, reason: str, stamp: str
) -> int | None:
    """Snapshot the draft as it is now, inside the caller's unit (in the database thread),
    keeping the newest REVISIONS_PER_DRAFT; the revision's id."""
    revision = db.execute(_REVISION, (reason, stamp, draft_id, owner.guild_id, owner.user_id))
    db.execute(_TRIM_REVISIONS, (draft_id, draft_id, REVISIONS_PER_DRAFT))
    return revision.lastrowid


def _list_now(db: sqlite3.Connection, owner: Owner, limit: int, query: str) -> list[Draft]:
    """See `DraftStore.list_drafts`; inside a unit."""
    pattern = f"%{_escape_like(query)}%"
    rows: list[sqlite3.Row] = []
    for part in ("IS NULL", "IS NOT NULL"):
        if len(rows) >= limit:
            break
        cursor = db.execute(
            f"{_SELECT} WHERE d.guild_id = ? AND d.author_id = ?"
            f" AND d.issue_number {part} AND d.title LIKE ? ESCAPE '\\'"
            " ORDER BY d.updated_at DESC, d.id DESC LIMIT ?",
            (owner.guild_id, owner.user_id, pattern, limit - len(rows)),
        )
        rows.extend(cursor.fetchall())
    return [_draft(row) for row in rows]


def _append_now(
    db: sqlite3.Connection, owner: Owner, draft_id: int, text: str, stamp: str
) -> Draft | None:
    """Append a paragraph inside the caller's write unit, with its revision; None if the
    draft is not the owner's, or is published or being published."""
    row = db.execute(
        "UPDATE drafts SET body = CASE WHEN body = '' THEN ? ELSE body || ? || ? END,"
        " updated_at = ? WHERE id = ? AND guild_id = ? AND author_id = ?" + _WRITABLE + _RETURNING,
        (text, PARAGRAPH, text, stamp, draft_id, owner.guild_id, owner.user_id),
    ).fetchone()
    if row is None:
        return None
    revision = _record_revision_now(db, owner, draft_id, "append", stamp)
    return _draft(row, revision)


def _count_now(db: sqlite3.Connection, owner: Owner, *, published: bool) -> int:
    """The owner's unpublished drafts (with `published`, all), inside a unit."""
    where = "" if published else " AND issue_number IS NULL"
    row = db.execute(
        f"SELECT COUNT(*) FROM drafts WHERE guild_id = ? AND author_id = ?{where}",
        (owner.guild_id, owner.user_id),
    ).fetchone()
    return int(row[0]) if row else 0


def _latest_draft_now(db: sqlite3.Connection, owner: Owner, unpublished: bool) -> Draft | None:
    """The owner's most recently changed draft (or unpublished draft), inside a unit."""
    where = " AND d.issue_number IS NULL" if unpublished else ""
    row = db.execute(
        f"{_SELECT} WHERE d.guild_id = ? AND d.author_id = ?{where}"
        " ORDER BY d.updated_at DESC, d.id DESC LIMIT 1",
        (owner.guild_id, owner.user_id),
    ).fetchone()
    return _draft(row) if row else None


def _fetch_draft_now(db: sqlite3.Connection, owner: Owner, draft_id: int | None) -> Draft | None:
    """The owner's draft, inside a unit running in the database thread."""
    row = db.execute(
        f"{_SELECT} WHERE d.id = ? AND d.guild_id = ? AND d.author_id = ?",
        (draft_id, owner.guild_id, owner.user_id),
    ).fetchone()
    return _draft(row) if row else None


def _revision(row: sqlite3.Row) -> Revision:
    created = decode_time(row["created_at"])
    assert created
    return Revision(
        id=row["id"],
        draft_id=row["draft_id"],
        title=row["title"],
        body=row["body"],
        labels=decode_labels(row["labels"]),
        reason=row["reason"],
        created_at=created,
        undone=bool(row["undone"]),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
