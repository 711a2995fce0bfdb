"""/diary-admin config and /diary-admin status as an admin meets them: `-` clears the
announcement channel and the author role, and the status shows the watcher's real last check."""

from __future__ import annotations

import time

from tests.e2e.harness import Rig


def config(rig: Rig, options: dict, locale: str = "en-US") -> str:
    reply = rig.slash("admin", "config", options, command="diary-admin", locale=locale).wait_final()
    assert reply["flags"] & 64
    return reply["content"]


def watcher_field(rig: Rig, locale: str = "en-US") -> str:
    reply = rig.slash("admin", "status", command="diary-admin", locale=locale).wait_final()
    (field,) = [
        f for f in reply["embeds"][0]["fields"] if f["name"].startswith(("Watcher", "監視"))
    ]
    return field["value"]


def test_dash_clears_the_author_role(rig: Rig) -> None:
    """`author_role: -` removes the role: the settings say so and members without Manage
    Server may no longer write."""
    rig.start_bot()
    author = rig.discord.role_id("Author")
    assert f"<@&{author}>" in config(rig, {"author_role": author})
    cleared = config(rig, {"author_role": "-"})
    assert f"<@&{author}>" not in cleared
    assert "Author role: none (members with Manage Server may write)" in cleared
    assert "Author role: none" in config(rig, {})


def test_dash_clears_the_announcement_channel(rig: Rig) -> None:
    """`announce_channel: -` removes the server's announcement channel (with no default set,
    none is left), in a Japanese client too."""
    rig.extra_env["ANNOUNCE_CHANNEL_ID"] = ""
    rig.start_bot()
    writing = rig.discord.channel_id("writing")
    assert f"<#{writing}>" in config(rig, {"announce_channel": writing})
    cleared = config(rig, {"announce_channel": "-"}, locale="ja")
    assert f"<#{writing}>" not in cleared
    assert "お知らせチャンネル: なし" in cleared or "お知らせチャンネル：なし" in cleared


def test_channel_and_role_are_offered_by_name_and_unknown_ones_refused(rig: Rig) -> None:
    """Autocomplete offers `-` and the server's channels and roles; a channel typed by name is
    found, an unknown one is refused in the member's language with nothing changed."""
    rig.start_bot()
    offered = rig.slash(
        "admin",
        "config",
        {"announce_channel": ""},
        command="diary-admin",
        focused="announce_channel",
    ).wait_response()["data"]["choices"]
    assert offered[0]["value"] == "-"
    assert {"name": "#writing", "value": rig.discord.channel_id("writing")} in offered
    roles = rig.slash(
        "admin", "config", {"author_role": "auth"}, command="diary-admin", focused="author_role"
    ).wait_response()["data"]["choices"]
    assert roles == [{"name": "@Author", "value": rig.discord.role_id("Author")}]
    by_name = config(rig, {"announce_channel": "#writing"})
    assert f"<#{rig.discord.channel_id('writing')}>" in by_name
    refused = config(rig, {"announce_channel": "no-such-place"}, locale="ja")
    assert "「no-such-place」というテキストチャンネルはありません" in refused
    assert f"<#{rig.discord.channel_id('writing')}>" in config(rig, {})


def test_status_shows_the_watchers_last_check_and_its_failure(rig: Rig) -> None:
    """With the watcher on, /diary-admin status shows its last check and result; once GitHub
    rejects the token, the next status says the check failed and why."""
    rig.extra_env["POLL_INTERVAL"] = "1"
    rig.start_bot()
    value = watcher_until(rig, ("nothing new",))  # the poll after the baseline
    assert value.startswith("last check <t:")
    assert "新しいものはありません" in watcher_field(rig, locale="ja")
    rig.github.set_mode(token_revoked=True)
    value = watcher_until(rig, ("failed",))
    assert "the GitHub token was rejected (expired or revoked)" in value
    rig.github.set_mode(token_revoked=False)


def watcher_until(rig: Rig, words: tuple[str, ...], timeout: float = 15) -> str:
    """The status's watcher line once it holds one of `words`."""
    deadline = time.monotonic() + timeout
    while not any(word in (value := watcher_field(rig)) for word in words):
        assert time.monotonic() < deadline, value
        time.sleep(0.3)
    return value
