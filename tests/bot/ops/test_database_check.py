"""What `diary-bot check` finds out about the database file, without changing it."""

from __future__ import annotations

import sqlite3

import pytest

from bot.ops.check import _database
from bot.ops.report import Mark
from bot.store._database import migrations
from bot.store.export import inspect_database


async def test_a_current_database_is_writable_and_migrated(store, tmp_path):
    """The store's own database: writable, at the newest schema version: ✓."""
    info = await inspect_database(tmp_path / "diary.sqlite3")
    assert (info.exists, info.writable) == (True, True)
    assert info.schema_version == info.latest_version == len(migrations())
    assert _database(info).mark is Mark.PASS


async def test_a_missing_database_is_not_created(tmp_path):
    """A database that does not exist yet passes if its folder is writable, and stays absent."""
    path = tmp_path / "data" / "diary.sqlite3"
    info = await inspect_database(path)
    assert (info.exists, info.writable) == (False, True)
    assert _database(info).mark is Mark.PASS
    assert not (tmp_path / "data").exists()


async def test_a_database_from_a_newer_version_fails(tmp_path):
    """A schema newer than this diary-bot knows is a ✗ that says what to do."""
    path = tmp_path / "diary.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    connection.close()
    outcome = _database(await inspect_database(path))
    assert outcome.mark is Mark.FAIL
    assert "newer" in outcome.detail and outcome.fix


async def test_a_read_only_database_fails(tmp_path):
    """A file the bot's user cannot write is a ✗ naming the ownership fix."""
    path = tmp_path / "diary.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o444)
    try:
        info = await inspect_database(path)
    finally:
        path.chmod(0o644)
    if info.writable:
        pytest.skip("file permissions do not bind this user (root)")
    outcome = _database(info)
    assert outcome.mark is Mark.FAIL
    assert "write access" in outcome.fix
