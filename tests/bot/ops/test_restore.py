"""`diary-bot restore`: a backup put in place of a database whose writer was killed."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.models import Owner
from bot.ops.backup import run_backup
from bot.ops.restore import run_restore
from bot.store import Store

OWNER = Owner(guild_id=1, user_id=2)

# A writer like the bot: WAL, no automatic checkpoint, transactions that stay in the -wal;
# it says "ready" once its writes are committed and then waits to be killed.
WRITER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA journal_mode = WAL")
connection.execute("PRAGMA wal_autocheckpoint = 0")
for n in range(300):
    connection.execute("BEGIN IMMEDIATE")
    connection.execute(
        "INSERT INTO drafts (guild_id, author_id, title, body, created_at, updated_at)"
        " VALUES (1, 2, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        (f"late {n}", "w" * 3000),
    )
    connection.execute("COMMIT")
print("ready", flush=True)
time.sleep(600)
"""

HOLDER = """
import sys, time
from pathlib import Path
from bot.store.lock import hold_database
with hold_database(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(600)
"""


def child(script: str, *args: str) -> subprocess.Popen[str]:
    """A real process running `script`, once it has printed its first line."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() in ("ready", "holding")
    return process


def sigkill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def companions(database: Path) -> dict[str, int]:
    """The sizes of the database's -wal and -shm files that exist."""
    found = {}
    for suffix in ("-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            found[suffix] = path.stat().st_size
    return found


def contents(database: Path) -> tuple[bytes, bytes]:
    """The bytes of the database file and of its -wal."""
    return database.read_bytes(), Path(f"{database}-wal").read_bytes()


def check(path: Path) -> tuple[str, list[str]]:
    """quick_check's verdict and the draft titles, as a fresh connection sees the file."""
    connection = sqlite3.connect(path)
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        titles = [row[0] for row in connection.execute("SELECT title FROM drafts ORDER BY id")]
    finally:
        connection.close()
    return verdict, titles


async def killed_writer_with_backup(tmp_path: Path) -> tuple[Path, Path]:
    """A database whose writer was SIGKILLed (its -wal left behind), and an older backup."""
    database, backup = tmp_path / "diary.sqlite3", tmp_path / "backup.sqlite3"
    store = await Store.open(database)
    for n in range(20):
        await store.drafts.add_draft(OWNER, f"kept {n}", "本文" * 100, [], datetime.now(UTC))
    await store.close()
    assert await run_backup(database, backup, io.StringIO()) == 0
    store = await Store.open(database)  # the database moves on after the backup
    for n in range(200):
        await store.drafts.add_draft(OWNER, f"after {n}", "x" * 2000, [], datetime.now(UTC))
    await store.close()
    sigkill(child(WRITER, str(database)))
    assert companions(database)["-wal"] > 0
    return database, backup


async def test_restore_after_a_killed_writer_opens_and_passes_quick_check(tmp_path):
    """A restore over a database whose writer was SIGKILLed: the stale -wal is not replayed,
    the database opens, passes quick_check and holds exactly the backup's drafts."""
    database, backup = await killed_writer_with_backup(tmp_path)
    out = io.StringIO()
    assert await run_restore(database, backup, out) == 0, out.getvalue()
    assert companions(database) == {}
    assert check(database) == ("ok", [f"kept {n}" for n in range(20)])
    store = await Store.open(database)
    try:
        assert len(await store.export.list_all_drafts()) == 20
        await store.drafts.add_draft(OWNER, "new", "b", [], datetime.now(UTC))
    finally:
        await store.close()
    assert "quick_check passed" in out.getvalue()


async def test_copying_the_backup_over_instead_replays_the_stale_wal(tmp_path):
    """Control: the old procedure (copy the backup onto the database) with the killed writer's
    -wal left does not give the backup back, which is what the restore command prevents."""
    database, backup = await killed_writer_with_backup(tmp_path)
    shutil.copyfile(backup, database)
    try:
        verdict, titles = check(database)
    except sqlite3.DatabaseError:
        return  # "database disk image is malformed"
    assert (verdict, titles) != ("ok", [f"kept {n}" for n in range(20)])


async def test_the_replaced_database_is_kept_aside_whole(tmp_path):
    """The database that was replaced is kept beside it with its WAL, so it opens with every
    committed write, the killed writer's too."""
    database, backup = await killed_writer_with_backup(tmp_path)
    out = io.StringIO()
    assert await run_restore(database, backup, out) == 0
    (aside,) = [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith("diary.sqlite3.replaced-") and not p.name.endswith("-wal")
    ]
    assert str(aside) in out.getvalue()
    verdict, titles = check(aside)
    assert verdict == "ok" and len(titles) == 20 + 200 + 300


async def test_restore_refuses_while_the_database_is_held(tmp_path):
    """While another process holds the database (as the running bot does), restore refuses
    and changes nothing."""
    database, backup = await killed_writer_with_backup(tmp_path)
    before = contents(database)
    holder = child(HOLDER, str(database))
    try:
        out = io.StringIO()
        assert await run_restore(database, backup, out) == 1
    finally:
        sigkill(holder)
    assert "stop it first" in out.getvalue()
    assert contents(database) == before
    # The kernel let the killed holder's lock go: now it works.
    assert await run_restore(database, backup, io.StringIO()) == 0


async def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path):
    """A backup that fails quick_check (or is not SQLite) is refused; the database stays."""
    database, backup = await killed_writer_with_backup(tmp_path)
    data = bytearray(backup.read_bytes())
    data[4096 * 2 : 4096 * 2 + 512] = b"\xff" * 512  # overwrite part of a table page
    backup.write_bytes(bytes(data))
    before = contents(database)
    out = io.StringIO()
    assert await run_restore(database, backup, out) == 1
    assert "Nothing was changed" in out.getvalue()
    assert contents(database) == before
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    assert await run_restore(database, text, io.StringIO()) == 1
    assert [p.name for p in tmp_path.iterdir() if "restore-" in p.name] == []


async def test_a_missing_backup_is_reported(tmp_path):
    """Restoring a file that does not exist says so and creates nothing."""
    out = io.StringIO()
    assert await run_restore(tmp_path / "diary.sqlite3", tmp_path / "nope", out) == 1
    assert "no backup file" in out.getvalue()
    assert not (tmp_path / "diary.sqlite3").exists()
