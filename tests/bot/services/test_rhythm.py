"""Stats, streaks and the daily reminder, on the server's wall clock, from a real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.models import Owner
from bot.services.announcing import AnnouncementFailed
from bot.services.posting import RecentPost
from bot.services.reminders import LATE_LIMIT, ReminderService
from bot.services.rhythm import RhythmService, streaks
from bot.store import Store
from bot.workers.reminders import ReminderWorker
from tests.bot.builders import ALICE, FakeClock, announcement, job_for

TOKYO = "Asia/Tokyo"
CHANNEL = 300000000000000009
BOB = Owner(ALICE.guild_id, 200000000000000002)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class FakePoster:
    """A ReminderPoster that renders in `locale`, records posts, and raises queued failures."""

    def __init__(self, locale: str = "en-US") -> None:
        self.locale = locale
        self.posts: list[tuple[int, str]] = []
        self.failures: list[Exception] = []
        self.nonces: dict[str, int] = {}  # as Discord matches them within its window
        self.lost_answers = 0  # posts made whose answer is then lost (a 502, a crash)

    async def post_reminder(
        self, channel_id: int, text_for: Callable[[str | None], str], nonce: str
    ) -> int:
        if self.failures:
            raise self.failures.pop(0)
        if nonce in self.nonces:
            return self.nonces[nonce]
        self.posts.append((channel_id, text_for(self.locale)))
        self.nonces[nonce] = 900000000000000000 + len(self.posts)
        if self.lost_answers:
            self.lost_answers -= 1
            raise AnnouncementFailed("502", permanent=False, outcome_unknown=True)
        return self.nonces[nonce]

    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        return [
            RecentPost(900000000000000001 + i, text, (), datetime.now(UTC))
            for i, (channel, text) in enumerate(self.posts)
            if channel == channel_id
        ][::-1][:limit]


async def publish_at(
    store: Store, at: datetime, owner: Owner = ALICE, title: str = "Day", body: str = "Text"
) -> int:
    """A draft published at `at` (as a finished publish job records it); its issue number."""
    draft = await store.drafts.add_draft(owner, title, body, (), at)
    job, _ = await store.jobs.add_publish_job(job_for(draft, at, key=f"key-{draft.id}"))
    number = 100 + draft.id
    url = f"https://github.com/alice/diary/issues/{number}"
    await store.jobs.complete_publish_job(
        job.id, at, issue_number=number, issue_url=url, announcements=()
    )
    return number


@pytest.fixture
def at() -> FakeClock:
    return FakeClock(utc(2026, 11, 26, 3, 0))  # 12:00 in Tokyo


@pytest.fixture
async def tokyo(store, at) -> Store:
    await store.settings.update_guild_settings(ALICE.guild_id, at.now(), timezone=TOKYO)
    return store


@pytest.fixture
def rhythm(store, at) -> RhythmService:
    return RhythmService(store.entries, store.settings, at)


@pytest.fixture
def poster() -> FakePoster:
    return FakePoster()


@pytest.fixture
def reminders(store, rhythm, poster, at) -> ReminderService:
    async def channel_for_guild(guild_id: int) -> int | None:
        return CHANNEL

    return ReminderService(
        store.reminders, store.settings, rhythm, poster, at, channel_for_guild=channel_for_guild
    )


async def _run_due(reminders: ReminderService, at: FakeClock) -> float:
    async def ready() -> None:
        return None

    return await ReminderWorker(reminders, at, ready)._run_due()


# -- streaks and stats --


def test_streak_counts_consecutive_days_up_to_today():
    """Three days in a row ending today: current 3; an older run of 4 is the longest."""
    days = [date(2026, 11, d) for d in (1, 2, 3, 4, 10, 11, 12)]

    assert streaks(days, date(2026, 11, 12)) == (3, 4)


def test_streak_is_kept_until_today_is_over():
    """No entry yet today: the run ending yesterday is still the current streak."""
    days = [date(2026, 11, 10), date(2026, 11, 11)]

    assert streaks(days, date(2026, 11, 12)) == (2, 2)


def test_streak_breaks_after_a_missed_day():
    """Nothing yesterday or today: the current streak is 0."""
    assert streaks([date(2026, 11, 9), date(2026, 11, 10)], date(2026, 11, 12)) == (0, 2)


async def test_an_entry_at_1530_utc_counts_for_the_next_tokyo_day(tokyo, rhythm):
    """15:30 UTC is 00:30 JST the next day: with one at 12:00 UTC (21:00 JST) before it,
    that makes two Tokyo days in a row."""
    await publish_at(tokyo, utc(2026, 11, 25, 12, 0))  # 2026-11-25 21:00 JST
    await publish_at(tokyo, utc(2026, 11, 25, 15, 30))  # 2026-11-26 00:30 JST

    stats = await rhythm.stats(ALICE.guild_id, ALICE.user_id)

    assert (stats.entries, stats.current_streak, stats.longest_streak) == (2, 2, 2)


async def test_the_same_entries_are_one_day_on_a_utc_server(store, rhythm):
    """On a UTC server the same two entries fall on one day: a streak of 1."""
    await publish_at(store, utc(2026, 11, 25, 12, 0))
    await publish_at(store, utc(2026, 11, 25, 15, 30))

    stats = await rhythm.stats(ALICE.guild_id, ALICE.user_id)

    assert (stats.current_streak, stats.longest_streak) == (1, 1)


async def test_characters_this_month_follow_the_local_month(tokyo, rhythm, at):
    """An entry at 15:30 UTC on 30 November is 1 December in Tokyo: it counts for December."""
    at.current = utc(2026, 12, 5, 3, 0)
    await publish_at(tokyo, utc(2026, 11, 30, 15, 30), body="12345")  # 2026-12-01 00:30 JST
    await publish_at(tokyo, utc(2026, 11, 30, 14, 30), body="1234567")  # 2026-11-30 23:30 JST

    stats = await rhythm.stats(ALICE.guild_id, ALICE.user_id)

    assert (stats.month, stats.entries_this_month, stats.characters_this_month) == ("2026-12", 1, 5)


async def test_stats_count_only_the_members_own_entries(store, rhythm):
    """Another member's entries in the same server are not counted."""
    await publish_at(store, utc(2026, 11, 25, 12, 0))
    await publish_at(store, utc(2026, 11, 25, 13, 0), owner=BOB)

    assert (await rhythm.stats(ALICE.guild_id, ALICE.user_id)).entries == 1


