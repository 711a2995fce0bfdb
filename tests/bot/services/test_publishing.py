"""PublishingService with the real store and gateway on the GitHub fake: one issue per draft."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot import i18n
from bot.errors import InvalidInput, UserFacingError
from bot.models import JobState
from bot.services.publishing import CANCELLED, GAVE_UP, MAX_ATTEMPTS, SETTLE_SECONDS, Author
from tests.bot.builders import ALICE
from tests.bot.conftest import HOME_CHANNEL, OTHER_CHANNEL

AUTHOR = Author("Alice", "https://cdn.discordapp.com/avatars/1/a.png")


@pytest.fixture
async def draft(services):
    return await services.drafts.create(ALICE, "Day 1", "Dear diary,\n\ntoday was long.")


async def attempt(services, store, job_id: int):
    """One attempt at the job once it is due, as the worker waits for it (also out of a
    postponement while GitHub settles after an unknown outcome); the job after."""
    clock = services.publishing._clock
    for _ in range(2):
        job = await store.jobs.get_publish_job(job_id)
        if job.next_attempt_at > clock.now():
            clock.advance((job.next_attempt_at - clock.now()).total_seconds())
        await services.publishing.run(job)
        after = await store.jobs.get_publish_job(job_id)
        if after.attempts != job.attempts or after.state is not JobState.PENDING:
            break
    return after


async def test_published_issue_is_the_body_followed_by_the_key_marker(
    services, draft, fake_github, store
):
    """The issue has the draft's title, and its body ends with the job's key in an HTML comment."""
    job, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await attempt(services, store, job.id)

    assert created is True
    (issue,) = fake_github.issues()
    assert issue["title"] == "Day 1"
    assert issue["body"] == f"{draft.body}\n\n<!-- diary-bot:{job.idempotency_key} -->"
    assert fake_github.violations == []


async def test_publishing_marks_draft_and_job_done(services, draft, fake_github, store):
    """After the job ran, the job is done and the draft points at the issue."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    done = await attempt(services, store, job.id)

    (issue,) = fake_github.issues()
    assert (done.state, done.issue_number) == (JobState.DONE, issue["number"])
    published = await store.drafts.get_draft(ALICE, draft.id)
    assert published.issue_number == issue["number"]
    assert published.issue_url == f"https://github.com/alice/diary/issues/{issue['number']}"
    assert fake_github.violations == []


async def test_publishing_queues_one_announcement_per_target_channel(
    services, draft, fake_github, peek, store
):
    """Each server's announcement channel gets one pending announcement, without the marker."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    done = await attempt(services, store, job.id)

    queued = peek.announcements(done.issue_number)

    assert [a.channel_id for a in queued] == sorted([HOME_CHANNEL, OTHER_CHANNEL])
    for announcement in queued:
        assert announcement.state is JobState.PENDING
        assert (announcement.title, announcement.author_name) == ("Day 1", "Alice")
        assert "diary-bot" not in announcement.excerpt
        assert announcement.excerpt.startswith("Dear diary, today was long.")
    assert fake_github.violations == []


async def test_second_publish_joins_the_pending_job(services, draft, fake_github, store):
    """Publishing a draft again while its job is pending returns that job, and one issue results."""
    first, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    second, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await attempt(services, store, first.id)

    assert created is False and second.id == first.id
    assert len(fake_github.issues()) == 1
    assert fake_github.violations == []


async def test_publishing_a_published_draft_is_refused(services, draft, fake_github, store):
    """A draft already published cannot be published again."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await attempt(services, store, job.id)

    with pytest.raises(UserFacingError) as raised:
        await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    assert raised.value.key == "error.already_published"
    assert len(fake_github.issues()) == 1
    assert fake_github.violations == []


async def test_empty_body_is_refused_before_any_request(services, fake_github, store):
    """An empty draft is refused without a job and without talking to GitHub."""
    empty = await services.drafts.create(ALICE, "Day 1", "")

    with pytest.raises(InvalidInput) as raised:
        await services.publishing.publish(ALICE, empty.id, "bug", AUTHOR)

    assert raised.value.key == "error.body_empty"
    assert fake_github.requests == []
    assert await store.jobs.list_pending_publish_jobs() == []


async def test_unknown_label_is_refused_before_creating(services, draft, fake_github, store):
    """An unknown label is refused, naming it and the known labels, before any POST."""
    with pytest.raises(InvalidInput) as raised:
        await services.publishing.publish(ALICE, draft.id, "bug, no-such-label", AUTHOR)

    assert raised.value.key == "error.unknown_labels"
    assert raised.value.values["labels"] == "no-such-label"
    assert "bug" in raised.value.values["known"].split(", ")
    assert [r.method for r in fake_github.requests] == ["GET"]
    assert await store.jobs.list_pending_publish_jobs() == []
    assert fake_github.violations == []


