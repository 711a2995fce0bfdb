"""Members' own diaries: the repository each member connected in a server, with their GitHub
App user tokens, sealed (encrypted) by the caller before they arrive here."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.models import ConnectionCounts, ConnectionSummary, StoredConnection
from bot.store._codec import decode_time, encode_time
from bot.store._database import StorePart


def _connection(row: aiosqlite.Row) -> StoredConnection:
    updated = decode_time(row["updated_at"])
    assert updated is not None
    return StoredConnection(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        github_login=row["github_login"],
        repository=row["repository"],
        access_token=bytes(row["access_token"]),
        access_expires_at=decode_time(row["access_expires_at"]),
        refresh_token=None if row["refresh_token"] is None else bytes(row["refresh_token"]),
        refresh_expires_at=decode_time(row["refresh_expires_at"]),
        updated_at=updated,
    )


def _time(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


class ConnectionStore(StorePart):
    async def get_connection(self, guild_id: int, user_id: int) -> StoredConnection | None:
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT * FROM member_connections WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            ).fetchone()
        )
        return _connection(row) if row else None

    async def put_connection_tokens(
        self,
        guild_id: int,
        user_id: int,
        login: str,
        access_token: bytes,
        access_expires_at: datetime | None,
        refresh_token: bytes | None,
        refresh_expires_at: datetime | None,
        at: datetime,
    ) -> None:
        """Store a member's sealed tokens; a new GitHub account forgets the chosen repository."""
        stamp = encode_time(at)
        await self._db.run_write(
            lambda db: db.execute(
                "INSERT INTO member_connections (guild_id, user_id, github_login, access_token,"
                " access_expires_at, refresh_token, refresh_expires_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " repository = CASE WHEN github_login = excluded.github_login"
                " THEN repository END, github_login = excluded.github_login,"
                " access_token = excluded.access_token,"
                " access_expires_at = excluded.access_expires_at,"
                " refresh_token = excluded.refresh_token,"
                " refresh_expires_at = excluded.refresh_expires_at,"
                " failure = NULL, failed_at = NULL, updated_at = excluded.updated_at",
                (
                    guild_id,
                    user_id,
                    login,
                    access_token,
                    _time(access_expires_at),
                    refresh_token,
                    _time(refresh_expires_at),
                    stamp,
                    stamp,
                ),
            )
        )

    async def set_connection_repository(
        self, guild_id: int, user_id: int, repository: str, at: datetime
    ) -> bool:
        """Record the member's chosen repository; False if they have no connection."""
        changed = await self._db.run_write(
            lambda db: (
                db.execute(
                    "UPDATE member_connections SET repository = ?, updated_at = ?"
                    " WHERE guild_id = ? AND user_id = ?",
                    (repository, encode_time(at), guild_id, user_id),
                ).rowcount
            )
        )
        return changed > 0

    async def set_connection_failure(
        self, guild_id: int, user_id: int, failure: str, at: datetime
    ) -> bool:
        """Record what went wrong with the member's connection (a message key); False if
        they have none. New tokens clear it."""
        changed = await self._db.run_write(
            lambda db: (
                db.execute(
                    "UPDATE member_connections SET failure = ?, failed_at = ?"
                    " WHERE guild_id = ? AND user_id = ?",
                    (failure, encode_time(at), guild_id, user_id),
                ).rowcount
            )
        )
        return changed > 0

    async def count_connections(self, guild_id: int) -> ConnectionCounts:
        """How many members of the server connected, how many fail, how many chose nothing."""
        row = await self._db.run_read(
            lambda db: db.execute(
                "SELECT count(*), count(failure), count(*) - count(repository)"
                " FROM member_connections WHERE guild_id = ?",
                (guild_id,),
            ).fetchone()
        )
        assert row is not None
        return ConnectionCounts(row[0], row[1], row[2])

    async def list_connection_summaries(
        self, guild_id: int, limit: int, offset: int = 0
    ) -> list[ConnectionSummary]:
        """The server's connections without their tokens: failing ones first (newest failure
        first), then those without a repository, then by the access token's expiry."""
        rows = await self._db.run_read(
            lambda db: db.execute(
                "SELECT user_id, github_login, repository, access_expires_at,"
                " refresh_expires_at, failure, failed_at FROM member_connections"
                " WHERE guild_id = ? ORDER BY failure IS NULL, failed_at DESC,"
                " repository IS NOT NULL, access_expires_at IS NULL, access_expires_at, user_id"
                " LIMIT ? OFFSET ?",
                (guild_id, limit, offset),
            ).fetchall()
        )
        return [
            ConnectionSummary(
                user_id=row["user_id"],
                github_login=row["github_login"],
                repository=row["repository"],
                access_expires_at=decode_time(row["access_expires_at"]),
                refresh_expires_at=decode_time(row["refresh_expires_at"]),
                failure=row["failure"],
                failed_at=decode_time(row["failed_at"]),
            )
            for row in rows
        ]

    async def delete_connection(self, guild_id: int, user_id: int) -> bool:
        """Forget the member's connection and its tokens; False if there was none."""
        changed = await self._db.run_write(
            lambda db: (
                db.execute(
                    "DELETE FROM member_connections WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                ).rowcount
            )
        )
        return changed > 0

    async def get_any_connection_token(self) -> bytes | None:
        """One stored (sealed) access token, to see whether the key opens it; None if none."""
        row = await self._db.run_read(
            lambda db: db.execute("SELECT access_token FROM member_connections LIMIT 1").fetchone()
        )
        return None if row is None else bytes(row[0])
