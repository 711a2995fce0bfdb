"""Putting a backup in place of the database file without ever replaying a stale WAL onto it.

After an unclean stop the database's `-wal` (and `-shm`) files still hold the old database's
last transactions. Copying a backup over the main file and opening it would replay that WAL
onto pages it does not belong to ("database disk image is malformed"). So a restore checks a
copy of the backup first, keeps the replaced database aside (main file and WAL together), removes
the stale `-wal`/`-shm`/`-journal`, and only then renames the checked copy into place.
Run only while holding the database's lock (`bot.store.lock`), so no bot has the file open.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.store._database import migrations

# SQLite's companions of a database file: its write-ahead log, the log's index, and the
# rollback journal.
COMPANIONS = ("-wal", "-shm", "-journal")


class RestoreRefused(Exception):
    """The backup cannot be restored; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup's schema version and where the replaced database went."""

    schema_version: int
    drafts: int
    kept_aside: Path | None
    removed: tuple[str, ...]


def restore_database(backup: Path, database: Path, at: datetime | None = None) -> Restored:
    """Check `backup` and put it in place of `database` atomically (see the module docstring).
    Raises RestoreRefused, changing nothing, if the backup is missing, damaged or not ours."""
    if not backup.is_file():
        raise RestoreRefused(f"There is no backup file at {backup}.")
    if database.exists() and backup.resolve() == database.resolve():
        raise RestoreRefused("The backup is the database itself: give the backup file.")
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(f".{database.name}.restore-{os.getpid()}")
    try:
        _clear(partial)
        shutil.copyfile(backup, partial)
        version, drafts = _check(partial)
        _fsync(partial)
        stamp = (at or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        kept = _keep_aside(database, database.with_name(f"{database.name}.replaced-{stamp}"))
        removed = tuple(suffix for suffix in COMPANIONS if _unlink(Path(str(database) + suffix)))
        os.replace(partial, database)
        _fsync_folder(database.parent)
    finally:
        _clear(partial)
    return Restored(version, drafts, kept, removed)


def _check(path: Path) -> tuple[int, int]:
    """The copy's schema version and number of drafts, after `PRAGMA quick_check` passed."""
    latest = len(migrations())
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise RestoreRefused(f"The backup failed SQLite's quick_check: {verdict}")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if version < 1 or "drafts" not in tables:
                raise RestoreRefused("The backup is not a diary-bot database.")
            if version > latest:
                raise RestoreRefused(
                    f"The backup was made by a newer diary-bot (schema {version}, this one "
                    f"knows up to {latest}): upgrade diary-bot first."
                )
            drafts = connection.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
            # A backup written by `diary-bot backup` is one file; leave it so (the bot turns
            # WAL on when it opens it).
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                connection.execute("PRAGMA journal_mode = DELETE")
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise RestoreRefused(f"The backup is not a readable SQLite database: {error}") from None
    return int(version), int(drafts)


def _keep_aside(database: Path, aside: Path) -> Path | None:
    """A copy of the current database as it would open (main file plus its WAL), or None
    when there is no database yet."""
    if not database.exists():
        return None
    for suffix in ("", "-wal"):
        source = Path(str(database) + suffix)
        if source.exists():
            shutil.copy2(source, Path(str(aside) + suffix))
    return aside


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _clear(partial: Path) -> None:
    for suffix in ("", *COMPANIONS):
        _unlink(Path(str(partial) + suffix))


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