# -- reminders --


async def test_reminder_is_posted_at_its_time_once_a_day(tokyo, reminders, poster, at):
    """At 21:00 Tokyo time the nudge is posted; running again that day posts nothing."""
    await reminders.configure(
        ALICE.guild_id, channel_id=None, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)  # 21:00 JST

    await reminders.run(ALICE.guild_id)
    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1
    assert poster.posts[0][0] == 7 and "2026-11-26" in poster.posts[0][1]


async def test_reminder_is_skipped_on_a_day_with_an_entry(tokyo, reminders, poster, at):
    """An entry published earlier that Tokyo day: no nudge."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    await publish_at(tokyo, utc(2026, 11, 25, 15, 30))  # 2026-11-26 00:30 JST
    at.current = utc(2026, 11, 26, 12, 0)

    await reminders.run(ALICE.guild_id)

    assert poster.posts == []
    assert (await tokyo.reminders.get_reminder(ALICE.guild_id)).outcome == "skipped"


async def test_an_entry_on_the_previous_local_day_does_not_skip(tokyo, reminders, poster, at):
    """14:30 UTC on the 25th is 23:30 JST on the 25th: the 26th still gets its nudge."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    await publish_at(tokyo, utc(2026, 11, 25, 14, 30))
    at.current = utc(2026, 11, 26, 12, 0)

    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1


