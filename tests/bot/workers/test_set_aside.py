"""Every job loop: a job whose handling raises past the service's own error handling is set
aside (its attempt counted, its next attempt pushed back with the backoff), so the jobs due
behind it run meanwhile instead of waiting behind it for ever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.local_time import format_local, zone_of
from bot.models import JobState, ScheduleState
from bot.services.announcement_delivery import AnnouncementDelivery, AnnouncementEdit
from bot.services.publishing import Author
from bot.workers._loop import JobLoop
from bot.workers.announcer import AnnounceWorker
from tests.bot.builders import ALICE, REPOSITORY, FakeSender, announcement

CHANNEL = 300000000000000001
OTHER_CHANNEL = 300000000000000002


def raising_for(worker: JobLoop[Any], bad: Callable[[Any], bool]) -> None:
    """Make the worker's handling of the jobs `bad` picks raise, as a bug past the
    service's own catch-all would."""
    original = worker.run_one

    async def run_one(job: Any) -> None:
        if bad(job):
            raise RuntimeError("a bug in the handler")
        await original(job)

    worker.run_one = run_one  # type: ignore[method-assign]


async def rounds(worker: JobLoop[Any], count: int = 4) -> None:
    """`count` rounds of the loop as JobLoop._run goes round (an error escaping _run_due
    would pause it a minute and then try the same job first again)."""
    for _ in range(count):
        try:
            await worker._run_due()
        except RuntimeError:
            pass


async def test_publish_jobs_behind_a_failing_one_run(services, fake_github, store, clock):
    bad_draft = await services.drafts.create(ALICE, "Bad", "Raises.")
    bad, _ = await services.publishing.publish(ALICE, bad_draft.id, None, Author("Alice"))
    clock.advance(1)
    good_draft = await services.drafts.create(ALICE, "Good", "Fine.")
    good, _ = await services.publishing.publish(ALICE, good_draft.id, None, Author("Alice"))
    raising_for(services.publish_worker, lambda job: job.id == bad.id)

    await rounds(services.publish_worker)

    assert (await store.jobs.get_publish_job(good.id)).state is JobState.DONE
    first = await store.jobs.get_publish_job(bad.id)
    assert (first.state, first.attempts) == (JobState.PENDING, 1)
    assert first.next_attempt_at > clock.now()
    clock.advance(60)
    await rounds(services.publish_worker, 1)
    second = await store.jobs.get_publish_job(bad.id)
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at
    assert [issue["title"] for issue in fake_github.issues()] == ["Good"]


async def test_comment_jobs_behind_a_failing_one_run(services, fake_github, store, clock):
    number = fake_github.add_issue_from_web("Entry", "Text.")
    bad = await services.comments.add(ALICE, number, "Raises.")
    clock.advance(1)
    good = await services.comments.add(ALICE, number, "Fine.")
    raising_for(services.comment_worker, lambda job: job.id == bad.id)

    await rounds(services.comment_worker)

    assert (await store.comments.get_comment_job(good.id)).state is JobState.DONE
    first = await store.comments.get_comment_job(bad.id)
    assert (first.state, first.attempts) == (JobState.PENDING, 1)
    assert first.next_attempt_at > clock.now()
    clock.advance(60)
    await rounds(services.comment_worker, 1)
    second = await store.comments.get_comment_job(bad.id)
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at
    assert [c["body"] for c in fake_github.comments(number)][-1].startswith("Fine.")


async def test_announcements_behind_a_failing_one_run(store, clock, peek):
    async def ready() -> None:
        return None

    sender = FakeSender()
    worker = AnnounceWorker(AnnouncementDelivery(store.announcements, sender, clock), clock, ready)
    await store.announcements.add_announcements([announcement(CHANNEL, 7, at=clock.now())])
    clock.advance(1)
    await store.announcements.add_announcements([announcement(OTHER_CHANNEL, 8, at=clock.now())])
    raising_for(worker, lambda job: job.channel_id == CHANNEL)

    await rounds(worker)

    assert [a.channel_id for a in sender.sent] == [OTHER_CHANNEL]
    (first,) = peek.announcements(7)
    assert (first.state, first.attempts) == (JobState.PENDING, 1)
    assert first.next_attempt_at > clock.now()
    clock.advance(60)
    await rounds(worker, 1)
    (second,) = peek.announcements(7)
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at


async def test_schedules_behind_a_failing_one_run(services, store, clock, peek):
    def when(minutes: float) -> str:
        return format_local(clock.now() + timedelta(minutes=minutes), zone_of("UTC"))

    bad_draft = await services.drafts.create(ALICE, "Bad", "Raises.")
    bad = await services.scheduling.schedule(ALICE, bad_draft.id, when(1), None, Author("A"))
    good_draft = await services.drafts.create(ALICE, "Good", "Fine.")
    good = await services.scheduling.schedule(ALICE, good_draft.id, when(2), None, Author("A"))
    clock.advance(180)
    raising_for(services.schedule_worker, lambda job: job.id == bad.schedule.id)

    await rounds(services.schedule_worker)

    assert peek.schedule(good.schedule.id).state is ScheduleState.DONE
    first = peek.schedule(bad.schedule.id)
    assert (first.state, first.attempts) == (ScheduleState.PENDING, 1)
    assert first.next_attempt_at > clock.now()
    clock.advance(60)
    await rounds(services.schedule_worker, 1)
    second = peek.schedule(bad.schedule.id)
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at


async def test_a_job_that_always_raises_is_given_up_at_its_limit(services, store, clock):
    """The attempts set aside count towards the job's own limit: the job fails in the end."""
    from bot.services.comments import MAX_ATTEMPTS

    number = 1
    bad = await services.comments.add(ALICE, number, "Raises.")
    raising_for(services.comment_worker, lambda job: job.id == bad.id)

    for _ in range(MAX_ATTEMPTS):
        await rounds(services.comment_worker, 1)
        clock.advance(3600)

    failed = await store.comments.get_comment_job(bad.id)
    assert (failed.state, failed.attempts) == (JobState.FAILED, MAX_ATTEMPTS)


async def test_posts_behind_a_failing_announcement_edit_run(store, clock):
    """An edit (its entry deleted on GitHub) whose handling raises is set aside the same way:
    its edit attempts counted and its retry later, while a post behind it goes out."""

    async def ready() -> None:
        return None

    sender = FakeSender()
    worker = AnnounceWorker(AnnouncementDelivery(store.announcements, sender, clock), clock, ready)
    await store.announcements.add_announcements([announcement(CHANNEL, 7, at=clock.now())])
    await rounds(worker, 1)
    clock.advance(1)
    await store.announcements.mark_entry_deleted(REPOSITORY, 7, clock.now())
    clock.advance(1)
    await store.announcements.add_announcements([announcement(OTHER_CHANNEL, 8, at=clock.now())])
    raising_for(worker, lambda job: isinstance(job, AnnouncementEdit))

    await rounds(worker)

    assert [a.issue_number for a in sender.sent] == [7, 8]
    (first,) = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
    assert first.edit_attempts == 1 and first.edit_next_attempt_at > clock.now()
    clock.advance(60)
    await rounds(worker, 1)
    (second,) = await store.announcements.list_tracked_announcements(REPOSITORY, 7)
    assert second.edit_attempts == 2
    assert second.edit_next_attempt_at > first.edit_next_attempt_at
