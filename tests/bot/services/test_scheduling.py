"""Scheduled publishing: parsing `when` on the server's clock, and the once-only handover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InvalidInput, UserFacingError
from bot.local_time import format_local, zone_of
from bot.models import JobState, ScheduleState
from bot.services.publishing import Author
from bot.services.scheduling import parse_when
from bot.store import Store
from tests.bot.builders import ALICE

ROLE = 400000000000000001

TOKYO = "Asia/Tokyo"
LONDON = "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- parsing --


def test_time_only_means_today_while_still_ahead():
    """`09:00` at 00:30 in Tokyo is 09:00 the same Tokyo day."""
    now = utc(2026, 11, 26, 15, 30)  # 2026-11-27 00:30 JST

    assert parse_when("09:00", TOKYO, now) == utc(2026, 11, 27, 0, 0)


def test_time_only_after_it_passed_means_tomorrow():
    """`09:00` at 23:30 in Tokyo is 09:00 the next Tokyo day."""
    now = utc(2026, 11, 27, 14, 30)  # 2026-11-27 23:30 JST

    assert parse_when("09:00", TOKYO, now) == utc(2026, 11, 28, 0, 0)


def test_time_only_just_after_midnight_crosses_into_tomorrow():
    """`00:15` at 23:30 local is 45 minutes later, on the next local date."""
    now = utc(2026, 11, 27, 14, 30)  # 2026-11-27 23:30 JST

    assert parse_when("00:15", TOKYO, now) == now + timedelta(minutes=45)


def test_explicit_dates_in_both_spellings_name_the_same_moment():
    """`2026-11-27 09:00` and `2026/11/27 9:00` are 09:00 on the server's clock that day."""
    now = utc(2026, 11, 1)

    assert parse_when("2026-11-27 09:00", TOKYO, now) == utc(2026, 11, 27, 0, 0)
    assert parse_when("2026/11/27 9:00", TOKYO, now) == utc(2026, 11, 27, 0, 0)


def test_full_width_digits_are_understood():
    """Full-width digits and colon, as typed with a Japanese keyboard, are accepted."""
    now = utc(2026, 11, 1)

    assert parse_when("２０２６／１１／２７　９：００", TOKYO, now) == utc(2026, 11, 27, 0, 0)


def test_seconds_are_optional():
    """`HH:MM:SS` names a time to the second."""
    now = utc(2026, 11, 26, 12, 0, 0)

    assert parse_when("12:00:02", "UTC", now) == utc(2026, 11, 26, 12, 0, 2)


def test_month_and_day_without_year_mean_the_next_such_date():
    """`1/3 9:00` written in December is 3 January of the next year."""
    now = utc(2026, 12, 20)

    assert parse_when("1/3 9:00", "UTC", now) == utc(2027, 1, 3, 9, 0)


def test_a_past_moment_is_refused_with_the_server_clock():
    """A date-time already past is refused, naming the time zone and the local time now."""
    now = utc(2026, 11, 27, 1, 15)  # 10:15 JST

    with pytest.raises(InvalidInput) as refused:
        parse_when("2026-11-27 09:00", TOKYO, now)

    assert refused.value.key == "error.when_past"
    assert refused.value.values["timezone"] == TOKYO
    assert refused.value.values["now"] == "2026-11-27 10:15"


@pytest.mark.parametrize("text", ["tomorrow", "25:00", "9", "2026-13-01 09:00", "2026-02-30 9:00"])
def test_a_bad_format_is_refused_with_the_accepted_formats(text):
    """Text that is not a (valid) date-time is refused with examples of what works."""
    with pytest.raises(InvalidInput) as refused:
        parse_when(text, TOKYO, utc(2026, 11, 1))

    assert refused.value.key == "error.when_format"
    assert refused.value.values["date"] == "2026-11-02"


def test_more_than_a_year_ahead_is_refused():
    """A moment more than a year ahead (likely a typo in the year) is refused."""
    with pytest.raises(InvalidInput) as refused:
        parse_when("2028-01-01 09:00", TOKYO, utc(2026, 11, 1))

    assert refused.value.key == "error.when_too_far"


def test_london_dates_on_either_side_of_spring_forward_use_their_own_offset():
    """09:00 London is 09:00 UTC before the clocks go forward and 08:00 UTC after."""
    now = utc(2026, 3, 1)

    assert parse_when("2026-03-28 09:00", LONDON, now) == utc(2026, 3, 28, 9, 0)
    assert parse_when("2026-03-29 09:00", LONDON, now) == utc(2026, 3, 29, 8, 0)


