"""Durable comment jobs: addenda (`/entry add`) posted on an entry exactly once."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.models import CommentJob, DiaryTarget, JobState
from bot.store._codec import decode_target, decode_time, encode_target, encode_time
from bot.store._database import StorePart


def _comment_job(row: sqlite3.Row) -> CommentJob:
    next_at, created = decode_time(row["next_attempt_at"]), decode_time(row["created_at"])
    assert next_at and created
    return CommentJob(
        id=row["id"],
        issue_number=row["issue_number"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        idempotency_key=row["idempotency_key"],
        body=row["body"],
        state=JobState(row["state"]),
        attempts=row["attempts"],
        outcome_unknown=bool(row["outcome_unknown"]),
        next_attempt_at=next_at,
        created_at=created,
        comment_url=row["comment_url"],
        error_key=row["error_key"],
        error_detail=row["error_detail"],
        target=decode_target(row),
    )


class CommentStore(StorePart):
    async def add_comment_job(
        self,
        issue_number: int,
        guild_id: int,
        author_id: int,
        key: str,
        body: str,
        at: datetime,
        target: DiaryTarget | None = None,
    ) -> CommentJob:
        """Record an addendum to post, due now, on the entry in `target` (None: the server
        diary)."""
        stamp = encode_time(at)
        row = await self._db.run_write(
            lambda db: db.execute(
                "INSERT INTO comment_jobs (issue_number, guild_id, author_id, idempotency_key,"
                " body, next_attempt_at, created_at, updated_at, repository, member_guild_id,"
                " member_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    issue_number,
                    guild_id,
                    author_id,
                    key,
                    body,
                    stamp,
                    stamp,
                    stamp,
                    *encode_target(target),
                ),
            ).fetchone()
        )
        assert row is not None
        return _comment_job(row)

    async def get_comment_job(self, job_id: int) -> CommentJob | None:
        row = await self._db.run_read(
            lambda db: db.execute("SELECT * FROM comment_jobs WHERE id = ?", (job_id,)).fetchone()
        )
        return _comment_job(row) if row else None

    async def next_comment_job(self) -> CommentJob | None:
        """The pending job due soonest."""
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT * FROM comment_jobs WHERE state = 'pending'"
                " ORDER BY next_attempt_at, id LIMIT 1"
            ).fetchone()
        )
        return _comment_job(row) if row else None

    async def mark_comment_job_started(self, job_id: int, at: datetime) -> None:
        """Note, before the request is sent, that its outcome is unknown until recorded."""
        await self._update(job_id, "outcome_unknown = 1, updated_at = ?", (encode_time(at),))

    async def retry_comment_job(
        self,
        job_id: int,
        at: datetime,
        *,
        next_attempt_at: datetime,
        outcome_unknown: bool,
        error_key: str,
        detail: str,
    ) -> None:
        """Count an attempt to be retried at `next_attempt_at`."""
        await self._update(
            job_id,
            "attempts = attempts + 1, next_attempt_at = ?, outcome_unknown = ?, error_key = ?,"
            " error_detail = ?, updated_at = ?",
            (
                encode_time(next_attempt_at),
                int(outcome_unknown),
                error_key,
                detail,
                encode_time(at),
            ),
        )

    async def complete_comment_job(self, job_id: int, at: datetime, comment_url: str) -> None:
        await self._update(
            job_id,
            "state = 'done', outcome_unknown = 0, comment_url = ?, error_key = NULL,"
            " error_detail = NULL, updated_at = ?",
            (comment_url, encode_time(at)),
        )

    async def fail_comment_job(
        self, job_id: int, at: datetime, error_key: str, detail: str
    ) -> None:
        """End a job for good (nothing was posted, as far as a look could tell)."""
        await self._update(
            job_id,
            "state = 'failed', attempts = attempts + 1, error_key = ?, error_detail = ?,"
            " updated_at = ?",
            (error_key, detail, encode_time(at)),
        )

    async def _update(self, job_id: int, assignments: str, values: tuple[object, ...]) -> None:
        await self._db.run_write(
            lambda db: db.execute(
                f"UPDATE comment_jobs SET {assignments} WHERE id = ? AND state = 'pending'",
                (*values, job_id),
            )
        )
