"""Daily reminders: one per server, each local date posted at most once."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.models import Reminder
from bot.store._codec import NEW_NONCE, decode_time, encode_time
from bot.store._database import StorePart


def _reminder(row: sqlite3.Row) -> Reminder:
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


class ReminderStore(StorePart):
    async def get_reminder(self, guild_id: int) -> Reminder | None:
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT * FROM reminders WHERE guild_id = ? AND enabled = 1", (guild_id,)
            ).fetchone()
        )
        return _reminder(row) if row else None

    async def list_reminders(self) -> list[Reminder]:
        rows = await self._db.run_read(
            lambda db: db.execute(
                "SELECT * FROM reminders WHERE enabled = 1 ORDER BY guild_id"
            ).fetchall()
        )
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
        row = await self._db.run_write(
            lambda db: db.execute(
                "INSERT INTO reminders (guild_id, channel_id, time_of_day, on_this_day,"
                " last_date, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " enabled = 1, time_of_day = excluded.time_of_day,"
                " on_this_day = excluded.on_this_day,"
                " last_date = CASE WHEN last_date IS NULL OR excluded.last_date > last_date"
                " THEN excluded.last_date ELSE last_date END, updated_at = excluded.updated_at"
                " RETURNING *",
                (
                    guild_id,
                    channel_id,
                    time_of_day,
                    int(on_this_day),
                    handled_through,
                    encode_time(at),
                ),
            ).fetchone()
        )
        assert row is not None
        return _reminder(row)

    async def delete_reminder(self, guild_id: int) -> bool:
        """Turn the reminder off; the row stays (off) so the days it handled stay handled."""
        changed = await self._db.run_write(
            lambda db: (
                db.execute(
                    "UPDATE reminders SET enabled = 0 WHERE guild_id = ? AND enabled = 1",
                    (guild_id,),
                ).rowcount
            )
        )
        return changed > 0

    async def claim_reminder_day(self, guild_id: int, day: str, at: datetime) -> Reminder | None:
        """Take the local date `day` for a post ('sending'): a new day (with a new nonce), a
        day whose retry is due, or a day left 'sending' by a crash (its post may exist; the
        caller resolves that). A day handled already, or not yet due again, is not taken."""
        stamp = encode_time(at)
        row = await self._db.run_write(
            lambda db: db.execute(
                "UPDATE reminders SET attempts = CASE WHEN last_date = ? THEN attempts ELSE 0 END,"
                " nonce = CASE WHEN last_date = ? AND nonce IS NOT NULL THEN nonce"
                f" ELSE {NEW_NONCE % 'r'} END,"
                " post_started_at = CASE WHEN last_date = ? THEN post_started_at ELSE NULL END,"
                " last_date = ?, outcome = 'sending', next_attempt_at = NULL, updated_at = ?"
                " WHERE guild_id = ? AND enabled = 1 AND (last_date IS NULL OR last_date < ?"
                " OR (last_date = ? AND (outcome = 'sending'"
                " OR (outcome = 'retrying' AND next_attempt_at <= ?)))) RETURNING *",
                (day, day, day, day, stamp, guild_id, day, day, stamp),
            ).fetchone()
        )
        return _reminder(row) if row else None

    async def mark_reminder_started(self, guild_id: int, day: str, at: datetime) -> None:
        """Note, before the post is sent, that the day may be posted from now on."""
        await self._db.run_write(
            lambda db: db.execute(
                "UPDATE reminders SET post_started_at = COALESCE(post_started_at, ?)"
                " WHERE guild_id = ? AND last_date = ?",
                (encode_time(at), guild_id, day),
            )
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
        await self._db.run_write(
            lambda db: db.execute(
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
        )
