"""Read a test's database file directly, for what only tests ask (the store has no method for
it because the bot never needs it)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


class Peek:
    """Counts read with a separate SQLite connection: what the store committed, nothing else."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _number(self, sql: str) -> int:
        with closing(sqlite3.connect(self._path)) as connection:
            return int(connection.execute(sql).fetchone()[0])

    def image_blobs(self) -> int:
        """Image blobs stored (with or without their bytes)."""
        return self._number("SELECT COUNT(*) FROM image_blobs")

    def image_bytes(self) -> int:
        """The bytes of image data the database holds."""
        return self._number("SELECT COALESCE(SUM(length(data)), 0) FROM image_blobs")
