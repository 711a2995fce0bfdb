"""Whole-database operations.

`ExportStore` (the store's `export` part) reads everything for an export. The module functions
work on a database *file* beside a running bot (WAL lets a second connection read while the bot
writes): an online backup, an inspection for `diary-bot check`, and the import of an export into
an empty database.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.models import Draft
from bot.store._codec import encode_time
from bot.store._database import BUSY_TIMEOUT_MS, Database, StorePart, _statements, migrations
from bot.store.drafts import _SELECT, _draft

EXPORT_FORMAT = "diary-bot-export"
EXPORT_FORMAT_VERSION = 1
# Small named values, not diary content: an import may go into a database that has them.
_VALUE_TABLES = ("state",)
# Never exported, not even encrypted: members' GitHub tokens (they connect again after an import).
PRIVATE_TABLES = ("member_connections",)


class ImportRefused(Exception):
    """The export cannot go into this database; the message says why and what to do."""


@dataclass(frozen=True)
class DatabaseInfo:
    """What `diary-bot check` needs to know about the database file."""

    path: Path
    exists: bool
    schema_version: int
    latest_version: int
    writable: bool
    error: str | None = None


class ExportStore(StorePart):
    async def list_all_drafts(self) -> list[Draft]:
        """Every draft of every member, published or not, oldest first."""
        rows = await self._db.run_read(lambda db: db.execute(f"{_SELECT} ORDER BY d.id").fetchall())
        return [_draft(row) for row in rows]

    async def export_snapshot(self, at: datetime) -> dict[str, Any]:
        """Every row of every table, read in one transaction (a consistent snapshot), as
        JSON-ready data."""
        tables: dict[str, list[dict[str, Any]]] = {}
        async with self._db.read() as db:
            await db.execute("BEGIN")
            try:
                cursor = await db.execute("PRAGMA user_version")
                version = (await cursor.fetchone())[0]
                for name in await _table_names(db):
                    if name in PRIVATE_TABLES:
                        continue
                    cursor = await db.execute(f'SELECT * FROM "{name}"')
                    columns = [column[0] for column in cursor.description]
                    tables[name] = [
                        {
                            column: _to_json(value)
                            for column, value in zip(columns, row, strict=True)
                        }
                        for row in await cursor.fetchall()
                    ]
            finally:
                await db.execute("COMMIT")
        return {
            "format": EXPORT_FORMAT,
            "format_version": EXPORT_FORMAT_VERSION,
            "schema_version": version,
            "exported_at": encode_time(at),
            "tables": tables,
        }


async def backup_database(source: Path, target: Path) -> int:
    """Copy the database at `source` to the single file `target` with SQLite's online backup
    API while the bot may keep writing; returns the copy's size in bytes.

    The copy is made in one step, inside one read transaction, so it is a consistent snapshot;
    in WAL mode the bot's writes go on meanwhile. It is written next to `target` and renamed
    into place only after `PRAGMA quick_check` passed, so a failed backup never leaves a
    half-written file under the target name.
    """
    source_uri, partial = await asyncio.to_thread(_prepare_backup, source, target)
    try:
        reader = await aiosqlite.connect(f"{source_uri}?mode=rw", uri=True)
        try:
            await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # The reader's worker thread drives the copy into the writer's connection.
            writer = await aiosqlite.connect(str(partial), check_same_thread=False)
            try:
                await reader.backup(writer, pages=0)
                await writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                cursor = await writer.execute("PRAGMA quick_check")
                verdict = (await cursor.fetchone())[0]
            finally:
                await writer.close()
        finally:
            await reader.close()
        if verdict != "ok":
            raise RuntimeError(f"the copy failed SQLite's quick_check: {verdict}")
        return await asyncio.to_thread(_move_into_place, partial, target)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)


async def inspect_database(path: Path) -> DatabaseInfo:
    """Schema version and writability of the database file, without creating or migrating it."""
    latest = len(migrations())
    exists, location = await asyncio.to_thread(_locate, path)
    if not exists:
        return DatabaseInfo(path, False, 0, latest, await asyncio.to_thread(_folder_writable, path))
    try:
        connection = await aiosqlite.connect(f"{location}?mode=rw", uri=True)
    except Exception as error:  # sqlite3 raises OperationalError/DatabaseError alike
        return DatabaseInfo(path, True, 0, latest, False, str(error))
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor = await connection.execute("PRAGMA user_version")
        version = int((await cursor.fetchone())[0])
        # Taking the write lock for a moment proves the file, its folder (WAL files) and the
        # lock all work; nothing is written.
        await connection.execute("BEGIN IMMEDIATE")
        await connection.execute("ROLLBACK")
    except Exception as error:
        return DatabaseInfo(path, True, 0, latest, False, str(error))
    finally:
        await connection.close()
    return DatabaseInfo(path, True, version, latest, True)


async def import_snapshot(path: Path, snapshot: Mapping[str, Any]) -> dict[str, int]:
    """Load an export (`ExportStore.export_snapshot`) into the database at `path`, which must
    not exist yet or hold no diary data; returns the rows loaded per table.

    The rows go into the schema version the export was made with, and the newer migrations
    run afterwards, so data migrations apply to imported rows as they would have in place.
    """
    version = _check_snapshot(snapshot)
    created = await asyncio.to_thread(_prepare_import, path)
    connection = await aiosqlite.connect(str(path), isolation_level=None)
    loaded: dict[str, int] = {}
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA foreign_keys = ON")
        await _refuse_unless_empty(connection)
        cursor = await connection.execute("PRAGMA user_version")
        current = int((await cursor.fetchone())[0])
        if current > version:
            raise ImportRefused(
                f"{path} is at schema version {current} but the export was made at version "
                f"{version}: import into a database file that does not exist yet."
            )
        await connection.execute("BEGIN IMMEDIATE")
        try:
            for number, sql in migrations():
                if current < number <= version:
                    for statement in _statements(sql):
                        await connection.execute(statement)
                    await connection.execute(f"PRAGMA user_version = {number}")
            # Rows may arrive in any table order; keys are checked once, at COMMIT.
            await connection.execute("PRAGMA defer_foreign_keys = ON")
            for table, rows in snapshot["tables"].items():
                loaded[table] = await _insert_rows(connection, table, rows)
            await connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            raise
    except BaseException as error:
        await connection.close()
        if created:  # leave no half-made database behind
            await asyncio.to_thread(path.unlink, missing_ok=True)
        if isinstance(error, aiosqlite.IntegrityError):
            raise ImportRefused(f"the export's rows are inconsistent: {error}") from None
        raise
    await connection.close()
    # The bot's own start-up path: WAL, then the migrations newer than the export.
    database = await Database.open(path)
    await database.close()
    return loaded


def _check_snapshot(snapshot: Mapping[str, Any]) -> int:
    if snapshot.get("format") != EXPORT_FORMAT or not isinstance(snapshot.get("tables"), dict):
        raise ImportRefused("this is not a diary-bot export (no 'format': 'diary-bot-export')")
    if snapshot.get("format_version") != EXPORT_FORMAT_VERSION:
        raise ImportRefused(
            f"export format version {snapshot.get('format_version')} is not supported; "
            f"this diary-bot reads version {EXPORT_FORMAT_VERSION}"
        )
    version = snapshot.get("schema_version")
    latest = len(migrations())
    if not isinstance(version, int) or not 0 <= version <= latest:
        raise ImportRefused(
            f"the export is at schema version {version}, this diary-bot knows 0 to {latest}: "
            "import it with the diary-bot version that made it, or a newer one"
        )
    return version


async def _refuse_unless_empty(connection: aiosqlite.Connection) -> None:
    filled = []
    for name in await _table_names(connection):
        if name in _VALUE_TABLES:
            continue
        cursor = await connection.execute(f'SELECT COUNT(*) FROM "{name}"')
        count = (await cursor.fetchone())[0]
        if count:
            filled.append(f"{count} row(s) in {name}")
    if filled:
        raise ImportRefused(
            "the database is not empty (" + ", ".join(filled) + "); import only goes into an "
            "empty database: point DATABASE_PATH at a new file"
        )


async def _insert_rows(
    connection: aiosqlite.Connection, table: str, rows: list[dict[str, Any]]
) -> int:
    """Insert `rows`; table and column names must exist in the schema (they are never taken
    from the file into SQL otherwise)."""
    known_tables = await _table_names(connection)
    if table not in known_tables:
        raise ImportRefused(f"the export has a table {table!r} that this schema does not have")
    cursor = await connection.execute(f'PRAGMA table_info("{table}")')
    known_columns = {row[1] for row in await cursor.fetchall()}
    for row in rows:
        unknown = set(row) - known_columns
        if unknown:
            raise ImportRefused(f"unknown column(s) {sorted(unknown)} in table {table}")
        columns = list(row)
        names = ", ".join(f'"{column}"' for column in columns)
        marks = ", ".join("?" for _ in columns)
        await connection.execute(
            f'INSERT OR REPLACE INTO "{table}" ({names}) VALUES ({marks})',
            [_from_json(row[column]) for column in columns],
        )
    return len(rows)


async def _table_names(connection: aiosqlite.Connection) -> list[str]:
    cursor = await connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [row[0] for row in await cursor.fetchall()]


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"base64"}:
        return base64.b64decode(value["base64"])
    return value


def _prepare_backup(source: Path, target: Path) -> tuple[str, Path]:
    """The source's URI and a fresh partial file name beside `target`."""
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    # Created empty and private before SQLite opens it: SQLite keeps an existing file's mode
    # (and gives its journal the same), so the copy is 0600 whatever the umask.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return source.resolve().as_uri(), partial


def _move_into_place(partial: Path, target: Path) -> int:
    os.replace(partial, target)
    return target.stat().st_size


def _locate(path: Path) -> tuple[bool, str]:
    """Whether the file exists, and its URI."""
    return path.exists(), path.resolve().as_uri()


def _prepare_import(path: Path) -> bool:
    """Create the folder; True if the database file is new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return not path.exists()


def _folder_writable(path: Path) -> bool:
    folder = path.resolve().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK)
