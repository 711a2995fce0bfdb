"""Announcements keyed by (channel, repository, issue number), and migration 0022 that brought
the repository in: rows of a database at 0021 survive with their state."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from bot.models import EntryState, JobState, WatchedRepository
from bot.store import Store
from bot.store._database import _statements, migrations
from tests.bot.builders import ALICE, REPOSITORY, T0, announcement, job_for

MEMBER_REPOSITORY = "bob/notes"
STAMP = "2026-11-26T15:30:00.000000Z"


def database_at(path: Path, version: int) -> sqlite3.Connection:
    """A database file migrated up to `version` only, as an older diary-bot left it."""
    db = sqlite3.connect(path, isolation_level=None)
    for number, sql in migrations():
        if number > version:
            break
        for statement in _statements(sql):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    return db


def old_announcement(db: sqlite3.Connection, channel: int, number: int, **fields: object) -> None:
    row: dict[str, object] = {
        "channel_id": channel,
        "issue_number": number,
        "title": f"Day {number}",
        "url": f"https://blog.example/{number}",
        "excerpt": "Dear diary",
        "labels": '["diary"]',
        "author_name": "Alice",
        "entry_created_at": STAMP,
        "next_attempt_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT INTO announcements ({names}) VALUES ({marks})", tuple(row.values()))


async def test_rows_at_0021_survive_migration_with_their_state(tmp_path):
    """A posted announcement (message, nonce, revisions, edit due, image, entry state) and a
    pending one keep every field; the issue page missing on a row comes from its publish
    job; they name the server diary once the bot claims them at start."""
    path = tmp_path / "diary.sqlite3"
    db = database_at(path, 21)
    old_announcement(
        db,
        11,
        7,
        state="done",
        attempts=2,
        message_id=555,
        entry_state="closed",
        entry_updated_at=STAMP,
        revision=3,
        shown_revision=2,
        edit_attempts=1,
        edit_next_attempt_at=STAMP,
        issue_url="https://github.com/alice/diary/issues/7",
        nonce="a123",
        post_started_at=STAMP,
        image_url="https://raw.example/heron.png",
    )
    old_announcement(db, 22, 8, outcome_unknown=1, nonce="a456", post_started_at=STAMP)
    db.execute(
        "INSERT INTO publish_jobs (guild_id, author_id, author_name, idempotency_key, title,"
        " body, state, next_attempt_at, created_at, updated_at, issue_number, issue_url)"
        " VALUES (1, 2, 'Alice', 'k', 't', 'b', 'done', ?, ?, ?, 8, ?)",
        (STAMP, STAMP, STAMP, "https://github.com/alice/diary/issues/8"),
    )
    db.close()

    store = await Store.open(path)
    try:
        assert (
            await store.announcements.list_tracked_announcements(REPOSITORY, 7) == []
        )  # not claimed yet
        assert await store.watching.claim_server_diary("Alice/Diary") == 2
        (posted,) = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
        (pending,) = await store.announcements.list_tracked_announcements(REPOSITORY, 8)
    finally:
        await store.close()

    assert posted.repository == REPOSITORY
    assert (posted.channel_id, posted.state, posted.attempts, posted.message_id) == (
        11,
        JobState.DONE,
        2,
        555,
    )
    assert (posted.entry_state, posted.revision, posted.shown_revision) == (
        EntryState.CLOSED,
        3,
        2,
    )
    assert (posted.edit_attempts, posted.edit_next_attempt_at, posted.nonce) == (1, T0, "a123")
    assert posted.image_url == "https://raw.example/heron.png"
    assert posted.labels == ("diary",) and posted.url == "https://blog.example/7"
    assert (pending.state, pending.outcome_unknown, pending.nonce) == (
        JobState.PENDING,
        True,
        "a456",
    )
    assert pending.post_started_at == T0
    assert pending.issue_url == "https://github.com/alice/diary/issues/8"


async def test_the_watchers_state_at_0021_becomes_its_repositorys_row(tmp_path):
    """The server diary's ETag, baseline and newest update seen move to their own row, so
    the first poll after the upgrade is conditional and announces nothing old; an unreadable
    old value is dropped (the next poll takes a baseline, as it did before)."""
    path = tmp_path / "diary.sqlite3"
    db = database_at(path, 21)
    state = {"repository": "Alice/Diary", "etag": 'W/"abc"', "newest": 41, "seen_until": "x"}
    db.execute("INSERT INTO state (key, value) VALUES ('watcher', ?)", (json.dumps(state),))
    db.close()
    broken = tmp_path / "broken.sqlite3"
    db = database_at(broken, 21)
    db.execute("INSERT INTO state (key, value) VALUES ('watcher', '{not json')")
    db.close()

    store = await Store.open(path)
    other = await Store.open(broken)
    try:
        watched = await store.watching.get_watched_repository(REPOSITORY)
        assert await store.settings.get_value("watcher") is None
        assert await other.watching.get_watched_repository(REPOSITORY) is None
    finally:
        await store.close()
        await other.close()

    assert watched is not None and watched.baseline_at is not None
    assert (watched.etag, watched.newest, watched.seen_until) == ('W/"abc"', 41, "x")


async def test_the_same_number_in_two_repositories_is_two_announcements(store):
    """Issue #7 of the server diary and #7 of a member's diary are announced apart in one
    channel; changing or deleting one leaves the other alone."""
    await store.announcements.add_announcements(
        [announcement(11, 7), announcement(11, 7, title="Bob's", repository="Bob/Notes")]
    )

    server = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
    member = await store.announcements.list_tracked_announcements(MEMBER_REPOSITORY, 7)
    assert [a.title for a in server] == ["Day 1"] and [a.title for a in member] == ["Bob's"]
    assert member[0].repository == MEMBER_REPOSITORY

    changed = await store.announcements.update_announced_entry(
        MEMBER_REPOSITORY,
        7,
        T0,
        title="Bob's, edited",
        excerpt="x",
        labels=(),
        entry_state=EntryState.OPEN,
        entry_updated_at=T0,
    )
    deleted = await store.announcements.mark_entry_deleted(REPOSITORY, 7, T0)

    assert (changed, deleted) == (1, 1)
    (server_row,) = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
    (member_row,) = await store.announcements.list_tracked_announcements(MEMBER_REPOSITORY, 7)
    assert (server_row.title, server_row.entry_state) == ("Day 1", EntryState.DELETED)
    assert (member_row.title, member_row.entry_state) == ("Bob's, edited", EntryState.OPEN)


async def test_posting_one_repositorys_announcement_leaves_the_others_pending(store):
    """Recording a post is for its own repository's row only."""
    await store.announcements.add_announcements(
        [announcement(11, 7), announcement(11, 7, repository="b/n")]
    )

    nonce = await store.announcements.mark_announcement_started(11, "b/n", 7, T0)
    await store.announcements.record_announcement_sent(
        11, "b/n", 7, T0, message_id=9, shown_revision=0, url="u"
    )

    (server,) = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
    (member,) = await store.announcements.list_tracked_announcements("b/n", 7)
    assert nonce == member.nonce != server.nonce
    assert (server.state, member.state, member.message_id) == (JobState.PENDING, JobState.DONE, 9)


