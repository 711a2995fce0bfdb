"""Announcements of entries in channels: queued when an entry is published (or found on GitHub),
posted once, then edited while they follow their entry.

An announcement row carries `revision` (bumped whenever what the message should show changes)
and `shown_revision` (what the posted message shows). An edit job is due while the first is
ahead of the second; finishing one records the revision it showed, so a change that arrives
while an edit is in flight gets its own edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.models import Announcement, EntryState, JobState, TrackedAnnouncement
from bot.repositories import repository_key
from bot.store._codec import NEW_NONCE, decode_labels, decode_time, encode_labels, encode_time
from bot.store._database import StorePart

_ANNOUNCEMENT_ROWS = "SELECT a.* FROM announcements a"
_ONE = "channel_id = ? AND repository = ? AND issue_number = ?"  # one announcement


def _key(channel_id: int, repository: str, issue_number: int) -> tuple[int, str, int]:
    return channel_id, repository_key(repository), issue_number


def announcement_from_row(row: sqlite3.Row) -> Announcement:
    """An `announcements` row as the record every announcement query shares."""
    entry_at, next_at = decode_time(row["entry_created_at"]), decode_time(row["next_attempt_at"])
    assert entry_at and next_at
    return Announcement(
        channel_id=row["channel_id"],
        repository=row["repository"],
        issue_number=row["issue_number"],
        title=row["title"],
        url=row["url"],
        excerpt=row["excerpt"],
        labels=decode_labels(row["labels"]),
        author_name=row["author_name"],
        author_avatar_url=row["author_avatar_url"],
        entry_created_at=entry_at,
        state=JobState(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=next_at,
        message_id=row["message_id"],
        image_url=row["image_url"],
    )


def _tracked(row: sqlite3.Row) -> TrackedAnnouncement:
    return TrackedAnnouncement(
        **vars(announcement_from_row(row)),
        entry_state=EntryState(row["entry_state"]),
        revision=row["revision"],
        shown_revision=row["shown_revision"],
        issue_url=row["issue_url"],
        page_deadline=decode_time(row["page_deadline"]),
        edit_attempts=row["edit_attempts"],
        edit_next_attempt_at=decode_time(row["edit_next_attempt_at"]),
        nonce=row["nonce"],
        post_started_at=decode_time(row["post_started_at"]),
        outcome_unknown=bool(row["outcome_unknown"]),
    )


def insert_announcements(
    db: sqlite3.Connection,
    announcements: Sequence[Announcement],
    stamp: str | None,
    issue_url: str | None,
) -> None:
    """Queue announcements in the caller's transaction; one already known for (channel,
    repository, issue) is left as it is. `stamp`: their `updated_at` (default: when each is
    due); `issue_url`: the issue's own page (the fallback link). Inside a write unit."""
    db.executemany(
        "INSERT OR IGNORE INTO announcements (channel_id, repository, issue_number, title,"
        " url, excerpt, labels, author_name, author_avatar_url, entry_created_at,"
        " next_attempt_at, updated_at, image_url, issue_url, nonce)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {NEW_NONCE % 'a'})",
        [
            (
                a.channel_id,
                repository_key(a.repository),
                a.issue_number,
                a.title,
                a.url,
                a.excerpt,
                encode_labels(a.labels),
                a.author_name,
                a.author_avatar_url,
                encode_time(a.entry_created_at),
                encode_time(a.next_attempt_at),
                stamp or encode_time(a.next_attempt_at),
                a.image_url,
                issue_url,
            )
            for a in announcements
        ],
    )