def test_next_time_across_the_spring_forward_night_uses_summer_time():
    """`09:00` asked on the Saturday before the change is Sunday 09:00 BST (08:00 UTC)."""
    now = utc(2026, 3, 28, 12, 0)

    assert parse_when("09:00", LONDON, now) == utc(2026, 3, 29, 8, 0)


def test_a_time_skipped_by_the_clocks_is_refused():
    """01:30 on the spring-forward day does not exist in London and is refused."""
    with pytest.raises(InvalidInput) as refused:
        parse_when("2026-03-29 01:30", LONDON, utc(2026, 3, 1))

    assert refused.value.key == "error.when_skipped"


def test_a_time_that_occurs_twice_means_the_first():
    """01:30 on the fall-back day (it happens twice) is the first one, still in BST."""
    assert parse_when("2026-10-25 01:30", LONDON, utc(2026, 10, 1)) == utc(2026, 10, 25, 0, 30)


def test_a_tokyo_day_never_shifts():
    """Asia/Tokyo has no DST: 09:00 is 00:00 UTC in winter and in summer."""
    now = utc(2026, 1, 1)

    assert parse_when("2026-01-15 09:00", TOKYO, now) == utc(2026, 1, 15, 0, 0)
    assert parse_when("2026-07-15 09:00", TOKYO, now) == utc(2026, 7, 15, 0, 0)


# -- the service and the handover --


def _in(clock, minutes: float) -> str:
    """`when` text for `minutes` from now on a UTC server."""
    return format_local(clock.now() + timedelta(minutes=minutes), zone_of("UTC"))


async def _due_now(services, clock, minutes: float = 61) -> None:
    clock.advance(minutes * 60)
    while await services.schedule_worker._run_due() == 0:
        pass


async def test_scheduling_stores_it_and_sends_nothing(services, fake_github, clock, store):
    """A schedule is stored as pending; nothing reaches GitHub and the worker waits for it."""
    draft = await services.drafts.create(ALICE, "Later", "Written now.")

    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 2), None, Author("A"))

    assert done.schedule.state is ScheduleState.PENDING
    assert await services.schedule_worker._run_due() == 120  # sleeps until it is due
    assert fake_github.requests == []
    assert await store.jobs.list_pending_publish_jobs() == []


