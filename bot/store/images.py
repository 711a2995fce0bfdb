"""Images of drafts and of publish jobs: bytes stored once per SHA-256, linked in order.

A blob lives as long as a draft links it or a pending publish job still has to commit it;
every statement that can drop the last link deletes the blob in the same transaction.
Its bytes go earlier: when the draft becomes an entry, the image is in the repository, so a
trigger (migration 0014) empties `data` in that same transaction unless an unpublished draft or
a pending job still needs them; hash, size and the committed path stay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.errors import ConcurrentChange, ImagesTooLarge, TooManyImages
from bot.models import DraftImage, ImageCommit, JobImage, NewImage, Owner, Schedule
from bot.store._codec import decode_time, encode_time
from bot.store._database import StorePart
from bot.store.drafts import _WRITABLE
from bot.store.schedules import _schedule

_DRAFT_IMAGES = """
SELECT i.*, b.size, b.media_type FROM draft_images i
JOIN drafts d ON d.id = i.draft_id
JOIN image_blobs b ON b.sha256 = i.sha256
WHERE i.draft_id = ? AND d.guild_id = ? AND d.author_id = ?
ORDER BY i.position
"""

# Blobs no draft links and no pending job still has to commit.
_DELETE_ORPHANS = """
DELETE FROM image_blobs WHERE sha256 NOT IN (SELECT sha256 FROM draft_images)
AND sha256 NOT IN (SELECT i.sha256 FROM publish_job_images i
                   JOIN publish_jobs j ON j.id = i.job_id WHERE j.state = 'pending')
