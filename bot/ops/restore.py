"""`diary-bot restore BACKUP`: put a backup in place of the database, safely."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.store.lock import DatabaseInUse, hold_database
from bot.store.restore import RestoreRefused, restore_database

EXIT_OK = 0
EXIT_FAILED = 1


async def run_restore(database: Path, backup: Path, out: TextIO = sys.stdout) -> int:
    """Restore `backup` into `database` unless a bot holds it; one line says what happened."""
    return await asyncio.to_thread(_restore, database, backup, out)


def _restore(database: Path, backup: Path, out: TextIO) -> int:
    try:
        with hold_database(database):
            restored = restore_database(backup, database)
    except DatabaseInUse:
        print(
            f"The bot is running with {database} (or another restore is): stop it first, "
            "then restore.",
            file=out,
        )
        return EXIT_FAILED
    except RestoreRefused as error:
        print(f"{error} Nothing was changed.", file=out)
        return EXIT_FAILED
    except OSError as error:
        print(f"The restore failed: {error}", file=out)
        return EXIT_FAILED
    print(
        f"Restored {backup} to {database} ({restored.drafts:,} drafts, schema "
        f"{restored.schema_version}; quick_check passed).",
        file=out,
    )
    if restored.removed:
        print(f"Removed the stale {', '.join(restored.removed)} of the old database.", file=out)
    if restored.kept_aside is not None:
        print(f"The replaced database is kept as {restored.kept_aside}.", file=out)
    return EXIT_OK