async def test_an_entry_written_on_github_also_skips(tokyo, reminders, poster, at):
    """An entry written on GitHub and announced in the server's channel counts too."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    await tokyo.announcements.add_announcements(
        [announcement(CHANNEL, 77, utc(2026, 11, 26, 1, 0))]
    )
    at.current = utc(2026, 11, 26, 12, 0)

    await reminders.run(ALICE.guild_id)

    assert poster.posts == []


async def test_a_time_already_past_today_starts_tomorrow(tokyo, reminders, at):
    """Set at 12:00 for 09:00: the first post is due tomorrow 09:00, not at once."""
    view = await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="09:00", on_this_day=None, default_channel_id=7
    )

    assert view.next_at == utc(2026, 11, 27, 0, 0)  # 2026-11-27 09:00 JST


async def test_setting_up_a_reminder_gives_the_server_the_admins_language(store, reminders):
    """configure(first_language=): a server without a language takes the admin's (its
    reminders need one); a later admin's language does not replace it."""
    for language in ("ja", "en"):
        await reminders.configure(
            ALICE.guild_id,
            channel_id=9,
            time_text="09:00",
            on_this_day=None,
            default_channel_id=7,
            first_language=language,
        )

    assert (await store.settings.get_guild_settings(ALICE.guild_id)).language == "ja"


async def test_show_without_a_reminder_names_the_servers_time_zone(tokyo, reminders):
    """show: no reminder yet, and the time zone its time would be written in."""
    assert await reminders.show(ALICE.guild_id) == (None, "Asia/Tokyo")


async def test_the_worker_sleeps_until_the_reminder_is_due(tokyo, reminders, at):
    """With the reminder at 12:00:30 Tokyo time and now 12:00, the worker waits 30 s."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="12:00:30", on_this_day=None, default_channel_id=7
    )

    assert await _run_due(reminders, at) == 30


async def test_reminder_is_posted_in_the_servers_language(tokyo, store, rhythm, at):
    """The text is rendered for the locale the poster gives (the server's preferred one)."""
    japanese = FakePoster(locale="ja")

    async def channel_for_guild(guild_id: int) -> int | None:
        return None

    service = ReminderService(
        store.reminders, store.settings, rhythm, japanese, at, channel_for_guild=channel_for_guild
    )
    await service.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)

    await service.run(ALICE.guild_id)

    assert "日記" in japanese.posts[0][1]


async def test_a_post_whose_answer_was_lost_is_not_posted_again(tokyo, reminders, poster, at):
    """Discord posted the day but the answer was lost: the retry sends the same nonce, and
    Discord's earlier message is recorded; one post."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)
    poster.lost_answers = 1

    await reminders.run(ALICE.guild_id)
    at.advance(60)
    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1
    assert (await tokyo.reminders.get_reminder(ALICE.guild_id)).outcome == "sent"


async def test_past_the_nonce_window_the_post_is_found_not_repeated(tokyo, reminders, poster, at):
    """The day may have been posted longer ago than Discord keeps nonces: the bot looks for
    the day's post, adopts it, and posts nothing."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)
    poster.lost_answers = 1
    await reminders.run(ALICE.guild_id)
    poster.nonces.clear()  # Discord forgot the nonce
    at.advance(600)

    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1
    assert (await tokyo.reminders.get_reminder(ALICE.guild_id)).outcome == "sent"


async def test_off_and_on_the_same_day_posts_no_second_time(tokyo, reminders, poster, at):
    """Posted today, turned off, turned on for later today: nothing more today."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)
    await reminders.run(ALICE.guild_id)
    assert await reminders.turn_off(ALICE.guild_id)
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="22:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 13, 0)

    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1
    assert (await reminders.show(ALICE.guild_id))[0].next_at == utc(2026, 11, 27, 13, 0)


async def test_a_retrying_day_is_not_taken_before_its_retry_is_due(tokyo, reminders, at):
    """A day waiting to retry cannot be claimed again before its time."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    now = utc(2026, 11, 26, 12, 0)
    assert await tokyo.reminders.claim_reminder_day(ALICE.guild_id, "2026-11-26", now)
    await tokyo.reminders.record_reminder(
        ALICE.guild_id, "2026-11-26", now, "retrying", next_attempt_at=now + timedelta(minutes=5)
    )

    assert await tokyo.reminders.claim_reminder_day(ALICE.guild_id, "2026-11-26", now) is None
    later = now + timedelta(minutes=5)
    assert await tokyo.reminders.claim_reminder_day(ALICE.guild_id, "2026-11-26", later) is not None


