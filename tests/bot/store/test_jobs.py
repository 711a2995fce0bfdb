"""Durable jobs in the store: one pending publish per draft, atomic completion, announcements."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import aiosqlite
import pytest

from bot.models import JobState
from tests.bot.builders import ALICE, REPOSITORY, T0, announcement, job_for

ISSUE_URL = "https://github.com/alice/diary/issues/7"


@pytest.fixture
async def draft(store):
    return await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", ("diary",), T0)


async def test_publish_job_is_created_pending(store, draft):
    """A new publish job is stored pending, with its snapshot, and reported as created."""
    job, created = await store.jobs.add_publish_job(job_for(draft, key="abc"))

    assert created is True
    assert job.id > 0 and job.state is JobState.PENDING and job.attempts == 0
    assert (job.draft_id, job.idempotency_key, job.body, job.labels) == (
        draft.id,
        "abc",
        "Dear diary",
        ("diary",),
    )
    assert await store.jobs.get_publish_job(job.id) == job


async def test_second_publish_job_joins_the_pending_one(store, draft):
    """Adding a job for a draft that has a pending one returns that job, not created."""
    first, _ = await store.jobs.add_publish_job(job_for(draft, key="first"))

    second, created = await store.jobs.add_publish_job(job_for(draft, key="second"))

    assert created is False
    assert second == first
    assert [j.id for j in await store.jobs.list_pending_publish_jobs()] == [first.id]


async def test_database_refuses_a_second_pending_job(store, draft, tmp_path):
    """Even bypassing the store, SQLite rejects a second pending job for one draft."""
    await store.jobs.add_publish_job(job_for(draft, key="first"))
    stamp = "2026-11-26T15:30:00.000000Z"

    async with aiosqlite.connect(tmp_path / "diary.sqlite3") as db:
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(
                "INSERT INTO publish_jobs (draft_id, guild_id, author_id, author_name,"
                " idempotency_key, title, body, next_attempt_at, created_at, updated_at)"
                " VALUES (?, 1, 2, 'x', 'second', 't', 'b', ?, ?, ?)",
                (draft.id, stamp, stamp, stamp),
            )


async def test_new_job_allowed_after_a_failed_one(store, draft):
    """Once a job has failed, publishing the draft again creates a fresh job."""
    failed, _ = await store.jobs.add_publish_job(job_for(draft, key="first"))
    await store.jobs.fail_publish_job(failed.id, T0, "github.unauthorized", "HTTP 401")

    again, created = await store.jobs.add_publish_job(job_for(draft, key="second"))

    assert created is True and again.id != failed.id


async def test_draft_shows_state_of_its_latest_job(store, draft):
    """A draft reports the state of its most recent publish job."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    assert (await store.drafts.get_draft(ALICE, draft.id)).job_state is JobState.PENDING

    await store.jobs.fail_publish_job(job.id, T0, "github.unauthorized", "HTTP 401")

    assert (await store.drafts.get_draft(ALICE, draft.id)).job_state is JobState.FAILED


async def test_failed_attempt_is_counted_and_rescheduled(store, draft):
    """update_publish_job_attempt counts the attempt and records when and why to retry."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    retry_at = T0 + timedelta(seconds=30)

    await store.jobs.update_publish_job_attempt(
        job.id,
        T0,
        next_attempt_at=retry_at,
        outcome_unknown=True,
        error_key="github.unavailable",
        error_detail="HTTP 502",
    )

    stored = await store.jobs.get_publish_job(job.id)
    assert stored.state is JobState.PENDING
    assert (stored.attempts, stored.next_attempt_at, stored.outcome_unknown) == (1, retry_at, True)
    assert (stored.error_key, stored.error_detail) == ("github.unavailable", "HTTP 502")


async def test_marking_started_makes_outcome_unknown(store, draft):
    """A job marked started has an unknown outcome until something else is recorded."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))

    await store.jobs.mark_publish_job_started(job.id, T0)

    assert (await store.jobs.get_publish_job(job.id)).outcome_unknown is True


