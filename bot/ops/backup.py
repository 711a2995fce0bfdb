"""`diary-bot backup PATH`: a consistent copy of the live database, safe while the bot runs."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.store.export import backup_database

EXIT_OK = 0
EXIT_FAILED = 1


async def run_backup(database_path: Path, target: Path, out: TextIO = sys.stdout) -> int:
    """Copy the database to `target` (a file, or a folder to put a dated file in)."""
    target = await asyncio.to_thread(_target_file, database_path, target)
    if target is None:
        print("The backup must go to another file than the database itself.", file=out)
        return EXIT_FAILED
    try:
        size = await backup_database(database_path, target)
    except FileNotFoundError:
        print(f"There is no database at {database_path}: check DATABASE_PATH.", file=out)
        return EXIT_FAILED
    except Exception as error:  # sqlite3 and OS errors alike: say what happened, exit 1
        print(f"The backup failed: {error}", file=out)
        return EXIT_FAILED
    print(f"Backed up {database_path} to {target} ({size:,} bytes; integrity checked).", file=out)
    return EXIT_OK


def _target_file(database_path: Path, target: Path) -> Path | None:
    """The file to write; None if it is the database itself."""
    if target.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = target / f"{database_path.stem}-{stamp}{database_path.suffix or '.sqlite3'}"
    return None if target.resolve() == database_path.resolve() else target
