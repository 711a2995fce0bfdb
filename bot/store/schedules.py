"""Scheduled publishes: a draft handed to a publish job when its time comes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.errors import ConcurrentChange
from bot.models import Owner, Schedule, ScheduleState
from bot.store._codec import decode_time, encode_time
from bot.store._database import StorePart

# A draft may be scheduled while it is neither published nor being published.
_SCHEDULABLE = (
    "SELECT 1 FROM drafts d WHERE d.id = ? AND d.guild_id = ? AND d.author_id = ?"
    " AND d.issue_number IS NULL AND NOT EXISTS (SELECT 1 FROM publish_jobs j"
    " WHERE j.draft_id = d.id AND j.state = 'pending')"
)


def _schedule(row: sqlite3.Row) -> Schedule:
    due, next_at, created = (
        decode_time(row["due_at"]),
        decode_time(row["next_attempt_at"]),
        decode_time(row["created_at"]),
    )
    assert due and next_at and created
    return Schedule(
        id=row["id"],
        draft_id=row["draft_id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        due_at=due,
        labels=row["labels"],
        author_name=row["author_name"],
        author_avatar_url=row["author_avatar_url"],
        state=ScheduleState(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=next_at,
        created_at=created,
        claimed_at=decode_time(row["claimed_at"]),
        job_id=row["job_id"],
        error_key=row["error_key"],
        error_detail=row["error_detail"],
    )


def shown_schedules_now(db: sqlite3.Connection, owner: Owner) -> list[Schedule]:
    """The latest schedule of each of the owner's drafts if it is pending or failed, the one
    due soonest first; inside a unit running in the database thread."""
    rows = db.execute(
        "SELECT * FROM draft_schedules s WHERE s.guild_id = ? AND s.author_id = ?"
        " AND s.state IN ('pending', 'failed') AND s.id = (SELECT MAX(id)"
        " FROM draft_schedules WHERE draft_id = s.draft_id) ORDER BY s.due_at, s.id",
        (owner.guild_id, owner.user_id),
    ).fetchall()
    return [_schedule(row) for row in rows]


class ScheduleStore(StorePart):
    async def add_schedule(self, schedule: Schedule) -> tuple[Schedule, Schedule | None]:
        """Record a schedule, replacing the draft's pending one; returns (new, replaced).
        ConcurrentChange if the draft is not the owner's, or is published or being published."""
        stamp = encode_time(schedule.created_at)

        def work(db: sqlite3.Connection) -> tuple[Schedule, Schedule | None]:
            allowed = db.execute(
                _SCHEDULABLE, (schedule.draft_id, schedule.guild_id, schedule.author_id)
            ).fetchone()
            if allowed is None:
                raise ConcurrentChange(f"draft {schedule.draft_id} cannot be scheduled")
            old = db.execute(
                "SELECT * FROM draft_schedules WHERE draft_id = ? AND state = 'pending'",
                (schedule.draft_id,),
            ).fetchone()
            if old is not None:
                if old["claimed_at"] is not None:
                    raise ConcurrentChange(f"schedule {old['id']} is being handed over")
                db.execute(
                    "UPDATE draft_schedules SET state = 'cancelled', updated_at = ? WHERE id = ?",
                    (stamp, old["id"]),
                )
            row = db.execute(
                "INSERT INTO draft_schedules (draft_id, guild_id, author_id, due_at, labels,"
                " author_name, author_avatar_url, next_attempt_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    schedule.draft_id,
                    schedule.guild_id,
                    schedule.author_id,
                    encode_time(schedule.due_at),
                    schedule.labels,
                    schedule.author_name,
                    schedule.author_avatar_url,
                    encode_time(schedule.due_at),
                    stamp,
                    stamp,
                ),
            ).fetchone()
            return _schedule(row), _schedule(old) if old is not None else None

        return await self._db.run_write(work)

    async def list_schedules(self, owner: Owner) -> list[Schedule]:
        """The latest schedule of each of the owner's drafts, if it is pending or failed (what
        the draft's status shows), the one due soonest first."""

        return await self._db.run_read(lambda db: shown_schedules_now(db, owner))

    async def list_pending_schedules(self, limit: int | None = None) -> list[Schedule]:
        """Pending schedules (at most `limit`), the one to attempt soonest first."""

        def work(db: sqlite3.Connection) -> list[Schedule]:
            rows = db.execute(
                "SELECT * FROM draft_schedules WHERE state = 'pending'"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
            return [_schedule(row) for row in rows]

        return await self._db.run_read(work)

    async def cancel_schedule(self, owner: Owner, draft_id: int, at: datetime) -> Schedule | None:
        """Cancel the draft's pending schedule unless its handover has begun; None if there was
        none to cancel (ConcurrentChange while it is being handed over)."""

        def work(db: sqlite3.Connection) -> Schedule | None:
            row = db.execute(
                "SELECT * FROM draft_schedules WHERE draft_id = ? AND guild_id = ?"
                " AND author_id = ? AND state = 'pending'",
                (draft_id, owner.guild_id, owner.user_id),
            ).fetchone()
            if row is None:
                return None
            if row["claimed_at"] is not None:
                raise ConcurrentChange(f"schedule {row['id']} is being handed over")
            cancelled = db.execute(
                "UPDATE draft_schedules SET state = 'cancelled', updated_at = ? WHERE id = ?"
                " RETURNING *",
                (encode_time(at), row["id"]),
            ).fetchone()
            return _schedule(cancelled)

        return await self._db.run_write(work)

    async def claim_schedule(self, schedule_id: int, at: datetime) -> Schedule | None:
        """Note that the handover to a publish job begins (the first claim's time is kept);
        None if the schedule is no longer pending."""

        def work(db: sqlite3.Connection) -> Schedule | None:
            row = db.execute(
                "UPDATE draft_schedules SET claimed_at = COALESCE(claimed_at, ?), updated_at = ?"
                " WHERE id = ? AND state = 'pending' RETURNING *",
                (encode_time(at), encode_time(at), schedule_id),
            ).fetchone()
            return _schedule(row) if row else None

        return await self._db.run_write(work)

    async def find_publish_job_since(self, draft_id: int, since: datetime) -> int | None:
        """The newest publish job of the draft created at or after `since`, if any."""
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT id FROM publish_jobs WHERE draft_id = ? AND created_at >= ?"
                " ORDER BY id DESC LIMIT 1",
                (draft_id, encode_time(since)),
            ).fetchone()
        )
        return int(row["id"]) if row else None

    async def finish_schedule(
        self,
        schedule_id: int,
        at: datetime,
        state: ScheduleState,
        *,
        job_id: int | None = None,
        error_key: str | None = None,
        error_detail: str | None = None,
    ) -> None:
        """End a pending schedule: handed over (with its job), or failed (with the reason)."""
        await self._db.run_write(
            lambda db: db.execute(
                "UPDATE draft_schedules SET state = ?, job_id = ?, error_key = ?,"
                " error_detail = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (state.value, job_id, error_key, error_detail, encode_time(at), schedule_id),
            )
        )

    async def retry_schedule(
        self, schedule_id: int, at: datetime, next_attempt_at: datetime, error_key: str, detail: str
    ) -> None:
        """Try the handover again later; this attempt made no publish job, so the claim goes."""
        await self._db.run_write(
            lambda db: db.execute(
                "UPDATE draft_schedules SET attempts = attempts + 1, next_attempt_at = ?,"
                " claimed_at = NULL, error_key = ?, error_detail = ?, updated_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (encode_time(next_attempt_at), error_key, detail, encode_time(at), schedule_id),
            )
        )