async def test_a_reminder_missed_for_hours_is_skipped_not_posted_late(tokyo, reminders, poster, at):
    """The bot was away well past 21:00: that day's nudge is dropped, tomorrow's is due."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0) + LATE_LIMIT + LATE_LIMIT

    await reminders.run(ALICE.guild_id)

    assert poster.posts == []
    assert (await reminders.show(ALICE.guild_id))[0].next_at == utc(2026, 11, 27, 12, 0)


async def test_a_failed_post_is_retried_and_posted_once(tokyo, reminders, poster, at):
    """Discord fails once (503): the post is retried later, and made once."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)
    poster.failures.append(AnnouncementFailed("503", permanent=False))

    await reminders.run(ALICE.guild_id)
    at.advance(60)
    await reminders.run(ALICE.guild_id)
    await reminders.run(ALICE.guild_id)

    assert len(poster.posts) == 1


async def test_a_channel_the_bot_cannot_post_in_gives_up_for_the_day(tokyo, reminders, poster, at):
    """403: no retry that day; the next post is due tomorrow."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )
    at.current = utc(2026, 11, 26, 12, 0)
    poster.failures.append(AnnouncementFailed("403", permanent=True))

    await reminders.run(ALICE.guild_id)

    assert (await reminders.show(ALICE.guild_id))[0].next_at == utc(2026, 11, 27, 12, 0)


async def test_on_this_day_links_entries_of_the_same_date_in_earlier_years(
    tokyo, reminders, poster, at
):
    """With on_this_day, the post links last year's entry of 26 November (Tokyo date)."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=True, default_channel_id=7
    )
    number = await publish_at(tokyo, utc(2025, 11, 25, 15, 30), title="A [year] ago")
    await publish_at(tokyo, utc(2025, 11, 25, 14, 0), title="Not this day")  # 25th in Tokyo
    at.current = utc(2026, 11, 26, 12, 0)

    await reminders.run(ALICE.guild_id)

    text = poster.posts[0][1]
    assert f"issues/{number}" in text and "A \\[year\\] ago" in text
    assert "Not this day" not in text


async def test_turning_off_removes_the_reminder(tokyo, reminders, poster, at):
    """After turning it off nothing is due and nothing is posted."""
    await reminders.configure(
        ALICE.guild_id, channel_id=9, time_text="21:00", on_this_day=None, default_channel_id=7
    )

    assert await reminders.turn_off(ALICE.guild_id)
    at.current = utc(2026, 11, 26, 12, 0)
    assert await reminders.due() == []


async def test_reminders_behind_a_failing_one_are_posted(tokyo, store, reminders, poster, at):
    """A server's reminder whose handling raises past the service's own error handling is
    set aside (the attempt counted, the retry later), and another server's is posted."""
    other = Owner(ALICE.guild_id + 1, ALICE.user_id).guild_id
    await store.settings.update_guild_settings(other, at.now(), timezone=TOKYO)
    for guild_id, time_text in ((ALICE.guild_id, "12:00:10"), (other, "12:00:20")):
        await reminders.configure(
            guild_id, channel_id=9, time_text=time_text, on_this_day=None, default_channel_id=7
        )
    at.advance(30)

    async def ready() -> None:
        return None

    worker = ReminderWorker(reminders, at, ready)
    original = worker.run_one

    async def run_one(job):
        if job.guild_id == ALICE.guild_id:
            raise RuntimeError("a bug in the handler")
        await original(job)

    worker.run_one = run_one
    for _ in range(4):  # as the loop goes round (an escaping error: the same job again)
        try:
            await worker._run_due()
        except RuntimeError:
            pass

    assert len(poster.posts) == 1
    assert (await store.reminders.get_reminder(other)).outcome == "sent"
    first = await store.reminders.get_reminder(ALICE.guild_id)
    assert (first.outcome, first.attempts) == ("retrying", 1)
    assert first.next_attempt_at > at.now()
    at.advance(60)
    await worker._run_due()
    second = await store.reminders.get_reminder(ALICE.guild_id)
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at
