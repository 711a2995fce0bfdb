"""The numbers `/diary-admin status` shows: durable jobs by state, and the database's size."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.models import JobCounts
from bot.store._database import StorePart


class StatusStore(StorePart):
    async def count_jobs(
        self, guild_id: int | None = None, channel_ids: Sequence[int] = ()
    ) -> JobCounts:
        """Publish and announcement jobs that are pending, retrying or failed; with `guild_id`,
        only that server's publish jobs and the announcements in its `channel_ids`."""
        counts: dict[str, int] = {}
        marks = ", ".join("?" * len(channel_ids))
        scopes = (
            ("publish_jobs", "publish", "guild_id = ?", [guild_id]),
            ("announcements", "announce", f"channel_id IN ({marks})", list(channel_ids)),
        )

        def work(db: sqlite3.Connection) -> JobCounts:
            for table, prefix, where, params in scopes:
                if guild_id is None:
                    where, params = "1", []
                pending, retrying, failed = db.execute(
                    f"SELECT COALESCE(SUM(state = 'pending'), 0),"
                    f" COALESCE(SUM(state = 'pending' AND attempts > 0), 0),"
                    f" COALESCE(SUM(state = 'failed'), 0) FROM {table} WHERE {where}",
                    params,
                ).fetchone()
                counts.update(
                    {
                        f"{prefix}_pending": pending,
                        f"{prefix}_retrying": retrying,
                        f"{prefix}_failed": failed,
                    }
                )
            return JobCounts(**counts)

        return await self._db.run_read(work)

    async def get_database_size(self) -> int:
        """Bytes used by the database pages (the file without its WAL)."""

        def work(db: sqlite3.Connection) -> int:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
            return int(pages) * int(size)

        return await self._db.run_read(work)
