"""Units of work in the database thread (one hop per store call) and the read-only second
connection: reads see every committed write at once, never wait behind a writer, and a
failing unit leaves nothing behind."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import timedelta

import pytest

from tests.bot.builders import ALICE, T0

T1 = T0 + timedelta(minutes=1)


async def test_units_run_in_the_connections_threads_not_the_event_loop(store):
    """run_write runs in the writing connection's thread, run_read in the reader's (where
    aiosqlite runs each connection's own statements): the aiosqlite internals the one-hop
    units rely on still behave so."""
    loop_thread = threading.get_ident()

    def ident(db: sqlite3.Connection) -> int:
        db.execute("SELECT 1").fetchone()
        return threading.get_ident()

    async def statements_thread(connection) -> int:
        await connection.create_function("thread_ident", 0, threading.get_ident)
        cursor = await connection.execute("SELECT thread_ident()")
        return (await cursor.fetchone())[0]

    writer_thread = await store._db.run_write(ident)
    reader_thread = await store._db.run_read(ident)

    assert len({loop_thread, writer_thread, reader_thread}) == 3
    assert writer_thread == await statements_thread(store._db._connection)
    assert reader_thread == await statements_thread(store._db._reader)


async def test_a_read_right_after_a_save_shows_it(store):
    """Read-your-writes across the two connections: each save is seen by the very next read,
    on the reader, with nothing in between."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    assert await store.drafts.get_draft(ALICE, draft.id) == draft

    for number in range(20):
        _, saved = await store.drafts.append_to_draft(ALICE, draft.id, f"line {number}", T1)
        assert saved is not None
        shown = await store.drafts.get_latest_draft(ALICE)
        assert shown == saved
        assert shown.body.endswith(f"line {number}")
    assert (await store.drafts.list_drafts(ALICE))[0].body == saved.body


async def test_reads_do_not_wait_for_a_write_in_progress(store):
    """While a transaction is open on the writing connection (its lock held), a read is
    answered from the reader at once, with the last committed state; after the COMMIT the
    next read shows the change."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow_write() -> None:
        async with store._db.write() as db:
            await db.execute("UPDATE drafts SET title = 'Changed' WHERE id = ?", (draft.id,))
            inside.set()
            await release.wait()

    writer = asyncio.create_task(slow_write())
    await inside.wait()
    during = await asyncio.wait_for(store.drafts.get_draft(ALICE, draft.id), timeout=5)
    release.set()
    await writer
    after = await store.drafts.get_draft(ALICE, draft.id)

    assert during is not None and during.title == "Day 1"
    assert after is not None and after.title == "Changed"


async def test_a_failing_unit_commits_nothing_and_the_next_one_works(store):
    """An error inside run_write rolls the whole unit back; the connection stays usable."""

    def half_done(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO drafts (guild_id, author_id, title, body, labels, created_at,"
            " updated_at) VALUES (1, 2, 't', 'b', '[]', '2026-01-01', '2026-01-01')"
        )
        raise RuntimeError("something failed after the first statement")

    with pytest.raises(RuntimeError):
        await store._db.run_write(half_done)

    assert not store._db._connection.in_transaction
    assert await store.drafts.count_drafts(ALICE, published=True) == 0
    count = await store._db.run_read(
        lambda db: db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    )
    assert count == 0
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    assert await store.drafts.get_draft(ALICE, draft.id) == draft


async def test_the_reader_refuses_writes(store):
    """The second connection only reads: a write sent to it fails, and nothing changes."""

    def write(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM drafts")

    await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
        await store._db.run_read(write)
    assert await store.drafts.count_drafts(ALICE) == 1


async def test_an_append_found_checked_and_saved_in_one_unit_is_read_at_once(store):
    """append_to_draft finds the latest draft, asks `accept` (in the database thread)
    and appends: the very next read, on the reader, shows it. Refused by `accept`, nothing
    changes and the draft as found comes back."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    asked: list[int] = []

    def accept(found) -> bool:
        asked.append(threading.get_ident())
        return found.id == draft.id

    found, saved = await store.drafts.append_to_draft(ALICE, None, "More.", T1, accept)

    assert found == draft and saved is not None
    assert saved.body == "Dear diary\n\nMore."
    assert await store.drafts.get_latest_draft(ALICE) == saved
    assert asked and asked[0] != threading.get_ident()

    found, refused = await store.drafts.append_to_draft(ALICE, draft.id, "No.", T1, lambda d: False)
    assert found == saved and refused is None
    assert await store.drafts.get_draft(ALICE, draft.id) == saved
