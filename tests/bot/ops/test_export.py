"""`diary-bot export` / `import`: everything out as JSON and Markdown, and back into an empty
database."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Announcement, JobState, Owner
from bot.ops.export import EXPORT_FILE, run_export, run_import
from bot.store import Store
from tests.peek import Peek

ALICE = Owner(guild_id=111, user_id=222)
BOB = Owner(guild_id=111, user_id=333)
T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
JAPANESE = "朝、川沿いを歩いた。\n\n夜はお茶を飲んだ。🍵 「かぎかっこ」と\\バックスラッシュ"


async def fill(store: Store) -> None:
    """Two members' drafts, one of them published with an announcement."""
    await store.drafts.add_draft(ALICE, "川沿いの散歩", JAPANESE, ["diary", "日記"], T0)
    second = await store.drafts.add_draft(ALICE, "Second", "plain *markdown*", [], T0)
    await store.drafts.add_draft(BOB, "Bob's", "", [], T0 + timedelta(hours=1))
    await store.settings.update_guild_settings(111, T0, announce_channel_id=444, author_role_id=555)
    await store.settings.set_value("watcher.example", "kept")
    announcement = Announcement(
        channel_id=444,
        repository="alice/diary",
        issue_number=7,
        title="Second",
        url="https://github.com/alice/diary/issues/7",
        excerpt="plain",
        labels=(),
        author_name="Alice",
        author_avatar_url=None,
        entry_created_at=T0,
        state=JobState.PENDING,
        attempts=0,
        next_attempt_at=T0,
    )
    await store.announcements.add_announcements([announcement])
    async with store._db.write() as db:  # published the way complete_publish_job leaves it
        await db.execute(
            "UPDATE drafts SET issue_number = 7, issue_url = ?, published_at = ? WHERE id = ?",
            ("https://github.com/alice/diary/issues/7", "2024-05-01T10:00:00.000000Z", second.id),
        )


async def test_round_trip_keeps_every_draft_exactly(store, tmp_path, peek):
    """Export then import into a new database gives the same drafts, bodies identical
    (Japanese text included), and the same settings, values and announcements."""
    await fill(store)
    folder = tmp_path / "export"
    assert await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO()) == 0
    target = tmp_path / "restored" / "diary.sqlite3"
    out = io.StringIO()

    assert await run_import(target, folder, out) == 0, out.getvalue()

    restored = await Store.open(target)
    try:
        assert await restored.export.list_all_drafts() == await store.export.list_all_drafts()
        assert (
            await restored.settings.list_guild_settings()
            == await store.settings.list_guild_settings()
        )
        assert await restored.settings.get_value("watcher.example") == "kept"
        assert Peek(target).announcements(7) == peek.announcements(7) != []
        assert await restored.schema_version() == await store.schema_version()
        draft = (await restored.export.list_all_drafts())[0]
        assert draft.body == JAPANESE
    finally:
        await restored.close()


async def test_each_draft_becomes_markdown_with_front_matter(store, tmp_path):
    """Unpublished drafts go to drafts/, published ones to published/ by issue number, each
    with title, dates, labels, issue number, author and server in the front matter."""
    await fill(store)
    folder = tmp_path / "export"
    await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO())

    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
    assert names == [
        "drafts/0001-川沿いの散歩.md",
        "drafts/0003-bob-s.md",
        "published/0007-second.md",
    ]
    text = (folder / "drafts/0001-川沿いの散歩.md").read_text("utf-8")
    head, body = text.split("\n---\n\n", 1)
    assert head.splitlines() == [
        "---",
        'title: "川沿いの散歩"',
        "draft: 1",
        'status: "draft"',
        'created_at: "2024-05-01T09:30:00Z"',
        'updated_at: "2024-05-01T09:30:00Z"',
        'labels: ["diary", "日記"]',
        "author_id: 222",
        "guild_id: 111",
    ]
    assert body == JAPANESE + "\n"
    published = (folder / "published/0007-second.md").read_text("utf-8")
    assert "issue_number: 7\n" in published
    assert 'issue_url: "https://github.com/alice/diary/issues/7"' in published


async def test_the_json_file_holds_every_table(store, tmp_path):
    """The one JSON file carries every table's rows and the schema version."""
    await fill(store)
    folder = tmp_path / "export"
    await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO())

    data = json.loads((folder / EXPORT_FILE).read_text("utf-8"))
    assert data["format"] == "diary-bot-export"
    assert data["schema_version"] == await store.schema_version()
    assert len(data["tables"]["drafts"]) == 3
    assert data["tables"]["guild_settings"][0]["announce_channel_id"] == 444
    assert data["tables"]["drafts"][0]["body"] == JAPANESE


async def test_import_refuses_a_database_with_drafts(store, tmp_path):
    """Importing into a database that already has drafts changes nothing and says why."""
    await fill(store)
    folder = tmp_path / "export"
    await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO())
    out = io.StringIO()

    assert await run_import(tmp_path / "diary.sqlite3", folder, out) == 1

    assert "not empty" in out.getvalue()
    assert len(await store.export.list_all_drafts()) == 3


async def test_import_refuses_a_folder_without_an_export(tmp_path):
    """A folder without the export file is refused, and no database is created."""
    out = io.StringIO()
    assert await run_import(tmp_path / "new.sqlite3", tmp_path, out) == 1
    assert EXPORT_FILE in out.getvalue()
    assert not (tmp_path / "new.sqlite3").exists()


async def test_export_refuses_a_folder_with_files(store, tmp_path):
    """Exporting into a folder that has files would mix two exports: it is refused."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "old.md").write_text("old")
    out = io.StringIO()
    assert await run_export(tmp_path / "diary.sqlite3", folder, out) == 1
    assert "not empty" in out.getvalue()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that lets everyone read what is created (restored afterwards)."""
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


async def test_exported_files_are_private_whatever_the_umask(store, tmp_path, permissive_umask):
    """Under umask 000 the export's files are still 0600 and its folders 0700: drafts are
    not for other users of the machine."""
    await fill(store)
    folder = tmp_path / "export"
    assert await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO()) == 0

    files = [path for path in folder.rglob("*") if path.is_file()]
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    assert len(files) == 4 and len(folders) == 3
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert {stat.S_IMODE(path.stat().st_mode) for path in folders} == {0o700}


async def test_members_tokens_are_never_exported(store, tmp_path):
    """member_connections (sealed GitHub tokens) stays out of the export, even encrypted."""
    await fill(store)
    await store.connections.put_connection_tokens(
        111, 222, "alice", b"sealed-a", T0, b"sealed-r", T0, T0
    )
    folder = tmp_path / "export"
    await run_export(tmp_path / "diary.sqlite3", folder, io.StringIO())

    data = json.loads((folder / EXPORT_FILE).read_text("utf-8"))
    assert "member_connections" not in data["tables"] and "drafts" in data["tables"]
    assert "sealed-a" not in (folder / EXPORT_FILE).read_text("utf-8")
