"""A diary that keeps its rhythm: scheduled publishing and the daily reminder, run for real."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.models import Reminder
from bot.store import Store
from tests.e2e.harness import Rig, settled_announcements, wait_for_quiet, wait_until

TOKYO = "Asia/Tokyo"


def _clock_in(seconds: float, timezone: str = "UTC") -> str:
    """`HH:MM:SS` on the server's wall clock `seconds` from now."""
    return (datetime.now(ZoneInfo(timezone)) + timedelta(seconds=seconds)).strftime("%H:%M:%S")


def _bot_posts(rig: Rig, channel: str) -> list[dict]:
    bot_id = rig.discord.world.application_id
    return [m for m in rig.discord.channel_messages(channel) if m["author"]["id"] == bot_id]


def _reminder(rig: Rig) -> Reminder | None:
    """The server's reminder as the bot stored it (read beside the running bot)."""

    async def read() -> Reminder | None:
        store = await Store.open(rig.database_path)
        try:
            return await store.reminders.get_reminder(int(rig.discord.world.guild_id))
        finally:
            await store.close()

    return asyncio.run(read())


def _use_tokyo_time(rig: Rig) -> None:
    rig.slash("admin", "config", {"timezone": TOKYO}, command="diary-admin").wait_final()


def test_a_scheduled_draft_publishes_once_when_due(rig: Rig) -> None:
    """`when` a few seconds ahead: the reply says when; then one issue, one announcement."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Later", "body": "Scheduled."}).wait_final()
    reply = rig.slash("owner", "publish", {"when": _clock_in(3)}).wait_final()
    assert "will be published" in reply["content"] and "<t:" in reply["content"]
    assert len(settled_announcements(rig)) == 1
    assert [issue["title"] for issue in rig.github.issues()] == ["Later"]


def test_a_schedule_due_while_the_bot_is_down_publishes_once_after_restart(rig: Rig) -> None:
    """Scheduled in Tokyo time, bot stopped, due time passes, bot started: published once,
    by the second run."""
    rig.start_bot()
    _use_tokyo_time(rig)
    rig.slash("owner", "new", {"title": "Restart", "body": "Still here."}).wait_final()
    due = time.monotonic() + 5
    reply = rig.slash("owner", "publish", {"when": _clock_in(5, TOKYO)}).wait_final()
    assert TOKYO in reply["content"]
    assert rig.stop_bot() == 0
    time.sleep(max(0.0, due - time.monotonic()) + 0.5)
    rig.start_bot()
    assert len(settled_announcements(rig)) == 1
    assert len(rig.github.issues()) == 1
    assert rig.bot is not None
    assert "handed to publish job" in rig.bot.log().rsplit("--- start ---", 1)[-1]


def test_draft_list_shows_when_a_draft_is_scheduled(rig: Rig) -> None:
    """/draft list says "scheduled for" with a Discord timestamp."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Tomorrow", "body": "Text."}).wait_final()
    rig.slash("owner", "publish", {"when": _clock_in(3600)}).wait_final()
    listing = rig.slash("owner", "list").wait_final()["embeds"][0]["description"]
    assert "scheduled for <t:" in listing


def test_unschedule_cancels_the_publish(rig: Rig) -> None:
    """A draft unscheduled before its time is not published; one scheduled after it is."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Cancelled", "body": "Never."}).wait_final()
    rig.slash("owner", "publish", {"when": _clock_in(3)}).wait_final()
    cancelled = rig.slash("owner", "unschedule").wait_final()
    assert "Cancelled the scheduled publish of draft #1" in cancelled["content"]
    # Due after the cancelled one: once it is published, the first had its chance.
    rig.slash("owner", "new", {"title": "Kept", "body": "Yes."}).wait_final()
    rig.slash("owner", "publish", {"when": _clock_in(4)}).wait_final()
    assert len(settled_announcements(rig)) == 1
    assert [issue["title"] for issue in rig.github.issues()] == ["Kept"]


def test_a_time_in_the_past_is_refused(rig: Rig) -> None:
    """A past date-time is refused, naming the server's time zone; nothing is scheduled."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Past", "body": "Too late."}).wait_final()
    reply = rig.slash("owner", "publish", {"when": "2020-01-01 09:00"}).wait_final()
    assert "already passed" in reply["content"] and "UTC" in reply["content"]
    listing = rig.slash("owner", "list").wait_final()["embeds"][0]["description"]
    assert "scheduled" not in listing
    assert rig.github.issues() == []


def test_daily_reminder_is_posted_once_pinging_nobody(rig: Rig) -> None:
    """A reminder a few seconds ahead on Tokyo's clock posts one nudge that pings nobody."""
    rig.start_bot()
    _use_tokyo_time(rig)
    reply = rig.slash("admin", "reminder", {"time": _clock_in(3, TOKYO)}, command="diary-admin")
    assert "Saved the daily reminder" in reply.wait_final()["content"]
    wait_until(lambda: _bot_posts(rig, "writing"))
    wait_for_quiet(rig)  # a duplicate would arrive before the fakes go quiet
    (post,) = _bot_posts(rig, "writing")
    assert "/draft new" in post["content"]
    assert post["pinged"] == set()
    assert post["allowed_mentions"] == {"parse": []}


def test_daily_reminder_is_skipped_on_a_day_with_an_entry(rig: Rig) -> None:
    """An entry published today: when the reminder's time comes, nothing is posted."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Written", "body": "Today."}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    rig.slash("admin", "reminder", {"time": _clock_in(2)}, command="diary-admin").wait_final()
    wait_until(lambda: (found := _reminder(rig)) is not None and found.outcome == "skipped")
    assert _bot_posts(rig, "writing") == []


def test_stats_count_a_published_entry(rig: Rig) -> None:
    """After one entry, /diary stats shows 1 entry and a current streak of 1 day, privately."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Counted", "body": "Twelve chars"}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    shown = rig.slash("owner", "stats", command="diary").wait_final()
    assert shown["flags"] & 64
    fields = {field["name"]: field["value"] for field in shown["embeds"][0]["fields"]}
    assert fields["Entries"] == "1"
    assert fields["Current streak (days)"] == "1"
