"""What the watcher and the webhook endpoint keep: what is known of each repository followed
(ETag, baseline, last check), deliveries seen (so a redelivery is handled once), and whether
an issue is one this bot published."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.models import ConnectedRepository, JobState, WatchedRepository
from bot.repositories import repository_key
from bot.store._codec import decode_time, encode_time
from bot.store._database import StorePart

KEPT_DELIVERIES = 1000


class WatchStore(StorePart):
    async def publish_job_state(self, idempotency_key: str) -> JobState | None:
        """The state of the publish job with this key, or None if this bot has none."""
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT state FROM publish_jobs WHERE idempotency_key = ?", (idempotency_key,)
            )
            row = await cursor.fetchone()
        return JobState(row["state"]) if row else None

    async def add_webhook_delivery(self, delivery_id: str, at: datetime) -> bool:
        """Record a delivery; False if it was recorded before. Keeps the most recent ones."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO webhook_deliveries (delivery_id, received_at) VALUES (?, ?)",
                (delivery_id, encode_time(at)),
            )
            if cursor.rowcount == 0:
                return False
            await db.execute(
                "DELETE FROM webhook_deliveries WHERE delivery_id NOT IN (SELECT delivery_id"
                " FROM webhook_deliveries ORDER BY received_at DESC LIMIT ?)",
                (KEPT_DELIVERIES,),
            )
        return True

    async def delete_webhook_delivery(self, delivery_id: str) -> None:
        """Forget a delivery whose handling failed, so a redelivery is handled again."""
        async with self._db.write() as db:
            await db.execute("DELETE FROM webhook_deliveries WHERE delivery_id = ?", (delivery_id,))

    # -- what the watcher remembers of each repository --

    async def get_watched_repository(self, repository: str) -> WatchedRepository | None:
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT * FROM watched_repositories WHERE repository = ?",
                (repository_key(repository),),
            )
            row = await cursor.fetchone()
        return _watched(row) if row else None

    async def put_watched_repository(self, watch: WatchedRepository, at: datetime) -> None:
        """Remember the repository's ETag, baseline and newest update seen (the baseline
        taken `at`, unless it was taken before)."""
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO watched_repositories (repository, baseline_at, etag, newest,"
                " seen_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository) DO UPDATE SET"
                " baseline_at = COALESCE(baseline_at, excluded.baseline_at),"
                " etag = excluded.etag, newest = excluded.newest,"
                " seen_until = excluded.seen_until",
                (
                    repository_key(watch.repository),
                    encode_time(at),
                    watch.etag,
                    watch.newest,
                    watch.seen_until,
                ),
            )

    async def list_connected_repositories(
        self, repository: str | None = None
    ) -> list[ConnectedRepository]:
        """Members' connections that name a repository (only `repository`, if given): for
        each repository, working sign-ins first, the most recently renewed first."""
        where = "repository IS NOT NULL"
        values: tuple[object, ...] = ()
        if repository is not None:
            where, values = "lower(repository) = ?", (repository_key(repository),)
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT repository, guild_id, user_id, github_login, failure IS NOT NULL"
                f" AS failing FROM member_connections WHERE {where}"
                " ORDER BY lower(repository), failing, updated_at DESC, guild_id, user_id",
                values,
            )
            rows = await cursor.fetchall()
        return [
            ConnectedRepository(
                repository=row["repository"],
                guild_id=row["guild_id"],
                user_id=row["user_id"],
                login=row["github_login"],
                failing=bool(row["failing"]),
            )
            for row in rows
        ]

    async def list_watched_repositories(self) -> list[WatchedRepository]:
        """What is known of every repository the watcher has looked at."""
        async with self._db.read() as db:
            cursor = await db.execute("SELECT * FROM watched_repositories ORDER BY repository")
            rows = await cursor.fetchall()
        return [_watched(row) for row in rows]

    async def record_watch_check(
        self,
        repository: str,
        at: datetime,
        result: str,
        *,
        failures: int = 0,
        next_check_at: datetime | None = None,
    ) -> None:
        """How the repository's latest check went: a PollResult value or `failed:<key>`,
        failures in a row, and (after failures) when to look again. A repository never looked
        at gets a row without a baseline."""
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO watched_repositories (repository, checked_at, result, failures,"
                " next_check_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository) DO UPDATE SET"
                " checked_at = excluded.checked_at, result = excluded.result,"
                " failures = excluded.failures, next_check_at = excluded.next_check_at",
                (
                    repository_key(repository),
                    encode_time(at),
                    result,
                    failures,
                    encode_time(next_check_at) if next_check_at else None,
                ),
            )

    async def delete_watched_repositories(self, repositories: list[str]) -> None:
        """Forget what was known of repositories no longer followed, so following one again
        starts from a new baseline."""
        async with self._db.write() as db:
            await db.executemany(
                "DELETE FROM watched_repositories WHERE repository = ?",
                [(repository_key(r),) for r in repositories],
            )

    async def claim_server_diary(self, repository: str) -> int:
        """Name the server diary in rows from before repositories were recorded ('', see
        migration 0022); how many announcements it named."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "UPDATE OR IGNORE announcements SET repository = ? WHERE repository = ''",
                (repository_key(repository),),
            )
            return cursor.rowcount


def _watched(row: aiosqlite.Row) -> WatchedRepository:
    return WatchedRepository(
        repository=row["repository"],
        etag=row["etag"],
        newest=row["newest"],
        seen_until=row["seen_until"],
        baseline_at=decode_time(row["baseline_at"]),
        checked_at=decode_time(row["checked_at"]),
        result=row["result"],
        failures=row["failures"],
        next_check_at=decode_time(row["next_check_at"]),
    )
