"""Channel posts happen once whatever happens: nonces Discord matches, and a look for the post
past Discord's nonce window; the reminder once a day."""

from __future__ import annotations

import os
import time

from tests.e2e.harness import Rig, wait_for_quiet, wait_until
from tests.e2e.kill_storm import KILL_COUNT_ENV, run_kill_storm


def _quiet_posts(rig: Rig, channel: str, count: int, timeout: float = 20) -> list[dict]:
    """The channel's messages once it has `count` and the fakes are quiet."""
    rig.discord.wait_for(
        lambda: len(rig.discord.channel_messages(channel)) >= count, timeout, f"{channel} posts"
    )
    wait_for_quiet(rig)
    return rig.discord.channel_messages(channel)


def _kill_while_announcement_is_held(rig: Rig) -> None:
    """Publish; the announcement is stored by Discord, its answer held; the bot is killed."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Once", "body": "Announced once."}).wait_final()
    rig.discord.hold_channel_posts()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    rig.discord.wait_for(lambda: rig.discord.posts.held == 1, 15, "the held announcement")
    assert rig.bot is not None
    rig.bot.kill()
    rig.discord.release_channel_posts()


def _edit_entry(rig: Rig, title: str) -> None:
    opened = rig.entry("owner", "edit", {"number": 1}).wait_response()
    fields = [row["components"][0] for row in opened["data"]["components"]]
    saved = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {fields[0]["custom_id"]: title, fields[1]["custom_id"]: "Edited."},
    ).wait_final(timeout=15, quiet=0.5)
    assert "Updated entry" in saved["content"]


def _edited_to(rig: Rig, title: str) -> list[dict]:
    return rig.discord.wait_for(
        lambda: [
            m
            for m in rig.discord.channel_messages("announcements")
            if m["embeds"][0]["title"] == title and m["edited_timestamp"]
        ],
        15,
        "announcement edit",
    )


def test_killed_while_the_announcement_answer_is_held_gives_one_announcement(rig: Rig) -> None:
    """Restarted within Discord's nonce window: the same nonce is sent, Discord returns the
    earlier message; one announcement, and a later edit edits that message."""
    _kill_while_announcement_is_held(rig)
    rig.start_bot()
    wait_until(lambda: rig.discord.posts.returned_earlier >= 1)
    (message,) = _quiet_posts(rig, "announcements", 1)
    _edit_entry(rig, "Once, edited")
    (edited,) = _edited_to(rig, "Once, edited")
    assert edited["id"] == message["id"]
    assert len(rig.discord.channel_messages("announcements")) == 1


def test_restart_past_the_nonce_window_finds_the_announcement_by_its_link(rig: Rig) -> None:
    """Restarted after Discord forgot the nonce: the bot finds its post by the entry's link
    and adopts it; one announcement, and the edit goes to it."""
    rig.discord.posts.window = 1.0
    rig.extra_env["DISCORD_NONCE_WINDOW"] = "1"
    _kill_while_announcement_is_held(rig)
    time.sleep(2.5)
    rig.start_bot()
    wait_until(lambda: "adopted" in rig.bot.log())  # type: ignore[union-attr]
    (message,) = _quiet_posts(rig, "announcements", 1)
    assert rig.discord.posts.returned_earlier == 0
    _edit_entry(rig, "Found by link")
    (edited,) = _edited_to(rig, "Found by link")
    assert edited["id"] == message["id"]


def test_a_post_stored_then_answered_502_is_one_message(rig: Rig) -> None:
    """Discord stores the announcement and answers 502; discord.py re-sends with the same
    nonce: one announcement."""
    rig.start_bot()
    rig.discord.fail_after_storing("announcements", 1, status=502)
    rig.slash("owner", "new", {"title": "502", "body": "Once."}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert len(_quiet_posts(rig, "announcements", 1)) == 1
    posts = [r for r in rig.discord.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in posts] == [502, 200]


def _reminder_in(rig: Rig, seconds: float) -> None:
    clock = time.strftime("%H:%M:%S", time.gmtime(time.time() + seconds))
    reply = rig.slash("admin", "reminder", {"time": clock}, command="diary-admin").wait_final()
    assert "Saved the daily reminder" in reply["content"]


def _bot_posts(rig: Rig, channel: str) -> list[dict]:
    bot = rig.discord.world.application_id
    return [m for m in rig.discord.channel_messages(channel) if m["author"]["id"] == bot]


def test_killed_while_the_reminder_answer_is_held_gives_one_reminder(rig: Rig) -> None:
    """The reminder is stored by Discord, the bot killed before the answer: after the
    restart, one reminder that day."""
    rig.start_bot()
    rig.discord.hold_channel_posts()
    _reminder_in(rig, 2)
    rig.discord.wait_for(lambda: rig.discord.posts.held == 1, 15, "the held reminder")
    assert rig.bot is not None
    rig.bot.kill()
    rig.discord.release_channel_posts()
    rig.start_bot()
    wait_until(lambda: "reminder of server" in rig.bot.log().rsplit("--- start ---", 1)[1])  # type: ignore[union-attr]
    wait_for_quiet(rig)
    assert len(_bot_posts(rig, "writing")) == 1


def test_reminder_off_and_on_the_same_day_posts_no_second_time(rig: Rig) -> None:
    """Posted today, turned off, turned on for a moment later today: no second post."""
    rig.start_bot()
    _reminder_in(rig, 2)
    wait_until(lambda: _bot_posts(rig, "writing"))
    off = rig.slash("admin", "reminder", {"time": "off"}, command="diary-admin").wait_final()
    assert "off" in off["content"]
    _reminder_in(rig, 2)
    time.sleep(4)  # the reminder's new time passes
    wait_for_quiet(rig)
    assert len(_bot_posts(rig, "writing")) == 1


def test_killed_while_entry_add_creates_the_comment_gives_one_comment(rig: Rig) -> None:
    """GitHub has the comment but the bot dies before the answer: after the restart the job
    finds it by its hidden key; exactly one comment."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Day", "body": "Morning."}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    rig.github.hold_creates()
    rig.entry("owner", "add", {"number": 1, "text": "Evening."})
    rig.github.wait_for_request("POST", "/comments", timeout=10)
    assert rig.bot is not None
    rig.bot.kill()
    rig.github.release_creates()  # GitHub finishes it; nobody hears the answer
    wait_until(lambda: len(rig.github.comments(1)) == 1)
    rig.start_bot()
    wait_until(lambda: "found the comment of an earlier attempt" in rig.bot.log())  # type: ignore[union-attr]
    wait_for_quiet(rig)
    (comment,) = rig.github.comments(1)
    assert comment["body"].startswith("Evening.\n\n<!-- diary-bot:")


def test_publishes_killed_at_random_moments_neither_double_nor_lose(rig: Rig) -> None:
    """Each publish followed by a SIGKILL at a seeded random moment while GitHub is slow
    (DIARY_KILL_COUNT times; 50 in the bench): no duplicate issue or announcement, no draft
    lost."""
    kills = int(os.environ.get(KILL_COUNT_ENV, "5"))
    storm = run_kill_storm(rig, kills)
    print(storm.summary())
    assert (storm.duplicate_issues, storm.duplicate_announcements, storm.lost_drafts) == (0, 0, 0)
    assert storm.issues == storm.announcements == kills