async def test_chosen_labels_are_on_the_issue(services, draft, fake_github, store):
    """Labels given at publish are set on the issue."""
    job, _ = await services.publishing.publish(ALICE, draft.id, " bug,question,bug ", AUTHOR)
    await attempt(services, store, job.id)

    (issue,) = fake_github.issues()
    assert issue["labels"] == ["bug", "question"]
    assert fake_github.violations == []


async def test_set_labels_spells_them_as_the_repository_and_refuses_unknown_ones(
    services, draft, fake_github
):
    """set_labels: a comma-separated list (any case, Japanese commas, repeats) is saved as
    the repository spells it; an unknown label is refused and changes nothing."""
    saved = await services.publishing.set_labels(ALICE, draft.id, "BUG、question,bug")

    assert saved.labels == ("bug", "question")
    with pytest.raises(InvalidInput):
        await services.publishing.set_labels(ALICE, draft.id, "bug, no-such-label")
    assert (await services.drafts.get(ALICE, draft.id)).labels == ("bug", "question")


async def test_server_error_reschedules_the_job(services, draft, fake_github, clock, store):
    """A 502 leaves the job pending, counts the attempt and schedules a later one."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(1, 502)

    after = await attempt(services, store, job.id)

    assert (after.state, after.attempts, after.error_key) == (
        JobState.PENDING,
        1,
        "github.unavailable",
    )
    assert after.outcome_unknown is True
    assert after.next_attempt_at > clock.now()
    assert fake_github.violations == []


async def test_rate_limit_reschedules_after_retry_after(services, draft, fake_github, clock, store):
    """A secondary rate limit schedules the next attempt Retry-After seconds later."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.secondary_rate_limit(1, retry_after=7)

    after = await attempt(services, store, job.id)

    assert after.state is JobState.PENDING and after.error_key == "github.rate_limited"
    assert after.next_attempt_at == clock.now() + timedelta(seconds=7)
    assert fake_github.violations == []


async def test_two_server_errors_then_success_make_one_issue(services, draft, fake_github, store):
    """Two 502s followed by a working GitHub end with exactly one issue and a done job."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(2, 502)

    for _ in range(3):
        after = await attempt(services, store, job.id)

    assert after.state is JobState.DONE
    assert len(fake_github.issues()) == 1
    assert fake_github.violations == []


async def test_issue_created_behind_a_server_error_is_adopted(services, draft, fake_github, store):
    """When GitHub created the issue but answered 502, the next attempt adopts it."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(1, 502, commit=True)

    await attempt(services, store, job.id)
    after = await attempt(services, store, job.id)

    (issue,) = fake_github.issues()
    assert (after.state, after.issue_number) == (JobState.DONE, issue["number"])
    assert fake_github.violations == []


async def test_issue_created_behind_a_dropped_connection_is_adopted(
    services, draft, fake_github, store
):
    """When the answer to a creation never arrives, the next attempt finds and adopts the issue."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.drop_after_create()

    first = await attempt(services, store, job.id)
    after = await attempt(services, store, job.id)

    assert first.state is JobState.PENDING and first.outcome_unknown is True
    (issue,) = fake_github.issues()
    assert (after.state, after.issue_number) == (JobState.DONE, issue["number"])
    assert [r.method for r in fake_github.requests] == ["POST", "GET"]
    assert fake_github.violations == []


async def test_failed_search_after_unknown_outcome_still_prevents_a_duplicate(
    services, draft, fake_github, store
):
    """502 after creating, then 502 on the search: the third attempt still adopts, not recreates."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(2, 502, commit=True)  # the POST (which creates) and the search fail

    for _ in range(3):
        after = await attempt(services, store, job.id)

    assert after.state is JobState.DONE
    assert len(fake_github.issues()) == 1
    assert fake_github.violations == []