async def test_a_due_schedule_publishes_once(services, fake_github, clock):
    """At the due time the draft goes through the publish job: one issue, schedule done."""
    draft = await services.drafts.create(ALICE, "Later", "Written now.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("Alice"))

    await _due_now(services, clock)
    while await services.publish_worker._run_due() == 0:
        pass

    assert [issue["title"] for issue in fake_github.issues()] == ["Later"]
    assert await services.scheduling.list(ALICE) == []  # done: the draft shows as published
    assert (await services.drafts.get(ALICE, draft.id)).is_published


async def test_handover_after_a_crash_adopts_the_job_it_made(
    services, fake_github, clock, peek, store
):
    """A crash after the job was recorded but before the schedule was marked: the next
    attempt finds that job instead of publishing again."""
    draft = await services.drafts.create(ALICE, "Once", "Only once.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    clock.advance(3660)
    await store.schedules.claim_schedule(done.schedule.id, clock.now())
    clock.advance(1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, Author("A"))
    while await services.publish_worker._run_due() == 0:
        pass

    await _due_now(services, clock, minutes=0)

    finished = peek.schedule(done.schedule.id)
    assert (finished.state, finished.job_id) == (ScheduleState.DONE, job.id)
    assert len(fake_github.issues()) == 1


async def test_an_edit_after_scheduling_is_what_gets_published(services, fake_github, clock):
    """The draft is read when due: text appended after scheduling is in the issue."""
    draft = await services.drafts.create(ALICE, "Growing", "Morning.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    await services.drafts.append(ALICE, draft.id, "Evening.")

    await _due_now(services, clock)
    while await services.publish_worker._run_due() == 0:
        pass

    assert fake_github.issues()[0]["body"].startswith("Morning.\n\nEvening.")


async def test_unschedule_cancels(services, fake_github, clock, store):
    """A cancelled schedule never publishes."""
    draft = await services.drafts.create(ALICE, "Maybe", "Not yet.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    cancelled, _ = await services.scheduling.unschedule(ALICE, None)
    await _due_now(services, clock)

    assert cancelled.draft_id == draft.id
    assert await store.jobs.list_pending_publish_jobs() == []
    assert fake_github.issues() == []


async def test_scheduling_again_replaces_the_earlier_schedule(services, clock):
    """A second schedule of the same draft replaces the first; one stays pending."""
    draft = await services.drafts.create(ALICE, "Twice", "Text.")
    first = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    second = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 90), None, Author("A"))

    assert second.replaced is not None and second.replaced.id == first.schedule.id
    assert [s.id for s in await services.scheduling.pending()] == [second.schedule.id]


async def test_a_published_draft_cannot_be_scheduled(services, clock):
    """Scheduling a draft that is already published is refused."""
    draft = await services.drafts.create(ALICE, "Done", "Text.")
    await services.publishing.publish(ALICE, draft.id, None, Author("A"))
    while await services.publish_worker._run_due() == 0:
        pass

    with pytest.raises(UserFacingError) as refused:
        await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    assert refused.value.key == "error.already_published"


async def test_a_draft_being_published_cannot_be_scheduled(services, clock):
    """Scheduling a draft whose publish job is pending is refused."""
    draft = await services.drafts.create(ALICE, "Busy", "Text.")
    await services.publishing.publish(ALICE, draft.id, None, Author("A"))

    with pytest.raises(UserFacingError) as refused:
        await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    assert refused.value.key == "error.publish_in_progress"


async def test_a_draft_published_by_hand_before_due_is_not_published_again(
    services, fake_github, clock, peek
):
    """Publishing by hand first: the due schedule ends without a second issue."""
    draft = await services.drafts.create(ALICE, "Early", "Text.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    await services.publishing.publish(ALICE, draft.id, None, Author("A"))
    while await services.publish_worker._run_due() == 0:
        pass

    await _due_now(services, clock)

    assert peek.schedule(done.schedule.id).state is ScheduleState.DONE
    assert len(fake_github.issues()) == 1


async def test_a_schedule_that_cannot_publish_fails_with_its_reason(
    services, fake_github, clock, peek
):
    """A draft still empty when due: the schedule fails with the reason, nothing is sent."""
    draft = await services.drafts.create(ALICE, "Empty", "")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    await _due_now(services, clock)

    failed = peek.schedule(done.schedule.id)
    assert failed.state is ScheduleState.FAILED
    assert services.scheduling.error_for(failed).key == "error.body_empty"
    assert fake_github.issues() == []


async def test_the_server_time_zone_is_used(services, clock, store):
    """`when` is read on the server's clock: the reply shows it in the server's zone."""
    await store.settings.update_guild_settings(ALICE.guild_id, clock.now(), timezone="Asia/Tokyo")
    draft = await services.drafts.create(ALICE, "Tokyo", "Text.")
    due = clock.now() + timedelta(hours=2)
    local = format_local(due, zone_of("Asia/Tokyo"))

    done = await services.scheduling.schedule(ALICE, draft.id, local, None, Author("A"))

    assert done.schedule.due_at == due
    assert (done.local_due, done.timezone) == (local, "Asia/Tokyo")


async def test_a_pending_schedule_survives_reopening_the_database(services, clock, tmp_path):
    """The schedule is in the database file: a new connection (a restart) still has it."""
    draft = await services.drafts.create(ALICE, "Durable", "Text.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    reopened = await Store.open(tmp_path / "diary.sqlite3")
    try:
        assert [s.id for s in await reopened.schedules.list_pending_schedules()] == [
            done.schedule.id
        ]
    finally:
        await reopened.close()


async def test_the_job_it_hands_over_is_an_ordinary_publish_job(services, clock, store):
    """The handed-over job carries the author saved with the schedule."""
    draft = await services.drafts.create(ALICE, "Author", "Text.")
    await services.scheduling.schedule(
        ALICE, draft.id, _in(clock, 60), None, Author("Alice", "https://cdn/a.png")
    )

    await _due_now(services, clock)

    (job,) = await store.jobs.list_pending_publish_jobs()
    assert (job.author_name, job.author_avatar_url, job.state) == (
        "Alice",
        "https://cdn/a.png",
        JobState.PENDING,
    )


async def test_deleting_a_scheduled_draft_drops_its_schedule(services, clock):
    """A deleted draft leaves no schedule behind to publish."""
    draft = await services.drafts.create(ALICE, "Gone", "Text.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))

    await services.drafts.delete(ALICE, draft.id)

    assert await services.scheduling.pending() == []


async def test_github_refusing_for_now_when_due_still_hands_over_to_the_job(
    services, fake_github, clock, peek, store
):
    """The label check hits GitHub's rate limit when due: the schedule is handed over anyway,
    and the publish job, which checks the label itself, waits out the limit and publishes."""
    fake_github.add_label("diary")
    draft = await services.drafts.create(ALICE, "Labelled", "Text.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), "diary", Author("A"))
    services.labels._cached.clear()  # by the due time the label cache has expired
    fake_github.set_rate_limit(0, reset_in=60)
    clock.advance(3660)

    assert await services.schedule_worker._run_due() == 0

    handed = peek.schedule(done.schedule.id)
    assert handed.state is ScheduleState.DONE
    (job,) = await store.jobs.list_pending_publish_jobs()
    assert job.labels == ("diary",)
    assert await services.publish_worker._run_due() == 0  # rate limited: retried later
    assert fake_github.issues() == []
    fake_github.set_rate_limit(5000)
    clock.advance(3600)
    assert await services.publish_worker._run_due() == 0
    (issue,) = fake_github.issues()
    assert issue["labels"] == ["diary"]


async def test_a_draft_whose_schedule_is_being_handed_over_cannot_be_deleted(
    services, clock, store
):
    """Between the claim of a due schedule and its publish job, delete is refused (the job
    would otherwise go on without the draft's images), with a clear message."""
    draft = await services.drafts.create(ALICE, "Day 1", "Morning.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    await store.schedules.claim_schedule(done.schedule.id, clock.now())

    with pytest.raises(UserFacingError) as raised:
        await services.drafts.delete(ALICE, draft.id)

    assert raised.value.key == "error.delete_while_publishing"
    assert await store.drafts.get_draft(ALICE, draft.id) is not None


async def test_a_schedule_due_during_ten_minutes_of_503s_publishes_once_github_is_back(
    services, fake_github, clock
):
    """The schedule falls due while GitHub answers 503 to everything (the label list too, as
    after a restart): it is handed to the publish job anyway, which retries until GitHub
    answers again after ten minutes, then publishes once, with the label."""
    fake_github.add_label("Diary")
    draft = await services.drafts.create(ALICE, "Later", "Written now.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 1), "diary", Author("A"))
    services.labels._cached.clear()  # as after a restart: the labels are not known yet
    fake_github.set_mode(down=True)
    back_at = clock.now() + timedelta(minutes=11)

    for _ in range(500):
        if clock.now() >= back_at:
            fake_github.set_mode(down=False)
        waits = [
            await services.schedule_worker._run_due(),
            await services.publish_worker._run_due(),
        ]
        if fake_github.issues():
            break
        if min(waits) > 0:
            clock.advance(min(waits))

    assert clock.now() >= back_at
    (issue,) = fake_github.issues()
    assert (issue["title"], issue["labels"]) == ("Later", ["Diary"])
    assert (await services.scheduling.list(ALICE)) == []
    statuses = {r.status for r in fake_github.requests}
    assert 503 in statuses


async def test_a_schedule_whose_author_left_fails_with_a_note(
    services, fake_github, clock, members, store
):
    """The author left the server before the due time: nothing is published, the schedule
    fails and says why (shown in /draft list and /draft show)."""
    draft = await services.drafts.create(ALICE, "Gone", "Written before leaving.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    members.gone.add(ALICE.user_id)

    await _due_now(services, clock)

    (failed,) = await services.scheduling.list(ALICE)
    assert failed.state is ScheduleState.FAILED
    assert services.scheduling.error_for(failed).key == "error.author_gone"
    assert fake_github.issues() == []
    assert await store.jobs.list_pending_publish_jobs() == []


async def test_a_schedule_whose_author_lost_the_role_fails(
    services, store, fake_github, clock, members
):
    """With an author role set, an author who no longer has it publishes nothing when due."""
    await store.settings.update_guild_settings(ALICE.guild_id, clock.now(), author_role_id=ROLE)
    draft = await services.drafts.create(ALICE, "Demoted", "Text.")
    await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    members.roles[ALICE.user_id] = frozenset()

    await _due_now(services, clock)

    (failed,) = await services.scheduling.list(ALICE)
    assert services.scheduling.error_for(failed).key == "error.author_role_required"
    assert fake_github.issues() == []


async def test_discord_unreachable_when_due_retries_the_schedule(
    services, fake_github, clock, members, peek
):
    """Whether the author may still write cannot be learnt: retried later, not failed."""
    draft = await services.drafts.create(ALICE, "Patient", "Text.")
    done = await services.scheduling.schedule(ALICE, draft.id, _in(clock, 60), None, Author("A"))
    members.unreachable = True

    await _due_now(services, clock)

    retried = peek.schedule(done.schedule.id)
    assert (retried.state, retried.attempts) == (ScheduleState.PENDING, 1)
    assert fake_github.issues() == []
