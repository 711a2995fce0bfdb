"""PublishWorker: runs due publish jobs one at a time."""

from __future__ import annotations

from datetime import timedelta

from bot.models import JobState
from bot.services.publishing import Author
from bot.workers._loop import IDLE_SECONDS
from tests.bot.builders import ALICE


async def test_due_job_is_run(services, fake_github, store):
    """A job due now is carried out: the issue exists and the job is done."""
    draft = await services.drafts.create(ALICE, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(ALICE, draft.id, None, Author("Alice"))

    assert await services.publish_worker._run_due() == 0

    assert (await store.jobs.get_publish_job(job.id)).state is JobState.DONE
    assert len(fake_github.issues()) == 1
    assert fake_github.violations == []


async def test_rescheduled_job_waits_until_due(services, fake_github, clock, store):
    """A job rescheduled for later is not attempted early; the loop sleeps until it is due."""
    draft = await services.drafts.create(ALICE, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(ALICE, draft.id, None, Author("Alice"))
    await store.jobs.update_publish_job_attempt(
        job.id,
        clock.now(),
        next_attempt_at=clock.now() + timedelta(seconds=45),
        outcome_unknown=False,
        error_key="github.unavailable",
        error_detail="HTTP 502",
    )

    assert await services.publish_worker._run_due() == 45.0

    assert fake_github.requests == []
    assert fake_github.violations == []


async def test_publish_and_announce_end_to_end(services, fake_github, sender, peek):
    """A published draft is announced once in each target channel by the announce worker."""
    draft = await services.drafts.create(ALICE, "Day 1", "Dear diary")
    await services.publishing.publish(ALICE, draft.id, None, Author("Alice"))
    await services.publish_worker._run_due()

    while await services.announce_worker._run_due() == 0:
        pass

    (issue,) = fake_github.issues()
    assert sorted(a.channel_id for a in sender.sent) == sorted(
        a.channel_id for a in peek.announcements(issue["number"])
    )
    assert len(sender.sent) == 2
    assert all(a.state is JobState.DONE for a in peek.announcements(1))
    assert fake_github.violations == []


async def test_idle_when_nothing_is_pending(services, fake_github):
    """Without jobs the worker idles and sends nothing."""
    assert await services.publish_worker._run_due() == IDLE_SECONDS
    assert fake_github.requests == []
