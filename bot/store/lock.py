"""The lock that says a process owns the database file: the running bot holds it for its whole
life and `diary-bot restore` takes it, so neither runs while the other has the file open.

An advisory `flock` on `DATABASE_PATH.lock`, beside the database: the kernel lets it go when
the holder exits in any way (SIGKILL and power loss included), so a crash never leaves a lock
behind, and it is seen across containers that share the volume.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DatabaseInUse(Exception):
    """Another process (a running bot, or a restore) holds the database's lock."""


def lock_path(database: Path) -> Path:
    """The lock file that goes with a database file."""
    return database.with_name(database.name + ".lock")


@contextmanager
def hold_database(database: Path) -> Iterator[None]:
    """Hold the database's lock for the block; DatabaseInUse at once if someone else has it."""
    if str(database) == ":memory:":
        yield
        return
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(str(database)) from None
        yield
    finally:
        os.close(descriptor)  # closing lets the lock go