@pytest.mark.parametrize(
    ("mode", "key"),
    [
        pytest.param({"repo_missing": True}, "github.not_found", id="404"),
        pytest.param({"issues_disabled": True}, "github.issues_disabled", id="410"),
        pytest.param({"read_only": True}, "github.forbidden", id="403"),
    ],
)
async def test_final_error_fails_the_job_and_keeps_the_draft(
    services, draft, fake_github, mode, key, store
):
    """A final GitHub error fails the job with its key; the draft stays as it was, no issue."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.set_mode(**mode)

    after = await attempt(services, store, job.id)

    assert (after.state, after.error_key) == (JobState.FAILED, key)
    kept = await store.drafts.get_draft(ALICE, draft.id)
    assert (kept.body, kept.issue_number, kept.job_state) == (draft.body, None, JobState.FAILED)
    assert services.publishing.error_for(after).key == key
    assert fake_github.issues() == []
    assert fake_github.violations == []


async def test_a_rejected_token_keeps_the_job_and_the_draft(
    services, draft, fake_github, clock, store
):
    """A 401 fails nothing: the job stays pending (tried again slowly), the draft as it was,
    and waiters hear at once; published again once the token works, it runs at once."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.set_mode(token_revoked=True)
    waiter = asyncio.create_task(services.publishing.wait(job.id, 60))
    await asyncio.sleep(0)

    after = await attempt(services, store, job.id)

    assert (after.state, after.error_key) == (JobState.PENDING, "github.unauthorized")
    assert after.next_attempt_at == clock.now() + timedelta(seconds=600)
    heard = await asyncio.wait_for(waiter, 5)  # at once, not after the 60 s
    assert heard.error_key == "github.unauthorized"
    kept = await store.drafts.get_draft(ALICE, draft.id)
    assert (kept.body, kept.issue_number, kept.job_state) == (draft.body, None, JobState.PENDING)

    fake_github.clear_faults()
    again, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    assert (again.id, created) == (job.id, False)
    due = await store.jobs.get_publish_job(job.id)
    assert due.next_attempt_at <= clock.now()
    assert (await attempt(services, store, job.id)).state is JobState.DONE
    assert len(fake_github.issues()) == 1


async def test_failed_draft_can_be_published_again(services, draft, fake_github, store):
    """After a final failure is fixed, publishing again makes a new job and the issue."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.set_mode(issues_disabled=True)
    await attempt(services, store, job.id)
    fake_github.clear_faults()

    retry, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    after = await attempt(services, store, retry.id)

    assert created is True and retry.id != job.id
    assert after.state is JobState.DONE and len(fake_github.issues()) == 1
    assert fake_github.violations == []


async def test_wait_returns_the_job_once_it_is_done(services, draft, fake_github):
    """wait() hands back the finished job as soon as an attempt completes it."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    waited, _ = await asyncio.gather(
        services.publishing.wait(job.id, 30), services.publish_worker.run_one(job)
    )

    assert waited.state is JobState.DONE
    assert fake_github.violations == []


async def test_append_racing_publish_is_published_or_refused(services, draft, fake_github, clock):
    """An append racing a publish either ends up in the published snapshot or is refused."""
    clock.tick = timedelta(milliseconds=1)  # time passes between the two changes

    appended, (job, _) = await asyncio.gather(
        services.drafts.append(ALICE, draft.id, "A late paragraph."),
        services.publishing.publish(ALICE, draft.id, None, AUTHOR),
        return_exceptions=True,
    )

    if not isinstance(appended, BaseException):
        assert "A late paragraph." in job.body
    assert fake_github.violations == []


async def test_append_racing_publish_at_the_same_instant_is_published_or_refused(
    services, draft, fake_github
):
    """Even when both changes carry the same timestamp, the append is published or refused."""
    appended, (job, _) = await asyncio.gather(
        services.drafts.append(ALICE, draft.id, "A late paragraph."),
        services.publishing.publish(ALICE, draft.id, None, AUTHOR),
        return_exceptions=True,
    )

    if not isinstance(appended, BaseException):
        assert "A late paragraph." in job.body
    assert fake_github.violations == []


async def test_label_edit_racing_publish_is_published_or_refused(services, draft, fake_github):
    """A label change racing a publish either ends up on the issue's job or is refused."""
    edited, (job, _) = await asyncio.gather(
        services.drafts.edit(ALICE, draft.id, labels=["bug"]),
        services.publishing.publish(ALICE, draft.id, None, AUTHOR),
        return_exceptions=True,
    )

    if not isinstance(edited, BaseException):
        assert job.labels == ("bug",)
    assert fake_github.violations == []


def set_attempts(tmp_path, job_id: int, attempts: int) -> None:
    """As if the job had failed `attempts` times already (a long outage)."""
    with sqlite3.connect(tmp_path / "diary.sqlite3") as db:
        db.execute("UPDATE publish_jobs SET attempts = ? WHERE id = ?", (attempts, job_id))


