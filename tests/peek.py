"""Read a test's database file directly, for what only tests ask (the store has no method for
it because the bot never needs it)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.models import Announcement, Schedule
from bot.store.announcements import announcement_from_row
from bot.store.schedules import _schedule


class Peek:
    """Counts read with a separate SQLite connection: what the store committed, nothing else."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _number(self, sql: str) -> int:
        with closing(sqlite3.connect(self._path)) as connection:
            return int(connection.execute(sql).fetchone()[0])

    def _rows(self, sql: str, values: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with closing(sqlite3.connect(self._path)) as connection:
            connection.row_factory = sqlite3.Row
            return connection.execute(sql, values).fetchall()

    def announcements(self, issue_number: int) -> list[Announcement]:
        """The entry's announcements in every channel (any state), by channel."""
        rows = self._rows(
            "SELECT * FROM announcements WHERE issue_number = ? ORDER BY channel_id",
            (issue_number,),
        )
        return [announcement_from_row(row) for row in rows]

    def pending_announcements(self) -> list[Announcement]:
        """Announcements not yet posted, the one due soonest first."""
        rows = self._rows(
            "SELECT * FROM announcements WHERE state = 'pending'"
            " ORDER BY next_attempt_at, entry_created_at"
        )
        return [announcement_from_row(row) for row in rows]

    def schedule(self, schedule_id: int) -> Schedule | None:
        """A scheduled publish in any state (the bot only ever lists pending or failed ones)."""
        rows = self._rows("SELECT * FROM draft_schedules WHERE id = ?", (schedule_id,))
        return _schedule(rows[0]) if rows else None

    def image_blobs(self) -> int:
        """Image blobs stored (with or without their bytes)."""
        return self._number("SELECT COUNT(*) FROM image_blobs")

    def image_bytes(self) -> int:
        """The bytes of image data the database holds."""
        return self._number("SELECT COALESCE(SUM(length(data)), 0) FROM image_blobs")
