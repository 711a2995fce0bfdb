"""Durable publish jobs: a draft published as an issue (and its announcements queued)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.errors import ConcurrentChange
from bot.models import Announcement, Draft, JobState, PublishJob
from bot.store._codec import (
    decode_labels,
    decode_target,
    decode_time,
    encode_labels,
    encode_target,
    encode_time,
)
from bot.store._database import StorePart
from bot.store.announcements import insert_announcements


def _one_job(db: sqlite3.Connection, where: str, value: object) -> PublishJob | None:
    """The publish job `where` picks (one `?`, given `value`), inside a unit."""
    row = db.execute(f"SELECT * FROM publish_jobs WHERE {where}", (value,)).fetchone()
    return _job(row) if row else None


def _job(row: sqlite3.Row) -> PublishJob:
    next_at, created = decode_time(row["next_attempt_at"]), decode_time(row["created_at"])
    assert next_at and created
    return PublishJob(
        id=row["id"],
        draft_id=row["draft_id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        author_avatar_url=row["author_avatar_url"],
        idempotency_key=row["idempotency_key"],
        title=row["title"],
        body=row["body"],
        labels=decode_labels(row["labels"]),
        state=JobState(row["state"]),
        attempts=row["attempts"],
        outcome_unknown=bool(row["outcome_unknown"]),
        next_attempt_at=next_at,
        created_at=created,
        issue_number=row["issue_number"],
        issue_url=row["issue_url"],
        error_key=row["error_key"],
        error_detail=row["error_detail"],
        byline=row["byline"],
        create_started_at=decode_time(row["create_started_at"]),
        target=decode_target(row),
    )


class JobStore(StorePart):
    async def _run(self, sql: str, parameters: Sequence[object]) -> int:
        """One statement as its own write unit; how many rows it changed."""
        return await self._db.run_write(lambda db: db.execute(sql, parameters).rowcount)

    async def add_publish_job(
        self, job: PublishJob, *, expected: Draft | None = None, reopen: bool = False
    ) -> tuple[PublishJob, bool]:
        """Record a publish job unless one is already pending for the draft.

        With `expected`, the job is recorded only if the draft still has that title, body and
        labels
        (the job's snapshot must be what the draft says); otherwise ConcurrentChange.
        With `reopen`, `job.id` is an ended job whose key is kept: it becomes pending again
        with the new snapshot (ConcurrentChange if it is not failed any more).
        Returns the pending job and whether it was created now (False: the caller joins it).
        """

        def work(db: sqlite3.Connection) -> tuple[PublishJob, bool]:
            existing = db.execute(
                "SELECT * FROM publish_jobs WHERE draft_id = ? AND state = 'pending'",
                (job.draft_id,),
            ).fetchone()
            if existing is not None:
                return _job(existing), False
            if expected is not None:
                row = db.execute(
                    "SELECT title, body, labels FROM drafts WHERE id = ?", (job.draft_id,)
                ).fetchone()
                found = row and (row["title"], row["body"], decode_labels(row["labels"]))
                if found != (expected.title, expected.body, expected.labels):
                    raise ConcurrentChange(f"draft {job.draft_id} changed")
            if reopen:
                return _reopen_publish_job_now(db, job), True
            stamp = encode_time(job.created_at)
            row = db.execute(
                "INSERT INTO publish_jobs (draft_id, guild_id, author_id, author_name,"
                " author_avatar_url, idempotency_key, title, body, labels, next_attempt_at,"
                " created_at, updated_at, byline, repository, member_guild_id, member_user_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    job.draft_id,
                    job.guild_id,
                    job.author_id,
                    job.author_name,
                    job.author_avatar_url,
                    job.idempotency_key,
                    job.title,
                    job.body,
                    encode_labels(job.labels),
                    encode_time(job.next_attempt_at),
                    stamp,
                    stamp,
                    job.byline,
                    *encode_target(job.target),
                ),
            ).fetchone()
            return _job(row), True

        return await self._db.run_write(work)

    async def get_publish_job(self, job_id: int) -> PublishJob | None:
        return await self._db.run_read(lambda db: _one_job(db, "id = ?", job_id))

    async def list_pending_publish_jobs(self, limit: int | None = None) -> list[PublishJob]:
        """Pending jobs (at most `limit`), the one due soonest first."""

        def work(db: sqlite3.Connection) -> list[PublishJob]:
            rows = db.execute(
                "SELECT * FROM publish_jobs WHERE state = 'pending'"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
            return [_job(row) for row in rows]

        return await self._db.run_read(work)

    async def get_pending_publish_job(self, draft_id: int) -> PublishJob | None:
        """The job publishing this draft right now, if any."""
        return await self._db.run_read(
            lambda db: _one_job(db, "draft_id = ? AND state = 'pending'", draft_id)
        )

    async def update_publish_job_attempt(
        self,
        job_id: int,
        at: datetime,
        *,
        next_attempt_at: datetime,
        outcome_unknown: bool,
        error_key: str | None,
        error_detail: str | None,
    ) -> None:
        """Count an attempt that must be retried later."""
        await self._run(
            "UPDATE publish_jobs SET attempts = attempts + 1, next_attempt_at = ?,"
            " outcome_unknown = ?, error_key = ?, error_detail = ?, updated_at = ?"
            " WHERE id = ? AND state = 'pending'",
            (
                encode_time(next_attempt_at),
                int(outcome_unknown),
                error_key,
                error_detail,
                encode_time(at),
                job_id,
            ),
        )

    async def reschedule_publish_job(self, job_id: int, at: datetime) -> None:
        """Make a pending job due at `at` (e.g. now, rather than at its next slow retry)."""
        await self._run(
            "UPDATE publish_jobs SET next_attempt_at = ?, updated_at = ?"
            " WHERE id = ? AND state = 'pending'",
            (encode_time(at), encode_time(at), job_id),
        )

    async def mark_publish_job_started(self, job_id: int, at: datetime) -> None:
        """Note, before the request is sent, that its outcome is unknown until recorded."""
        await self._run(
            "UPDATE publish_jobs SET outcome_unknown = 1, create_started_at = ?, updated_at = ?"
            " WHERE id = ?",
            (encode_time(at), encode_time(at), job_id),
        )

    async def postpone_publish_job(self, job_id: int, until: datetime) -> None:
        """Try the job again at `until`, counting no attempt."""
        await self._run(
            "UPDATE publish_jobs SET next_attempt_at = ? WHERE id = ? AND state = 'pending'",
            (encode_time(until), job_id),
        )

    async def get_unresolved_publish_job(self, draft_id: int) -> PublishJob | None:
        """The draft's latest job if it ended while an attempt may have created the issue."""
        latest = await self._db.run_read(
            lambda db: _one_job(db, "draft_id = ? ORDER BY id DESC LIMIT 1", draft_id)
        )
        if latest is None or latest.state is not JobState.FAILED or not latest.outcome_unknown:
            return None
        return latest

    async def fail_publish_job(
        self,
        job_id: int,
        at: datetime,
        error_key: str,
        detail: str,
        *,
        outcome_unknown: bool | None = None,
    ) -> None:
        """End a job for good after an attempt; its draft stays as it was. `outcome_unknown`
        True: an attempt may have created the issue (publishing the draft again looks)."""
        await self._run(
            "UPDATE publish_jobs SET state = 'failed', attempts = attempts + 1,"
            " error_key = ?, error_detail = ?, updated_at = ?,"
            " outcome_unknown = COALESCE(?, outcome_unknown) WHERE id = ?",
            (
                error_key,
                detail,
                encode_time(at),
                None if outcome_unknown is None else int(outcome_unknown),
                job_id,
            ),
        )

    async def end_publish_job(self, job_id: int, at: datetime, error_key: str, detail: str) -> bool:
        """End a pending job without an attempt (cancelled); False if it was not pending."""
        changed = await self._run(
            "UPDATE publish_jobs SET state = 'failed', error_key = ?, error_detail = ?,"
            " updated_at = ? WHERE id = ? AND state = 'pending'",
            (error_key, detail, encode_time(at), job_id),
        )
        return changed > 0

    async def complete_publish_job(
        self,
        job_id: int,
        at: datetime,
        *,
        issue_number: int,
        issue_url: str,
        announcements: Sequence[Announcement],
    ) -> None:
        """In one transaction: the job is done, its draft is published, announcements are due."""
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE publish_jobs SET state = 'done', issue_number = ?, issue_url = ?,"
                " outcome_unknown = 0, error_key = NULL, error_detail = NULL, updated_at = ?"
                " WHERE id = ?",
                (issue_number, issue_url, stamp, job_id),
            )
            db.execute(
                "UPDATE drafts SET issue_number = ?, issue_url = ?, published_at = ?,"
                " issue_repository = (SELECT repository FROM publish_jobs WHERE id = ?)"
                " WHERE id = (SELECT draft_id FROM publish_jobs WHERE id = ?)",
                (issue_number, issue_url, stamp, job_id, job_id),
            )
            insert_announcements(db, announcements, stamp, issue_url)

        await self._db.run_write(work)


def _reopen_publish_job_now(db: sqlite3.Connection, job: PublishJob) -> PublishJob:
    """The ended job `job.id` pending again with `job`'s snapshot, inside a write unit."""
    row = db.execute(
        "UPDATE publish_jobs SET state = 'pending', author_name = ?, author_avatar_url = ?,"
        " title = ?, body = ?, labels = ?, byline = ?, attempts = 0, next_attempt_at = ?,"
        " error_key = NULL, error_detail = NULL, updated_at = ?"
        " WHERE id = ? AND state = 'failed' AND idempotency_key = ? RETURNING *",
        (
            job.author_name,
            job.author_avatar_url,
            job.title,
            job.body,
            encode_labels(job.labels),
            job.byline,
            encode_time(job.next_attempt_at),
            encode_time(job.next_attempt_at),
            job.id,
            job.idempotency_key,
        ),
    ).fetchone()
    if row is None:
        raise ConcurrentChange(f"publish job {job.id} changed")
    return _job(row)