"""


def _draft_image(row: sqlite3.Row) -> DraftImage:
    added = decode_time(row["added_at"])
    assert added
    return DraftImage(
        draft_id=row["draft_id"],
        position=row["position"],
        sha256=row["sha256"],
        filename=row["filename"],
        alt=row["alt"],
        media_type=row["media_type"],
        size=row["size"],
        added_at=added,
    )


def _job_image(row: sqlite3.Row) -> JobImage:
    return JobImage(
        job_id=row["job_id"],
        position=row["position"],
        sha256=row["sha256"],
        alt=row["alt"],
        media_type=row["media_type"],
        size=row["size"],
        path=row["path"],
        url=row["url"],
        committed_at=decode_time(row["committed_at"]),
        blob_sha=row["blob_sha"],
        planned_path=row["planned_path"],
    )


class ImageStore(StorePart):
    async def add_draft_images(
        self,
        owner: Owner,
        draft_id: int,
        images: Sequence[NewImage],
        at: datetime,
        *,
        max_total_bytes: int,
        max_count: int,
    ) -> list[DraftImage] | None:
        """Link images to the end of a draft (storing each blob once) and return the draft's
        images; an image already in the draft stays where it is. None if the draft is not the
        owner's, or is published or being published. Raises ImagesTooLarge / TooManyImages
        (and changes nothing) when the draft would exceed the limits."""
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> list[DraftImage] | None:
            writable = db.execute(
                "SELECT 1 FROM drafts WHERE id = ? AND guild_id = ? AND author_id = ?" + _WRITABLE,
                (draft_id, owner.guild_id, owner.user_id),
            ).fetchone()
            if writable is None:
                return None
            current = _draft_images_now(db, owner, draft_id)
            known = {image.sha256 for image in current}
            added: list[NewImage] = []
            for image in images:
                if image.sha256 not in known:
                    known.add(image.sha256)
                    added.append(image)
            total = sum(image.size for image in current) + sum(len(i.data) for i in added)
            if total > max_total_bytes:
                raise ImagesTooLarge(total)
            if len(current) + len(added) > max_count:
                raise TooManyImages(len(current) + len(added))
            position = max((image.position for image in current), default=0)
            for image in added:
                position += 1
                # A blob whose bytes were dropped after its entry was published gets them back.
                db.execute(
                    "INSERT INTO image_blobs (sha256, data, size, media_type, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE"
                    " SET data = excluded.data WHERE length(image_blobs.data) = 0",
                    (image.sha256, image.data, len(image.data), image.media_type, stamp),
                )
                db.execute(
                    "INSERT INTO draft_images (draft_id, position, sha256, filename, alt,"
                    " added_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (draft_id, position, image.sha256, image.filename, image.alt, stamp),
                )
            if added:
                db.execute("UPDATE drafts SET updated_at = ? WHERE id = ?", (stamp, draft_id))
            return _draft_images_now(db, owner, draft_id)

        return await self._db.run_write(work)

    async def list_draft_images(self, owner: Owner, draft_id: int) -> list[DraftImage]:
        """The draft's images in order (empty if the draft is not the owner's)."""

        def work(db: sqlite3.Connection) -> list[DraftImage]:
            rows = db.execute(_DRAFT_IMAGES, (draft_id, owner.guild_id, owner.user_id))
            return [_draft_image(row) for row in rows.fetchall()]

        return await self._db.run_read(work)

    async def get_preview_extras(
        self, owner: Owner, draft_id: int
    ) -> tuple[list[DraftImage], Schedule | None]:
        """What a draft's preview shows beside the draft, read in one unit: its images in
        order, and its latest schedule if that is pending or failed (empty and None if the
        draft is not the owner's)."""

        def work(db: sqlite3.Connection) -> tuple[list[DraftImage], Schedule | None]:
            rows = db.execute(_DRAFT_IMAGES, (draft_id, owner.guild_id, owner.user_id))
            images = [_draft_image(row) for row in rows.fetchall()]
            latest = db.execute(
                "SELECT * FROM draft_schedules WHERE draft_id = ? AND guild_id = ?"
                " AND author_id = ? ORDER BY id DESC LIMIT 1",
                (draft_id, owner.guild_id, owner.user_id),
            ).fetchone()
            shown = latest is not None and latest["state"] in ("pending", "failed")
            return images, _schedule(latest) if shown else None

        return await self._db.run_read(work)

    async def get_image_data(self, sha256: str) -> bytes | None:
        """The bytes of a stored image, or None if no blob has that hash or its bytes were
        dropped once its entry was published."""

        def work(db: sqlite3.Connection) -> bytes | None:
            row = db.execute(
                "SELECT data FROM image_blobs WHERE sha256 = ? AND length(data) > 0", (sha256,)
            ).fetchone()
            return bytes(row["data"]) if row else None

        return await self._db.run_read(work)

    async def delete_draft_with_images(self, owner: Owner, draft_id: int) -> bool:
        """Delete the owner's draft and, in the same transaction, every image blob that
        nothing links any more; False if there was no such draft. Refused (ConcurrentChange)
        while a publish job for it is pending or a due schedule is handing it over one."""

        def work(db: sqlite3.Connection) -> bool:
            row = db.execute(
                "SELECT (EXISTS (SELECT 1 FROM publish_jobs WHERE draft_id = ?"
                " AND state = 'pending')) OR (EXISTS (SELECT 1 FROM draft_schedules"
                " WHERE draft_id = ? AND state = 'pending' AND claimed_at IS NOT NULL))",
                (draft_id, draft_id),
            ).fetchone()
            if row is not None and row[0]:
                raise ConcurrentChange(f"draft {draft_id} is being published")
            deleted = db.execute(
                "DELETE FROM drafts WHERE id = ? AND guild_id = ? AND author_id = ?",
                (draft_id, owner.guild_id, owner.user_id),
            ).rowcount
            if not deleted:
                return False
            db.execute(_DELETE_ORPHANS)
            return True

        return await self._db.run_write(work)

    # -- publish jobs --

    async def plan_publish_job_images(self, job_id: int) -> list[JobImage]:
        """The job's images: copied from its draft the first time (the draft cannot change
        while its job is pending), as recorded since then every later time."""

        def work(db: sqlite3.Connection) -> list[JobImage]:
            job = db.execute(
                "SELECT draft_id, images_planned FROM publish_jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if job is None:
                return []
            if not job["images_planned"]:
                db.execute(
                    "INSERT INTO publish_job_images (job_id, position, sha256, alt, media_type,"
                    " size) SELECT ?, i.position, i.sha256, i.alt, b.media_type, b.size"
                    " FROM draft_images i JOIN image_blobs b ON b.sha256 = i.sha256"
                    " WHERE i.draft_id = ?",
                    (job_id, job["draft_id"]),
                )
                db.execute("UPDATE publish_jobs SET images_planned = 1 WHERE id = ?", (job_id,))
            return _job_images_now(db, job_id)

        return await self._db.run_write(work)

    async def list_publish_job_images(self, job_id: int) -> list[JobImage]:
        return await self._db.run_read(lambda db: _job_images_now(db, job_id))

    async def mark_publish_job_image_committed(
        self, job_id: int, position: int, path: str, url: str, at: datetime
    ) -> None:
        """Record that the image is in the repository at `path`, linked as `url`."""
        await self._db.run_write(
            lambda db: db.execute(
                "UPDATE publish_job_images SET path = ?, url = ?, committed_at = ?"
                " WHERE job_id = ? AND position = ?",
                (path, url, encode_time(at), job_id, position),
            )
        )

    async def record_publish_job_blob(self, job_id: int, position: int, blob_sha: str) -> None:
        """Record that the image's Git blob exists, so a later attempt does not send it again."""
        await self._db.run_write(
            lambda db: db.execute(
                "UPDATE publish_job_images SET blob_sha = ? WHERE job_id = ? AND position = ?",
                (blob_sha, job_id, position),
            )
        )

    async def record_publish_job_commit(
        self, commit: ImageCommit, paths: Sequence[tuple[int, str]], at: datetime
    ) -> None:
        """Keep the job's commit and where it puts each image ((position, path) pairs),
        before the branch is moved to it."""

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO publish_job_commits (job_id, branch, parent_sha,"
                " commit_sha, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    commit.job_id,
                    commit.branch,
                    commit.parent_sha,
                    commit.commit_sha,
                    encode_time(at),
                ),
            )
            db.executemany(
                "UPDATE publish_job_images SET planned_path = ? WHERE job_id = ? AND position = ?",
                [(path, commit.job_id, position) for position, path in paths],
            )

        await self._db.run_write(work)

    async def get_publish_job_commit(self, job_id: int) -> ImageCommit | None:
        """The job's recorded commit whose landing is not confirmed yet, if any."""
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT * FROM publish_job_commits WHERE job_id = ?", (job_id,)
            ).fetchone()
        )
        if row is None:
            return None
        return ImageCommit(row["job_id"], row["branch"], row["parent_sha"], row["commit_sha"])

    async def finish_publish_job_commit(
        self, job_id: int, links: Sequence[tuple[int, str]], at: datetime
    ) -> None:
        """The job's commit is on its branch: every image it planned is committed at its
        planned path, linked by its URL ((position, url) pairs); the commit record goes."""

        def work(db: sqlite3.Connection) -> None:
            db.executemany(
                "UPDATE publish_job_images SET path = planned_path, url = ?, committed_at = ?,"
                " planned_path = NULL WHERE job_id = ? AND position = ?"
                " AND planned_path IS NOT NULL",
                [(url, encode_time(at), job_id, position) for position, url in links],
            )
            db.execute("DELETE FROM publish_job_commits WHERE job_id = ?", (job_id,))

        await self._db.run_write(work)

    async def forget_publish_job_commit(self, job_id: int) -> None:
        """The job's commit will never be on its branch: drop it and its planned paths."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM publish_job_commits WHERE job_id = ?", (job_id,))
            db.execute(
                "UPDATE publish_job_images SET planned_path = NULL WHERE job_id = ?", (job_id,)
            )

        await self._db.run_write(work)

    async def get_committed_image_path(self, sha256: str) -> str | None:
        """Where an image with this hash was last committed by any job, if ever."""
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT path FROM publish_job_images WHERE sha256 = ? AND committed_at IS NOT NULL"
                " ORDER BY committed_at DESC LIMIT 1",
                (sha256,),
            ).fetchone()
        )
        return row["path"] if row else None


def _draft_images_now(db: sqlite3.Connection, owner: Owner, draft_id: int) -> list[DraftImage]:
    """The owner's draft's images in order, inside a unit."""
    rows = db.execute(_DRAFT_IMAGES, (draft_id, owner.guild_id, owner.user_id)).fetchall()
    return [_draft_image(row) for row in rows]


def _job_images_now(db: sqlite3.Connection, job_id: int) -> list[JobImage]:
    """A publish job's images in order, inside a unit."""
    rows = db.execute(
        "SELECT * FROM publish_job_images WHERE job_id = ? ORDER BY position", (job_id,)
    ).fetchall()
    return [_job_image(row) for row in rows]