async def test_watch_state_is_kept_per_repository(store):
    """Each repository has its own ETag and baseline."""
    await store.watching.put_watched_repository(WatchedRepository("Alice/Diary", "e1", 3, "s1"), T0)
    await store.watching.put_watched_repository(WatchedRepository("b/n", "e2", 9, None), T0)

    first = await store.watching.get_watched_repository(REPOSITORY)
    second = await store.watching.get_watched_repository("B/N")
    assert first is not None and second is not None

    assert (first.repository, first.etag, first.newest) == (REPOSITORY, "e1", 3)
    assert (second.etag, second.newest, second.baseline_at) == ("e2", 9, T0)


async def test_a_members_entry_with_a_published_drafts_number_counts_as_a_days_entry(store):
    """Stats and reminders take entries written on GitHub from the channel's announcements,
    leaving out those of drafts published here: bob's #1 is not the server diary's #1."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    server_url = "https://github.com/alice/diary/issues/1"
    await store.jobs.complete_publish_job(
        job.id, T0, issue_number=1, issue_url=server_url, announcements=[announcement(11, 1)]
    )
    bobs = replace(announcement(11, 1, title="Bob's"), repository="bob/notes")
    await store.announcements.add_announcements(
        [bobs], issue_url="https://github.com/bob/notes/issues/1"
    )

    entries = await store.entries.list_published_entries(ALICE.guild_id, channel_id=11)

    assert sorted(e.title for e in entries) == ["Bob's", "Day 1"]