async def test_a_job_that_failed_1100_times_is_rescheduled_and_others_run(
    services, draft, fake_github, clock, tmp_path, store
):
    """Backoff is capped without overflow: the job that failed 1,100 times gets its next try
    within five minutes, and the publish queued behind it runs meanwhile."""
    stuck, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    other = await services.drafts.create(ALICE, "Day 2", "Another day.")
    second, _ = await services.publishing.publish(ALICE, other.id, None, AUTHOR)
    set_attempts(tmp_path, stuck.id, 1_100)
    fake_github.fail_next(1, 502)

    assert await services.publish_worker._run_due() == 0  # the stuck job, failing again
    assert await services.publish_worker._run_due() == 0  # the second job

    after = await store.jobs.get_publish_job(stuck.id)
    assert (after.state, after.attempts) == (JobState.PENDING, 1_101)
    assert clock.now() < after.next_attempt_at <= clock.now() + timedelta(seconds=300)
    done = await store.jobs.get_publish_job(second.id)
    assert done.state is JobState.DONE
    assert [issue["title"] for issue in fake_github.issues()] == ["Day 2"]


async def test_a_job_failing_for_its_whole_life_is_given_up_with_a_note(
    services, draft, fake_github, tmp_path, store
):
    """After MAX_ATTEMPTS transient failures the job fails, the draft says so in /draft list,
    and publishing again starts over."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    set_attempts(tmp_path, job.id, MAX_ATTEMPTS - 1)
    fake_github.fail_next(1, 503)

    after = await attempt(services, store, job.id)

    assert (after.state, after.error_key) == (JobState.FAILED, GAVE_UP)
    listed = await store.drafts.get_draft(ALICE, draft.id)
    assert (listed.job_state, listed.job_error_key) == (JobState.FAILED, GAVE_UP)
    error = services.publishing.error_for(after)
    assert str(MAX_ATTEMPTS) in i18n.t("en", error.key, **error.values)
    retry, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    assert created is True
    assert (await attempt(services, store, retry.id)).state is JobState.DONE
    assert len(fake_github.issues()) == 1


async def test_cancel_stops_a_waiting_job_and_publish_starts_again(
    services, draft, fake_github, store
):
    """/draft cancel ends the draft's waiting job (nothing reaches GitHub); the draft shows it
    was cancelled, and /draft publish makes one issue afterwards."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    cancelled, found = await services.publishing.cancel(ALICE, draft.id)
    await attempt(services, store, job.id)  # the worker had picked it before the cancel

    assert (cancelled.id, found.id) == (job.id, draft.id)
    after = await store.jobs.get_publish_job(job.id)
    assert (after.state, after.error_key) == (JobState.FAILED, CANCELLED)
    assert (await store.drafts.get_draft(ALICE, draft.id)).job_error_key == CANCELLED
    assert fake_github.requests == []
    retry, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    assert created and (await attempt(services, store, retry.id)).state is JobState.DONE
    assert len(fake_github.issues()) == 1


async def test_cancel_without_a_waiting_job_is_refused(services, draft):
    """A draft with no publish job waiting has nothing to cancel: a clear refusal."""
    with pytest.raises(UserFacingError) as raised:
        await services.publishing.cancel(ALICE, draft.id)

    assert raised.value.key == "error.nothing_to_cancel"


async def test_after_an_unknown_outcome_the_key_is_looked_for_once_github_settled(
    services, draft, fake_github, clock, store
):
    """A run due right after a lost answer asks GitHub nothing: it is postponed until the
    creation has had SETTLE_SECONDS to finish, then looks for the key before creating."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.drop_after_create(1)
    first = await attempt(services, store, job.id)
    started = first.create_started_at
    fake_github.reset_requests()

    await services.publishing.run(await store.jobs.get_publish_job(job.id))

    waiting = await store.jobs.get_publish_job(job.id)
    assert fake_github.requests == []
    assert waiting.next_attempt_at == started + timedelta(seconds=SETTLE_SECONDS)
    assert waiting.attempts == first.attempts
    done = await attempt(services, store, job.id)
    assert done.state is JobState.DONE
    assert [r.method for r in fake_github.requests] == ["GET"]  # found, not created again
    assert len(fake_github.issues()) == 1


async def test_publishing_again_after_a_job_ended_in_doubt_adopts_its_issue(
    services, draft, fake_github, store
):
    """A job cancelled while its create may have succeeded keeps its key: publishing the
    draft again finds the issue GitHub did make, instead of creating a second."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(1, 502, commit=True)  # created, but answered 502
    await attempt(services, store, job.id)
    await services.publishing.cancel(ALICE, draft.id)

    again, created = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    done = await attempt(services, store, again.id)

    assert created and again.idempotency_key == job.idempotency_key
    assert done.state is JobState.DONE
    assert len(fake_github.issues()) == 1
    assert (await store.drafts.get_draft(ALICE, draft.id)).issue_number == done.issue_number
