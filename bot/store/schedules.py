"""Scheduled publishes, daily reminders, and the published entries that stats and reminders read."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from bot.errors import ConcurrentChange
from bot.models import Owner, PublishedEntry, Reminder, Schedule, ScheduleState
from bot.store._codec import NEW_NONCE, decode_time, encode_time
from bot.store._database import Database

# A draft may be scheduled while it is neither published nor being published.
_SCHEDULABLE = (
    "SELECT 1 FROM drafts d WHERE d.id = ? AND d.guild_id = ? AND d.author_id = ?"
    " AND d.issue_number IS NULL AND NOT EXISTS (SELECT 1 FROM publish_jobs j"
    " WHERE j.draft_id = d.id AND j.state = 'pending')"
)


def _schedule(row: aiosqlite.Row) -> Schedule:
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


def _reminder(row: aiosqlite.Row) -> Reminder:
    return Reminder(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        time_of_day=row["time_of_day"],
        on_this_day=bool(row["on_this_day"]),
        last_date=row["last_date"],
        outcome=row["outcome"],
        attempts=row["attempts"],
        next_attempt_at=decode_time(row["next_attempt_at"]),
        nonce=row["nonce"],
        post_started_at=decode_time(row["post_started_at"]),
    )


class ScheduleStore:
    _db: Database

    # -- scheduled publishes --

    async def add_schedule(self, schedule: Schedule) -> tuple[Schedule, Schedule | None]:
        """Record a schedule, replacing the draft's pending one; returns (new, replaced).
        ConcurrentChange if the draft is not the owner's, or is published or being published."""
        stamp = encode_time(schedule.created_at)
        async with self._db.write() as db:
            cursor = await db.execute(
                _SCHEDULABLE, (schedule.draft_id, schedule.guild_id, schedule.author_id)
            )
            if await cursor.fetchone() is None:
                raise ConcurrentChange(f"draft {schedule.draft_id} cannot be scheduled")
            cursor = await db.execute(
                "SELECT * FROM draft_schedules WHERE draft_id = ? AND state = 'pending'",
                (schedule.draft_id,),
            )
            old = await cursor.fetchone()
            if old is not None:
                if old["claimed_at"] is not None:
                    raise ConcurrentChange(f"schedule {old['id']} is being handed over")
                await db.execute(
                    "UPDATE draft_schedules SET state = 'cancelled', updated_at = ? WHERE id = ?",
                    (stamp, old["id"]),
                )
            cursor = await db.execute(
                "INSERT INTO draft_schedules (draft_id, guild_id, author_id, due_at, labels,"
                " author_name, author_avatar_url, next_attempt_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            )
            row = await _fetch_schedule(db, cursor.lastrowid)
        assert row is not None
        return row, _schedule(old) if old is not None else None

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        async with self._db.read() as db:
            return await _fetch_schedule(db, schedule_id)

    async def list_schedules(self, owner: Owner) -> list[Schedule]:
        """The latest schedule of each of the owner's drafts, if it is pending or failed (what
        the draft's status shows), the one due soonest first."""

        def work(db: sqlite3.Connection) -> list[Schedule]:
            rows = db.execute(
                "SELECT * FROM draft_schedules s WHERE s.guild_id = ? AND s.author_id = ?"
                " AND s.state IN ('pending', 'failed') AND s.id = (SELECT MAX(id)"
                " FROM draft_schedules WHERE draft_id = s.draft_id) ORDER BY s.due_at, s.id",
                (owner.guild_id, owner.user_id),
            ).fetchall()
            return [_schedule(row) for row in rows]

        return await self._db.run_read(work)

    async def list_pending_schedules(self, limit: int | None = None) -> list[Schedule]:
        """Pending schedules (at most `limit`), the one to attempt soonest first."""
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT * FROM draft_schedules WHERE state = 'pending'"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (-1 if limit is None else limit,),
            )
            rows = await cursor.fetchall()
        return [_schedule(row) for row in rows]

    async def cancel_schedule(self, owner: Owner, draft_id: int, at: datetime) -> Schedule | None:
        """Cancel the draft's pending schedule unless its handover has begun; None if there was
        none to cancel (ConcurrentChange while it is being handed over)."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "SELECT * FROM draft_schedules WHERE draft_id = ? AND guild_id = ?"
                " AND author_id = ? AND state = 'pending'",
                (draft_id, owner.guild_id, owner.user_id),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            if row["claimed_at"] is not None:
                raise ConcurrentChange(f"schedule {row['id']} is being handed over")
            await db.execute(
                "UPDATE draft_schedules SET state = 'cancelled', updated_at = ? WHERE id = ?",
                (encode_time(at), row["id"]),
            )
            return await _fetch_schedule(db, row["id"])

    async def claim_schedule(self, schedule_id: int, at: datetime) -> Schedule | None:
        """Note that the handover to a publish job begins (the first claim's time is kept);
        None if the schedule is no longer pending."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "UPDATE draft_schedules SET claimed_at = COALESCE(claimed_at, ?), updated_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (encode_time(at), encode_time(at), schedule_id),
            )
            if not cursor.rowcount:
                return None
            return await _fetch_schedule(db, schedule_id)

    async def find_publish_job_since(self, draft_id: int, since: datetime) -> int | None:
        """The newest publish job of the draft created at or after `since`, if any."""
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT id FROM publish_jobs WHERE draft_id = ? AND created_at >= ?"
                " ORDER BY id DESC LIMIT 1",
                (draft_id, encode_time(since)),
            )
            row = await cursor.fetchone()
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
        async with self._db.write() as db:
            await db.execute(
                "UPDATE draft_schedules SET state = ?, job_id = ?, error_key = ?,"
                " error_detail = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (state.value, job_id, error_key, error_detail, encode_time(at), schedule_id),
            )

    async def retry_schedule(
        self, schedule_id: int, at: datetime, next_attempt_at: datetime, error_key: str, detail: str
    ) -> None:
        """Try the handover again later; this attempt made no publish job, so the claim goes."""
        async with self._db.write() as db:
            await db.execute(
                "UPDATE draft_schedules SET attempts = attempts + 1, next_attempt_at = ?,"
                " claimed_at = NULL, error_key = ?, error_detail = ?, updated_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (encode_time(next_attempt_at), error_key, detail, encode_time(at), schedule_id),
            )

    # -- daily reminders --

    async def get_reminder(self, guild_id: int) -> Reminder | None:
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT * FROM reminders WHERE guild_id = ? AND enabled = 1", (guild_id,)
            )
            row = await cursor.fetchone()
        return _reminder(row) if row else None

    async def list_reminders(self) -> list[Reminder]:
        async with self._db.read() as db:
            cursor = await db.execute("SELECT * FROM reminders WHERE enabled = 1 ORDER BY guild_id")
            rows = await cursor.fetchall()
        return [_reminder(row) for row in rows]

    async def set_reminder(
        self,
        guild_id: int,
        at: datetime,
        *,
        channel_id: int,
        time_of_day: str,
        on_this_day: bool,
        handled_through: str | None,
    ) -> Reminder:
        """Create, change or turn on again the server's reminder; days up to `handled_through`
        (a local date) count as handled, and a day already handled stays handled."""
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO reminders (guild_id, channel_id, time_of_day, on_this_day,"
                " last_date, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " enabled = 1, time_of_day = excluded.time_of_day,"
                " on_this_day = excluded.on_this_day,"
                " last_date = CASE WHEN last_date IS NULL OR excluded.last_date > last_date"
                " THEN excluded.last_date ELSE last_date END, updated_at = excluded.updated_at",
                (
                    guild_id,
                    channel_id,
                    time_of_day,
                    int(on_this_day),
                    handled_through,
                    encode_time(at),
                ),
            )
            cursor = await db.execute("SELECT * FROM reminders WHERE guild_id = ?", (guild_id,))
            row = await cursor.fetchone()
        assert row is not None
        return _reminder(row)

    async def delete_reminder(self, guild_id: int) -> bool:
        """Turn the reminder off; the row stays (off) so the days it handled stay handled."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "UPDATE reminders SET enabled = 0 WHERE guild_id = ? AND enabled = 1", (guild_id,)
            )
            return cursor.rowcount > 0

    async def claim_reminder_day(self, guild_id: int, day: str, at: datetime) -> Reminder | None:
        """Take the local date `day` for a post ('sending'): a new day (with a new nonce), a
        day whose retry is due, or a day left 'sending' by a crash (its post may exist; the
        caller resolves that). A day handled already, or not yet due again, is not taken."""
        stamp = encode_time(at)
        async with self._db.write() as db:
            cursor = await db.execute(
                "UPDATE reminders SET attempts = CASE WHEN last_date = ? THEN attempts ELSE 0 END,"
                " nonce = CASE WHEN last_date = ? AND nonce IS NOT NULL THEN nonce"
                f" ELSE {NEW_NONCE % 'r'} END,"
                " post_started_at = CASE WHEN last_date = ? THEN post_started_at ELSE NULL END,"
                " last_date = ?, outcome = 'sending', next_attempt_at = NULL, updated_at = ?"
                " WHERE guild_id = ? AND enabled = 1 AND (last_date IS NULL OR last_date < ?"
                " OR (last_date = ? AND (outcome = 'sending'"
                " OR (outcome = 'retrying' AND next_attempt_at <= ?))))",
                (day, day, day, day, stamp, guild_id, day, day, stamp),
            )
            if not cursor.rowcount:
                return None
            cursor = await db.execute("SELECT * FROM reminders WHERE guild_id = ?", (guild_id,))
            row = await cursor.fetchone()
        return _reminder(row) if row else None

    async def mark_reminder_started(self, guild_id: int, day: str, at: datetime) -> None:
        """Note, before the post is sent, that the day may be posted from now on."""
        async with self._db.write() as db:
            await db.execute(
                "UPDATE reminders SET post_started_at = COALESCE(post_started_at, ?)"
                " WHERE guild_id = ? AND last_date = ?",
                (encode_time(at), guild_id, day),
            )

    async def record_reminder(
        self,
        guild_id: int,
        day: str,
        at: datetime,
        outcome: str,
        *,
        message_id: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """How the day ended: 'sent', 'skipped', 'failed', or 'retrying' at `next_attempt_at`."""
        async with self._db.write() as db:
            await db.execute(
                "UPDATE reminders SET outcome = ?, attempts = attempts + 1, message_id = ?,"
                " next_attempt_at = ?, updated_at = ? WHERE guild_id = ? AND last_date = ?",
                (
                    outcome,
                    message_id,
                    encode_time(next_attempt_at) if next_attempt_at else None,
                    encode_time(at),
                    guild_id,
                    day,
                ),
            )

    # -- published entries --

    async def list_published_entries(
        self, guild_id: int, *, author_id: int | None = None, channel_id: int | None = None
    ) -> list[PublishedEntry]:
        """Entries published from this server (by `author_id` only, if given), oldest first.
        With `channel_id`, also entries written on GitHub directly that were announced there
        (entries published from drafts, in any server, are not taken from announcements)."""
        author_filter = " AND author_id = ?" if author_id is not None else ""
        sql = (
            "SELECT issue_number AS number, title, issue_url AS url, published_at AS at,"
            " LENGTH(body) AS length, author_id FROM drafts"
            f" WHERE guild_id = ? AND published_at IS NOT NULL{author_filter}"
        )
        params: list[object] = [guild_id] + ([author_id] if author_id is not None else [])
        if channel_id is not None and author_id is None:
            sql += (
                " UNION ALL SELECT a.issue_number, a.title, a.url, a.entry_created_at,"
                " 0, NULL FROM announcements a WHERE a.channel_id = ?"
                " AND a.entry_state != 'deleted' AND NOT EXISTS (SELECT 1 FROM drafts d"
                " WHERE d.issue_number = a.issue_number)"
            )
            params.append(channel_id)
        async with self._db.read() as db:
            cursor = await db.execute(f"SELECT * FROM ({sql}) ORDER BY at, number", params)
            rows = await cursor.fetchall()
        entries = []
        for row in rows:
            at = decode_time(row["at"])
            assert at is not None
            entries.append(
                PublishedEntry(
                    number=row["number"],
                    title=row["title"],
                    url=row["url"],
                    published_at=at,
                    length=row["length"],
                    author_id=row["author_id"],
                )
            )
        return entries


async def _fetch_schedule(db: aiosqlite.Connection, schedule_id: int | None) -> Schedule | None:
    cursor = await db.execute("SELECT * FROM draft_schedules WHERE id = ?", (schedule_id,))
    row = await cursor.fetchone()
    return _schedule(row) if row else None
