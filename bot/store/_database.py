"""Two long-lived aiosqlite connections (one writes, one only reads), numbered migrations,
serialized transactions, and units of work that run in the database thread in one hop."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")
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
    """Owns the connections. Every write runs under one lock, so a transaction started by one
    coroutine is never interleaved with another coroutine's statements.

    `run_write` and `run_read` run a plain function of a `sqlite3.Connection` as one unit in
    the connection's thread: one hop from the event loop per store call, however many
    statements it holds. `run_read` uses a second, read-only connection: in WAL mode its
    readers see every transaction committed before they began and never wait for a writer,
    so reads do not queue behind writes (and a read right after a write sees it)."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path | str | None = None,
        reader: aiosqlite.Connection | None = None,
    ) -> None:
        self._connection = connection
        self._path = path
        self._reader = reader
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) and migrate the database file."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        database = cls(await _connect(path), path)
        try:
            await database.migrate()
            if str(path) != ":memory:":  # a second connection to :memory: is another database
                database._reader = await _connect(path, read_only=True)
        except BaseException:
            await database.close()  # its threads would otherwise keep the process alive
            raise
        return database

    async def close(self) -> None:
        async with self._lock:
            if self._reader is not None:
                await self._reader.close()
            await self._connection.close()

    async def run_read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` in one read transaction on the read-only connection (one snapshot that
        includes every write committed before this call), in that connection's thread."""
        if self._reader is None:
            async with self._lock:
                return await _in_thread(self._connection, lambda db: _read_unit(db, work))
        return await _in_thread(self._reader, lambda db: _read_unit(db, work))

    async def run_write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` as one transaction (BEGIN IMMEDIATE … COMMIT, rolled back if anything in it
        fails) in the writing connection's thread; committed when this returns."""
        async with self._lock:
            try:
                return await _in_thread(self._connection, lambda db: _write_unit(db, work))
            except Exception:
                await self._end_transaction()  # if the rollback in the thread failed too
                raise

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


class StorePart:
    """One part of the store (drafts, jobs, announcements, ...): a small class over the shared
    `Database`, holding the queries of the rows it is named for."""

    def __init__(self, database: Database) -> None:
        self._db = database


async def _connect(path: Path | str, *, read_only: bool = False) -> aiosqlite.Connection:
    """An autocommit connection (transactions are explicit) with the pragmas the store needs;
    `read_only` refuses every write (the reader's)."""
    connection = await aiosqlite.connect(str(path), isolation_level=None)
    connection.row_factory = aiosqlite.Row
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only:
            await connection.execute("PRAGMA query_only = ON")
            return connection
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await connection.close()
        raise
    return connection


async def _in_thread(
    connection: aiosqlite.Connection, unit: Callable[[sqlite3.Connection], T]
) -> T:
    """Run `unit` with the sqlite3 connection in aiosqlite's thread for it: one hop.
    aiosqlite has no public call for this; `_execute` (queue a function for that thread)
    and `_conn` are how its own methods do it, in every version since our lower bound, and
    tests/bot/store/test_units.py fails if that changes."""
    raw = connection._conn
    return await connection._execute(unit, raw)


def _write_unit(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """In the database thread: `work` in one immediate transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the caller replaces the connection (Database._end_transaction)
        raise
    return result


def _read_unit(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """In the database thread: `work` in one read transaction, ended before returning so the
    next unit starts from the newest commit."""
    db.execute("BEGIN")
    try:
        return work(db)
    finally:
        if db.in_transaction:
            db.execute("COMMIT")  # a read transaction: commit only ends it


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
