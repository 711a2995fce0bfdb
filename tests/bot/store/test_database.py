"""The SQLite file: migrations, journal mode and foreign keys."""

from __future__ import annotations

import sqlite3
import threading

import aiosqlite
import pytest

from bot.store import Store
from bot.store._database import _statements, migrations
from tests.bot.builders import ALICE, T0, job_for


async def schema_of(path) -> list[tuple[str, str]]:
    async with aiosqlite.connect(path) as db:
        cursor = await db.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        )
        return [tuple(row) for row in await cursor.fetchall()]


async def test_new_database_is_at_the_latest_migration(store):
    """A freshly opened store records the number of the last migration as its schema version."""
    assert await store.schema_version() == migrations()[-1][0]


async def test_reopening_keeps_schema_version_and_data(tmp_path):
    """Opening an already migrated file again leaves the version and existing rows alone."""
    path = tmp_path / "diary.sqlite3"
    first = await Store.open(path)
    draft = await first.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    version = await first.schema_version()
    await first.close()

    reopened = await Store.open(path)
    try:
        assert await reopened.schema_version() == version
        assert await reopened.drafts.get_draft(ALICE, draft.id) == draft
    finally:
        await reopened.close()


async def test_migrating_twice_changes_no_schema(store, tmp_path):
    """Running the migrations on a migrated file creates, alters and drops nothing."""
    path = tmp_path / "diary.sqlite3"
    before = await schema_of(path)

    await store._db.migrate()

    assert await schema_of(path) == before


async def test_database_uses_write_ahead_logging(store, tmp_path):
    """The file is in WAL mode, so readers never block the single writer."""
    async with aiosqlite.connect(tmp_path / "diary.sqlite3") as db:
        cursor = await db.execute("PRAGMA journal_mode")
        (mode,) = await cursor.fetchone()
    assert mode == "wal"


async def test_foreign_keys_are_enforced(store):
    """Deleting a draft nulls its publish jobs' draft_id (ON DELETE SET NULL needs foreign_keys)."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    await store.jobs.end_publish_job(job.id, T0, "publish.cancelled", "")  # no longer pending

    await store.images.delete_draft_with_images(ALICE, draft.id)

    kept = await store.jobs.get_publish_job(job.id)
    assert kept is not None and kept.draft_id is None


# A migration a `;`-splitter would cut apart: a trigger body, a `;` inside a string literal and
# inside comments.
TRICKY_MIGRATION = """\
-- notes; with a semicolon in a comment
CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE note_log (note_id INTEGER, what TEXT);
CREATE TRIGGER note_logged AFTER INSERT ON note
BEGIN
    INSERT INTO note_log (note_id, what) VALUES (new.id, 'added; logged');
    UPDATE note SET body = body || ';' WHERE id = new.id;
END;
INSERT INTO note (body) VALUES ('a; b');  -- trailing comment; too
"""


async def test_migration_statements_follow_sqlite_not_semicolons(tmp_path):
    """A trigger and `;` inside literals and comments split as SQLite parses them."""
    statements = _statements(TRICKY_MIGRATION)

    assert len(statements) == 4
    async with aiosqlite.connect(tmp_path / "tricky.sqlite3") as db:
        for statement in statements:
            await db.execute(statement)
        rows = await (await db.execute("SELECT body FROM note")).fetchall()
        log = await (await db.execute("SELECT note_id, what FROM note_log")).fetchall()
    assert [tuple(row) for row in rows] == [("a; b;",)]
    assert [tuple(row) for row in log] == [(1, "added; logged")]


def test_a_migration_cut_off_inside_a_statement_is_refused():
    """An unfinished last statement is an error, not silently dropped."""
    with pytest.raises(ValueError, match="inside a statement"):
        _statements("CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER)\n")


def test_shipped_migrations_split_into_complete_statements():
    """Every shipped migration splits into statements SQLite sees as complete."""
    for _, sql in migrations():
        statements = _statements(sql)
        assert statements
        assert all(sqlite3.complete_statement(statement) for statement in statements)


async def test_a_failed_commit_leaves_the_connection_usable(store):
    """A COMMIT that fails (a deferred foreign key violation) is rolled back, and the next
    draft is saved on the same connection."""
    connection = store._db._connection
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with store._db.write() as db:
            # Deferred checks run at COMMIT, so the block itself succeeds and COMMIT fails.
            await db.execute("PRAGMA defer_foreign_keys = ON")
            await db.execute(
                "INSERT INTO draft_revisions (draft_id, title, body, reason, created_at)"
                " VALUES (999999, 't', 'b', 'create', '2026-01-01T00:00:00+00:00')"
            )

    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)

    assert store._db._connection is connection
    assert not connection.in_transaction
    assert await store.drafts.get_draft(ALICE, draft.id) == draft
    rows = await (
        await connection.execute("SELECT COUNT(*) FROM draft_revisions WHERE draft_id = 999999")
    ).fetchone()
    assert rows[0] == 0


async def test_a_failed_migration_closes_its_connection(tmp_path):
    """Opening a file whose migration fails raises, and leaves no connection thread behind
    (one would keep the process from exiting)."""
    path = tmp_path / "diary.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE drafts (id INTEGER)")  # migration 1 creates it again
    before = set(threading.enumerate())

    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        await Store.open(path)

    started = [t for t in threading.enumerate() if t not in before]
    for thread in started:
        thread.join(timeout=2)  # a closed connection's thread ends right after closing
    assert [t for t in started if t.is_alive()] == []
