"""One long-lived aiosqlite connection, numbered migrations, and serialized transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str]]:
    """The numbered SQL migrations shipped with the package, in order."""
    folder = resources.files("bot.store").joinpath("migrations")
    found = []
    for item in folder.iterdir():
        match = _MIGRATION_NAME.match(item.name)
        if match:
            found.append((int(match.group(1)), item.read_text("utf-8")))
    found.sort()
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


class Database:
    """Owns the connection. Every statement runs under one lock, so a transaction started by
    one coroutine is never interleaved with another coroutine's statements."""

    def __init__(self, connection: aiosqlite.Connection, path: Path | str | None = None) -> None:
        self._connection = connection
        self._path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) and migrate the database file."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        database = cls(await _connect(path), path)
        await database.migrate()
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    async def schema_version(self) -> int:
        async with self.read() as db:
            cursor = await db.execute("PRAGMA user_version")
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        """Apply every migration newer than `PRAGMA user_version`, each in its own transaction."""
        current = await self.schema_version()
        for number, sql in migrations():
            if number <= current:
                continue
            async with self.write() as db:
                # executescript would COMMIT on its own; run statement by statement instead.
                for statement in _statements(sql):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
            log.info("database migrated to version %d", number)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A transaction that commits when the block ends and rolls back on any error."""
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                await self._end_transaction()
                raise
            try:
                await self._connection.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (SQLITE_BUSY, a deferred constraint, a full disk) can leave the
                # transaction open; every later BEGIN would then fail until a restart.
                await self._end_transaction()
                raise

    async def _end_transaction(self) -> None:
        """Roll back whatever is open; if even that fails, replace the connection."""
        try:
            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")
            return
        except Exception:
            if not self._connection.in_transaction:
                return
            log.exception("rollback failed; reopening the database connection")
        if self._path is None or str(self._path) == ":memory:":
            return
        old = self._connection
        self._connection = await _connect(self._path)
        try:
            await old.close()
        except Exception:
            log.warning("closing the old database connection failed", exc_info=True)


async def _connect(path: Path | str) -> aiosqlite.Connection:
    """An autocommit connection (transactions are explicit) with the pragmas the store needs."""
    connection = await aiosqlite.connect(str(path), isolation_level=None)
    connection.row_factory = aiosqlite.Row
    await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await connection.execute("PRAGMA journal_mode = WAL")
    await connection.execute("PRAGMA synchronous = NORMAL")
    await connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _statements(sql: str) -> list[str]:
    """Split a migration into statements as SQLite parses them, so a `;` inside a string
    literal, a comment or a trigger body does not end a statement."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        # SQLite's own tokenizer decides; only lines holding a `;` can end a statement.
        if ";" in line and sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not _only_comments(pending):
        raise ValueError(f"migration ends inside a statement: {pending.strip()[:80]!r}")
    return [statement for statement in statements if not _only_comments(statement)]


def _only_comments(sql: str) -> bool:
    """Whether `sql` holds nothing but whitespace and `--` comments."""
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())