async def test_completing_a_job_publishes_draft_and_queues_announcements(store, draft, peek):
    """complete_publish_job marks the job done, the draft published and stores announcements."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    done_at = T0 + timedelta(minutes=1)

    await store.jobs.complete_publish_job(
        job.id,
        done_at,
        issue_number=7,
        issue_url=ISSUE_URL,
        announcements=[announcement(11, 7), announcement(22, 7)],
    )

    stored = await store.jobs.get_publish_job(job.id)
    assert (stored.state, stored.issue_number, stored.issue_url) == (JobState.DONE, 7, ISSUE_URL)
    published = await store.drafts.get_draft(ALICE, draft.id)
    assert (published.issue_number, published.issue_url, published.published_at) == (
        7,
        ISSUE_URL,
        done_at,
    )
    assert [a.channel_id for a in peek.announcements(7)] == [11, 22]


async def test_completing_a_job_is_all_or_nothing(store, draft, peek):
    """When queuing the announcements fails, neither the job nor the draft changes."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    broken = replace(announcement(11, 7), labels=(object(),))  # cannot be stored as JSON

    with pytest.raises(TypeError):
        await store.jobs.complete_publish_job(
            job.id, T0, issue_number=7, issue_url=ISSUE_URL, announcements=[broken]
        )

    assert (await store.jobs.get_publish_job(job.id)).state is JobState.PENDING
    assert (await store.drafts.get_draft(ALICE, draft.id)).issue_number is None
    assert peek.announcements(7) == []


async def test_announcement_is_queued_once_per_channel_and_issue(store, peek):
    """Adding an announcement already known for (channel, issue) keeps the stored one."""
    await store.announcements.add_announcements([announcement(11, 7, title="Original")])
    await store.announcements.update_announcement(
        11, REPOSITORY, 7, T0, state=JobState.DONE, message_id=555
    )

    await store.announcements.add_announcements(
        [announcement(11, 7, title="Again"), announcement(22, 7)]
    )

    by_channel = {a.channel_id: a for a in peek.announcements(7)}
    assert sorted(by_channel) == [11, 22]
    kept = by_channel[11]
    assert (kept.title, kept.state, kept.message_id) == ("Original", JobState.DONE, 555)


async def test_pending_announcements_come_soonest_first(store, peek):
    """Only pending announcements are listed, the one due soonest first."""
    await store.announcements.add_announcements(
        [
            announcement(11, 1, at=T0 + timedelta(minutes=2)),
            announcement(22, 1, at=T0),
            announcement(33, 1, at=T0 + timedelta(minutes=1)),
        ]
    )
    await store.announcements.update_announcement(
        33, REPOSITORY, 1, T0, state=JobState.DONE, message_id=1
    )

    pending = peek.pending_announcements()

    assert [a.channel_id for a in pending] == [22, 11]


async def test_announcement_retry_keeps_message_id_and_counts(store, peek):
    """An announcement attempt increments attempts and reschedules without losing fields."""
    await store.announcements.add_announcements([announcement(11, 7)])
    retry_at = T0 + timedelta(seconds=10)

    await store.announcements.update_announcement(
        11, REPOSITORY, 7, T0, state=JobState.PENDING, next_attempt_at=retry_at
    )

    (stored,) = peek.announcements(7)
    assert (stored.state, stored.attempts, stored.next_attempt_at, stored.message_id) == (
        JobState.PENDING,
        1,
        retry_at,
        None,
    )


async def test_job_loops_get_only_the_job_due_next(store):
    """With a limit, the pending jobs and announcements come soonest first, no more than asked."""
    drafts = [
        await store.drafts.add_draft(ALICE, f"Day {n}", "Dear diary", (), T0) for n in range(3)
    ]
    for n, draft in enumerate(drafts):
        await store.jobs.add_publish_job(job_for(draft, at=T0 - timedelta(minutes=n), key=f"k{n}"))
    await store.announcements.add_announcements(
        [announcement(1, n, at=T0 + timedelta(minutes=5 - n)) for n in range(1, 4)]
    )

    (job,) = await store.jobs.list_pending_publish_jobs(limit=1)
    (sent,) = await store.announcements.list_announcements_to_send(limit=1)

    assert job.draft_id == drafts[2].id
    assert sent.issue_number == 3
    assert len(await store.jobs.list_pending_publish_jobs()) == 3