class AnnouncementStore(StorePart):
    async def _run(self, sql: str, parameters: Sequence[object]) -> int:
        """One statement as its own write unit; how many rows it changed."""
        return await self._db.run_write(lambda db: db.execute(sql, parameters).rowcount)

    async def add_announcements(
        self, announcements: Sequence[Announcement], *, issue_url: str | None = None
    ) -> None:
        """Queue announcements; one already known for (channel, repository, issue) is left as
        it is. `issue_url`: the issue's own page (the fallback link)."""
        await self._db.run_write(
            lambda db: insert_announcements(db, announcements, None, issue_url)
        )

    async def update_announcement(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        state: JobState,
        next_attempt_at: datetime | None = None,
        message_id: int | None = None,
        outcome_unknown: bool | None = None,
    ) -> None:
        """Record an attempt: sent (with the message id), to retry at a time, or failed.
        `outcome_unknown` False: no attempt so far can have posted it."""
        await self._run(
            "UPDATE announcements SET state = ?, attempts = attempts + 1,"
            " next_attempt_at = COALESCE(?, next_attempt_at),"
            " message_id = COALESCE(?, message_id), updated_at = ?,"
            " outcome_unknown = COALESCE(?, outcome_unknown),"
            " post_started_at = CASE WHEN ? = 0 THEN NULL ELSE post_started_at END"
            " WHERE channel_id = ? AND repository = ? AND issue_number = ?",
            (
                state.value,
                encode_time(next_attempt_at) if next_attempt_at else None,
                message_id,
                encode_time(at),
                None if outcome_unknown is None else int(outcome_unknown),
                None if outcome_unknown is None else int(outcome_unknown),
                channel_id,
                repository_key(repository),
                issue_number,
            ),
        )

    async def list_announcements_to_send(
        self, limit: int | None = None
    ) -> list[TrackedAnnouncement]:
        """Announcements not yet posted (at most `limit`), the one due soonest first."""
        return await self._tracked_rows(
            "WHERE a.state = 'pending' ORDER BY a.next_attempt_at, a.entry_created_at LIMIT ?",
            (-1 if limit is None else limit,),
        )

    async def list_announcement_edits(self, limit: int | None = None) -> list[TrackedAnnouncement]:
        """Posted announcements whose message shows less than they should (at most `limit`),
        soonest due first."""
        return await self._tracked_rows(
            # `+a.state`: walk the small index of due edits, not every posted announcement.
            "WHERE +a.state = 'done' AND a.message_id IS NOT NULL"
            " AND a.edit_next_attempt_at IS NOT NULL AND a.revision > a.shown_revision"
            " ORDER BY a.edit_next_attempt_at LIMIT ?",
            (-1 if limit is None else limit,),
        )

    async def list_tracked_announcements(
        self, repository: str, issue_number: int
    ) -> list[TrackedAnnouncement]:
        """The entry's announcements, one per channel."""
        return await self._tracked_rows(
            "WHERE a.repository = ? AND a.issue_number = ? ORDER BY a.channel_id",
            (repository_key(repository), issue_number),
        )

    async def _tracked_rows(
        self, where: str, values: Sequence[object]
    ) -> list[TrackedAnnouncement]:

        def work(db: sqlite3.Connection) -> list[TrackedAnnouncement]:
            rows = db.execute(f"{_ANNOUNCEMENT_ROWS} {where}", tuple(values)).fetchall()
            return [_tracked(row) for row in rows]

        return await self._db.run_read(work)

    async def set_announcement_issue_url(
        self, repository: str, issue_number: int, issue_url: str
    ) -> None:
        """Remember the issue's own page for announcements that do not know it yet."""
        await self._run(
            "UPDATE announcements SET issue_url = ?"
            " WHERE repository = ? AND issue_number = ? AND issue_url IS NULL",
            (issue_url, repository_key(repository), issue_number),
        )

    async def update_announced_entry(
        self,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        title: str,
        excerpt: str,
        labels: Sequence[str],
        entry_state: EntryState,
        entry_updated_at: datetime,
        image_url: str | None = None,
    ) -> int:
        """Apply what GitHub shows of an entry to its announcements; those that change get an
        edit due now. Older snapshots than one already applied, and deleted entries, are left
        alone. Returns how many announcements changed."""
        stamp, seen = encode_time(at), encode_time(entry_updated_at)
        encoded = encode_labels(labels)
        repository = repository_key(repository)

        def work(db: sqlite3.Connection) -> int:
            changed = db.execute(
                "UPDATE announcements SET title = ?, excerpt = ?, labels = ?, entry_state = ?,"
                " image_url = ?,"
                " revision = revision + 1, edit_attempts = 0, edit_next_attempt_at = ?,"
                " updated_at = ?"
                " WHERE repository = ? AND issue_number = ? AND entry_state != 'deleted'"
                " AND (entry_updated_at IS NULL OR entry_updated_at <= ?)"
                " AND (title != ? OR excerpt != ? OR labels != ? OR entry_state != ?"
                " OR image_url IS NOT ?)",
                (
                    title,
                    excerpt,
                    encoded,
                    entry_state.value,
                    image_url,
                    stamp,
                    stamp,
                    repository,
                    issue_number,
                    seen,
                    title,
                    excerpt,
                    encoded,
                    entry_state.value,
                    image_url,
                ),
            ).rowcount
            db.execute(
                "UPDATE announcements SET entry_updated_at = ? WHERE repository = ?"
                " AND issue_number = ? AND (entry_updated_at IS NULL OR entry_updated_at < ?)",
                (seen, repository, issue_number, seen),
            )
            return changed

        return await self._db.run_write(work)

    async def mark_entry_deleted(self, repository: str, issue_number: int, at: datetime) -> int:
        """The entry is gone: posted announcements get an edit due now, unposted ones are
        dropped (state failed). Returns how many announcements changed."""
        stamp = encode_time(at)
        return await self._run(
            "UPDATE announcements SET entry_state = 'deleted', revision = revision + 1,"
            " edit_attempts = 0, edit_next_attempt_at = ?, updated_at = ?,"
            " state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END"
            " WHERE repository = ? AND issue_number = ? AND entry_state != 'deleted'",
            (stamp, stamp, repository_key(repository), issue_number),
        )

    async def postpone_announcement(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        next_attempt_at: datetime,
        *,
        page_deadline: datetime | None = None,
    ) -> None:
        """Try again later without counting an attempt (waiting for the blog page)."""
        await self._run(
            "UPDATE announcements SET next_attempt_at = ?,"
            " page_deadline = COALESCE(page_deadline, ?)"
            f" WHERE {_ONE} AND state = 'pending'",
            (
                encode_time(next_attempt_at),
                encode_time(page_deadline) if page_deadline else None,
                channel_id,
                repository_key(repository),
                issue_number,
            ),
        )

    async def mark_announcement_started(
        self, channel_id: int, repository: str, issue_number: int, at: datetime
    ) -> str:
        """Note, before the post is sent, that it may be posted from now on; its nonce (made
        now if a row from an import has none)."""
        row = await self._db.run_write(
            lambda db: db.execute(
                "UPDATE announcements SET outcome_unknown = 1,"
                " post_started_at = COALESCE(post_started_at, ?),"
                f" nonce = COALESCE(nonce, {NEW_NONCE % 'a'})"
                f" WHERE {_ONE} RETURNING nonce",
                (encode_time(at), channel_id, repository_key(repository), issue_number),
            ).fetchone()
        )
        assert row is not None
        return str(row["nonce"])

    async def record_announcement_sent(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        message_id: int,
        shown_revision: int,
        url: str,
    ) -> None:
        """The message is posted: it shows `shown_revision`, linking to `url`."""
        await self._run(
            "UPDATE announcements SET state = 'done', attempts = attempts + 1,"
            " message_id = ?, shown_revision = ?, url = ?, updated_at = ?,"
            " outcome_unknown = 0"
            " WHERE channel_id = ? AND repository = ? AND issue_number = ?",
            (
                message_id,
                shown_revision,
                url,
                encode_time(at),
                channel_id,
                repository_key(repository),
                issue_number,
            ),
        )

    async def record_announcement_edit(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        revision: int,
        retry_at: datetime | None = None,
        succeeded: bool,
    ) -> None:
        """An edit showing `revision` succeeded, is to be retried at `retry_at`, or (neither)
        was given up. A newer revision that arrived meanwhile keeps its own due time."""
        stamp = encode_time(at)
        if succeeded:
            await self._run(
                "UPDATE announcements SET shown_revision = MAX(shown_revision, ?),"
                " edit_attempts = 0, updated_at = ?,"
                " edit_next_attempt_at = CASE WHEN revision > ? THEN edit_next_attempt_at"
                " ELSE NULL END WHERE channel_id = ? AND repository = ? AND issue_number = ?",
                (
                    revision,
                    stamp,
                    revision,
                    channel_id,
                    repository_key(repository),
                    issue_number,
                ),
            )
            return
        await self._run(
            "UPDATE announcements SET edit_attempts = edit_attempts + 1, updated_at = ?,"
            " edit_next_attempt_at = CASE WHEN revision > ? THEN edit_next_attempt_at"
            " ELSE ? END WHERE channel_id = ? AND repository = ? AND issue_number = ?",
            (
                stamp,
                revision,
                encode_time(retry_at) if retry_at else None,
                channel_id,
                repository_key(repository),
                issue_number,
            ),
        )
