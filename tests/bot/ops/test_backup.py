"""Backups of the live database with SQLite's online backup API."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import stat
from datetime import UTC, datetime

from bot.models import Owner
from bot.ops.backup import run_backup
from bot.store.export import backup_database
from bot.token_cipher import TokenCipher, new_key

OWNER = Owner(guild_id=1, user_id=2)


def rows(path) -> tuple[str, list[int]]:
    connection = sqlite3.connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        ids = [row[0] for row in connection.execute("SELECT id FROM drafts ORDER BY id")]
    finally:
        connection.close()
    return verdict, ids


async def test_backup_while_drafts_are_written_is_consistent(store, tmp_path):
    """A backup taken while another task keeps adding drafts passes integrity_check and holds
    every draft written before it began, with no gaps (a consistent snapshot)."""
    for n in range(100):
        await store.drafts.add_draft(OWNER, f"before {n}", "本文" * 50, [], datetime.now(UTC))
    writing = asyncio.Event()
    stop = asyncio.Event()

    async def writer() -> int:
        count = 0
        while not stop.is_set():
            await store.drafts.add_draft(OWNER, f"during {count}", "x" * 500, [], datetime.now(UTC))
            count += 1
            writing.set()
            await asyncio.sleep(0)
        return count

    task = asyncio.create_task(writer())
    await writing.wait()
    target = tmp_path / "backups" / "copy.sqlite3"
    await backup_database(tmp_path / "diary.sqlite3", target)
    stop.set()
    written_during = await task

    verdict, ids = rows(target)
    assert verdict == "ok"
    assert len(ids) >= 100
    assert ids == list(range(1, len(ids) + 1))
    assert len(ids) <= 100 + written_during


async def test_the_backup_is_one_self_contained_file(store, tmp_path):
    """The copy is not in WAL mode, so the file alone is the whole backup."""
    await store.drafts.add_draft(OWNER, "t", "b", [], datetime.now(UTC))
    target = tmp_path / "copy.sqlite3"
    await backup_database(tmp_path / "diary.sqlite3", target)
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == [
        "copy.sqlite3"
    ]


async def test_a_folder_target_gets_a_dated_file(store, tmp_path):
    """`diary-bot backup FOLDER` writes a dated copy inside the folder."""
    folder = tmp_path / "backups"
    folder.mkdir()
    out = io.StringIO()
    assert await run_backup(tmp_path / "diary.sqlite3", folder, out) == 0
    (copy,) = folder.iterdir()
    assert copy.name.startswith("diary-") and copy.suffix == ".sqlite3"
    assert rows(copy)[0] == "ok"


async def test_a_missing_database_is_reported(tmp_path):
    """Without a database file the command says so and exits 1, creating nothing."""
    out = io.StringIO()
    assert await run_backup(tmp_path / "nope.sqlite3", tmp_path / "copy.sqlite3", out) == 1
    assert "DATABASE_PATH" in out.getvalue()
    assert list(tmp_path.iterdir()) == []


async def test_the_backup_is_private_whatever_the_umask(store, tmp_path):
    """Under umask 000 the backup file is still 0600 (it holds every draft)."""
    await store.drafts.add_draft(OWNER, "t", "private words", [], datetime.now(UTC))
    previous = os.umask(0o000)
    try:
        target = tmp_path / "open" / "copy.sqlite3"
        assert await run_backup(tmp_path / "diary.sqlite3", target, io.StringIO()) == 0
    finally:
        os.umask(previous)

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert rows(target)[0] == "ok"


async def test_a_backup_holds_members_tokens_only_encrypted(store, tmp_path):
    """A member's GitHub token is in the backup sealed (it opens with the key), never plain."""
    token = "ghu_plaintextTokenThatMustNotAppear0123"
    cipher = TokenCipher(new_key())
    now = datetime.now(UTC)
    await store.connections.put_connection_tokens(
        1, 2, "bob", cipher.encrypt(token), now, None, None, now
    )
    target = tmp_path / "copy.sqlite3"
    await backup_database(tmp_path / "diary.sqlite3", target)

    assert token.encode() not in target.read_bytes()
    connection = sqlite3.connect(target)
    try:
        (sealed,) = connection.execute("SELECT access_token FROM member_connections").fetchone()
    finally:
        connection.close()
    assert cipher.decrypt(sealed) == token
