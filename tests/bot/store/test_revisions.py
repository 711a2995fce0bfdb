"""Revision history in the store: bounded per draft, undo still steps back through it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.limits import REVISIONS_PER_DRAFT
from bot.store import Store
from bot.store._database import _statements, migrations
from tests.bot.builders import ALICE, T0


async def test_history_keeps_the_newest_revisions_per_draft(store):
    """After many more edits than the bound, a draft keeps exactly the newest
    REVISIONS_PER_DRAFT revisions, the newest being its current state."""
    draft = await store.drafts.add_draft(ALICE, "t", "v0", [], T0)
    edits = REVISIONS_PER_DRAFT + 30
    for n in range(1, edits + 1):
        await store.drafts.update_draft(ALICE, draft.id, T0 + timedelta(seconds=n), body=f"v{n}")
    revisions = await store.drafts.list_revisions(ALICE, draft.id, limit=1_000)
    assert [r.body for r in revisions] == [f"v{n}" for n in range(edits, edits - 50, -1)]
    assert len(revisions) == REVISIONS_PER_DRAFT == 50


async def test_the_bound_is_per_draft(store):
    """Trimming one draft's history leaves another draft's alone."""
    busy = await store.drafts.add_draft(ALICE, "busy", "0", [], T0)
    quiet = await store.drafts.add_draft(ALICE, "quiet", "q0", [], T0)
    await store.drafts.update_draft(ALICE, quiet.id, T0, body="q1")
    for n in range(REVISIONS_PER_DRAFT + 5):
        await store.drafts.append_to_draft(ALICE, busy.id, str(n), T0)
    assert (
        len(await store.drafts.list_revisions(ALICE, busy.id, limit=1_000)) == REVISIONS_PER_DRAFT
    )
    assert [r.body for r in await store.drafts.list_revisions(ALICE, quiet.id)] == ["q1", "q0"]


async def test_undo_steps_back_through_the_kept_history(store):
    """Undo goes back one kept revision at a time and stops at the oldest kept one."""
    draft = await store.drafts.add_draft(ALICE, "t", "v0", [], T0)
    edits = REVISIONS_PER_DRAFT + 10
    for n in range(1, edits + 1):
        await store.drafts.update_draft(ALICE, draft.id, T0, body=f"v{n}")
    undone = 0
    while (back := await store.drafts.undo_draft(ALICE, draft.id, T0)) is not None:
        undone += 1
        assert back.body == f"v{edits - undone}"
    assert undone == REVISIONS_PER_DRAFT - 1
    assert (
        await store.drafts.get_draft(ALICE, draft.id)
    ).body == f"v{edits - REVISIONS_PER_DRAFT + 1}"


async def test_upgrading_trims_history_written_before_the_bound(tmp_path):
    """A database from before the bound, with 70 revisions of a draft, keeps its newest 50
    once migrated; another draft's short history stays whole."""
    path = tmp_path / "old.sqlite3"
    bounded = next(n for n, sql in migrations() if "bounded" in sql or "newest 50" in sql)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for number, sql in migrations():
            if number >= bounded:
                break
            for statement in _statements(sql):
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {bounded - 1}")
        for draft_id, count in ((1, 70), (2, 3)):
            connection.execute(
                "INSERT INTO drafts (id, guild_id, author_id, title, body, created_at,"
                " updated_at) VALUES (?, ?, ?, 't', 'b', '2026-01-01T00:00:00.000000Z',"
                " '2026-01-01T00:00:00.000000Z')",
                (draft_id, ALICE.guild_id, ALICE.user_id),
            )
            connection.executemany(
                "INSERT INTO draft_revisions (draft_id, title, body, reason, created_at)"
                " VALUES (?, 't', ?, 'edit', '2026-01-01T00:00:00.000000Z')",
                [(draft_id, f"r{n}") for n in range(count)],
            )
    finally:
        connection.close()
    store = await Store.open(path)
    try:
        kept = await store.drafts.list_revisions(ALICE, 1, limit=1_000)
        assert [r.body for r in kept] == [f"r{n}" for n in range(69, 19, -1)]
        assert len(await store.drafts.list_revisions(ALICE, 2)) == 3
    finally:
        await store.close()
