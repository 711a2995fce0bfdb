"""The server's language: posts no member triggered (reminders) follow it, not Discord's
preferred locale, which only Community servers can set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import i18n
from tests.e2e.harness import Rig, wait_for_quiet


def _clock_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%H:%M:%S")


def _japanese_nudge() -> str:
    return i18n.t("ja", "reminder.nudge", date=datetime.now(UTC).date().isoformat())


def _reminder_post(rig: Rig) -> dict:
    bot_id = rig.discord.world.application_id

    def posts() -> list[dict]:
        return [m for m in rig.discord.channel_messages("writing") if m["author"]["id"] == bot_id]

    rig.discord.wait_for(posts, 15, "the reminder")
    wait_for_quiet(rig)  # a duplicate would arrive before the fakes go quiet
    (post,) = posts()
    return post


def test_a_reminder_in_a_japanese_server_is_japanese(rig: Rig) -> None:
    """language:ja set by an admin whose Discord is in English: the reminder is in Japanese
    although the server's preferred_locale is en-US."""
    assert rig.discord.world.guild_locale == "en-US"
    rig.start_bot()
    saved = rig.slash("admin", "config", {"language": "ja"}, command="diary-admin").wait_final()
    assert "日本語" in saved["content"]
    rig.slash("admin", "reminder", {"time": _clock_in(3)}, command="diary-admin").wait_final()

    post = _reminder_post(rig)

    assert post["content"] == _japanese_nudge()


def test_the_first_admin_to_configure_sets_the_default_language(rig: Rig) -> None:
    """An admin whose Discord is in Japanese configures the server first: its reminders are
    in Japanese without choosing a language; a later English admin does not change that."""
    rig.start_bot()
    rig.slash(
        "admin", "config", {"timezone": "UTC"}, command="diary-admin", locale="ja"
    ).wait_final()
    shown = rig.slash("admin", "config", command="diary-admin").wait_final()
    assert "日本語" in shown["content"]
    rig.slash("admin", "reminder", {"time": _clock_in(3)}, command="diary-admin").wait_final()

    assert _reminder_post(rig)["content"] == _japanese_nudge()
