"""Announcements for every diary of a server, through the real bot: entries written directly
on GitHub in two members' own repositories and in the server diary are each announced once in
every server following them, with their author, found by polls (a member's repository read
with their own token, 304s costing nothing) or by signed webhook deliveries routed by
repository; a stranger's issue in a member's repository is not announced."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.harness import Rig, wait_for_quiet, wait_until
from tests.e2e.test_connect import enable_connections
from tests.e2e.test_webhooks import example, start_listening

# bob's diary is connected in the home server only; carol's in both servers.
CONNECTIONS = (
    ("admin", "writing", "bob", "bob/diary"),
    ("owner", "writing", "carol", "carol/diary"),
    ("stranger", "elsewhere", "carol", "carol/diary"),
)


def two_servers(rig: Rig) -> None:
    """The bot serves the home server and a second one, whose owner is `stranger`; the
    members' repositories exist and the operator's GitHub App is installed on them."""
    world = rig.discord.world
    world.bot_guilds.append(world.other_guild_id)
    rig.extra_env["DISCORD_GUILD_ID"] = f"{world.guild_id},{world.other_guild_id}"
    enable_connections(rig)
    for login in ("bob", "carol"):
        rig.github.add_repository(f"{login}/diary")
        rig.github.oauth.add_installation(login, [f"{login}/diary"], {login: "admin"})


def connect(rig: Rig, user: str, channel: str, login: str, repository: str) -> None:
    """/diary connect in `channel`: sign in on the local github.com as `login`, then pick."""
    started = rig.slash(user, "connect", command="diary", channel=channel)
    shown = started.wait_final(timeout=10)
    assert "/login/device" in shown["content"], shown
    (code,) = rig.github.oauth.pending_user_codes()
    rig.github.oauth.approve(code, login)
    wait_until(lambda: "Signed in" in started.wait_final()["content"])
    chosen = rig.slash(
        user, "connect", {"repository": repository}, command="diary", channel=channel
    )
    assert f"**{repository}**" in chosen.wait_final(timeout=10)["content"]


def set_up(rig: Rig) -> None:
    """The second server announces in #elsewhere; three connections (bob's diary at home,
    carol's in both servers; with no author role set, members with Manage Server write)."""
    elsewhere = rig.discord.world.channel_ids["elsewhere"]
    reply = rig.slash(
        "stranger",
        "config",
        {"announce_channel": elsewhere},
        command="diary-admin",
        channel="elsewhere",
    ).wait_final(timeout=10)
    assert f"<#{elsewhere}>" in reply["content"], reply
    for user, channel, login, repository in CONNECTIONS:
        connect(rig, user, channel, login, repository)


def posted(rig: Rig, channel: str) -> list[tuple[str, str]]:
    """(title, author) of each announcement in `channel`, oldest first."""
    return [
        (m["embeds"][0]["title"], m["embeds"][0]["author"]["name"])
        for m in rig.discord.channel_messages(channel)
        if m.get("embeds")
    ]


def polled(rig: Rig, repository: str, start: int = 0) -> int:
    """Answered watcher polls of `repository` from request `start` on."""
    return sum(
        1
        for r in rig.github.requests[start:]
        if r.method == "GET"
        and r.path.lower() == f"/repos/{repository}/issues"
        and "sort=updated" in r.query
        and r.status is not None
    )


def wait_for_polls(rig: Rig, repositories: tuple[str, ...], count: int, start: int) -> None:
    deadline = time.monotonic() + 30
    while any(polled(rig, r, start) < count for r in repositories):
        assert time.monotonic() < deadline, rig.bot and rig.bot.log()
        time.sleep(0.05)


DIARIES = ("alice/diary", "bob/diary", "carol/diary")
HOME = [("Server day", "alice"), ("Bob's day", "bob"), ("Carol's day", "carol")]
OTHER = [("Server day", "alice"), ("Carol's day", "carol")]


def write_on_github(rig: Rig) -> None:
    """One entry in each diary, written on github.com; and a stranger's issue in bob's."""
    rig.github.add_issue_from_web("Server day", body="The server's diary.", user="alice")
    rig.github.add_issue_from_web(
        "Bob's day", body="Bob wrote.", user="bob", repository="bob/diary"
    )
    rig.github.add_issue_from_web(
        "Buy now", body="Cheap pills.", user="mallory", repository="bob/diary"
    )
    rig.github.add_issue_from_web(
        "Carol's day", body="Carol wrote.", user="carol", repository="carol/diary"
    )


def test_entries_in_every_diary_are_announced_once_per_server_by_polling(rig: Rig) -> None:
    """Polls find an entry written on GitHub in the server diary and in two members' own
    repositories: each is announced once in every server following it, with its author;
    the stranger's issue in bob's repository is not; each member's repository is read with
    that member's token; and while nothing changes a poll costs no rate-limit point."""
    two_servers(rig)
    rig.extra_env["POLL_INTERVAL"] = "1"
    rig.start_bot()
    set_up(rig)
    wait_for_polls(rig, DIARIES, 2, 0)  # a baseline of each diary, then a poll after it

    write_on_github(rig)
    rig.discord.wait_for(
        lambda: len(posted(rig, "announcements")) >= 3 and len(posted(rig, "elsewhere")) >= 2,
        30,
        "announcements in both servers",
    )
    wait_for_polls(rig, DIARIES, 2, len(rig.github.requests))  # two more polls: no duplicate

    assert sorted(posted(rig, "announcements")) == sorted(HOME)
    assert sorted(posted(rig, "elsewhere")) == sorted(OTHER)
    assert "bob/diary#2 by 'mallory' (NONE) is not a diary entry" in rig.bot.log()
    reads = {
        r.path.split("/")[2]: r.headers.get("Authorization", "")
        for r in rig.github.requests
        if r.path.endswith("/issues") and r.method == "GET"
    }
    assert reads["bob"] != reads["carol"] and reads["alice"].endswith(rig.github.token)

    rig.github.reset_usage()
    start = len(rig.github.requests)
    wait_for_polls(rig, DIARIES, 3, start)

    usage = rig.github.usage()
    for login in (rig.github.state.token_user, "bob", "carol"):
        assert usage[login].points == 0 and usage[login].not_modified >= 3, (login, usage)


def delivery(rig: Rig, number: int, repository: str) -> dict[str, Any]:
    """An `opened` event of issue `number` of `repository`, as GitHub sends it."""
    payload = example("issues.opened")
    payload["issue"] = rig.github.issue_json(number, repository)
    payload["repository"]["full_name"] = repository
    return payload


def restart(rig: Rig) -> None:
    """Stop and start the bot: the watcher looks at every diary as it starts."""
    assert rig.stop_bot() == 0
    start = len(rig.github.requests)
    rig.start_bot()
    wait_for_polls(rig, DIARIES, 1, start)


def test_webhook_deliveries_are_routed_by_repository_and_announced_once(rig: Rig) -> None:
    """Signed `opened` deliveries of the server diary and of both members' repositories are
    announced once per server following each; a repeated delivery, one of a repository no
    server follows, and the poll after the webhooks add nothing; a stranger's issue
    delivered for bob's repository is not announced."""
    two_servers(rig)
    rig.extra_env["POLL_INTERVAL"] = "1"  # with the webhook on: a poll at start, then rarely
    hook = start_listening(rig)
    set_up(rig)
    restart(rig)  # every diary has its baseline now
    write_on_github(rig)
    server, bob, stranger = 1, 1, 2
    carol = 1

    answers = [
        hook.deliver("issues", delivery(rig, server, "alice/diary"), delivery="d-1").status_code,
        hook.deliver("issues", delivery(rig, bob, "bob/diary"), delivery="d-2").status_code,
        hook.deliver("issues", delivery(rig, stranger, "bob/diary"), delivery="d-3").status_code,
        hook.deliver("issues", delivery(rig, carol, "carol/diary"), delivery="d-4").status_code,
        hook.deliver("issues", delivery(rig, carol, "carol/diary"), delivery="d-4").status_code,
    ]
    unknown = delivery(rig, bob, "bob/diary")
    unknown["repository"]["full_name"] = "dora/diary"
    answers.append(hook.deliver("issues", unknown, delivery="d-5").status_code)
    rig.discord.wait_for(
        lambda: len(posted(rig, "announcements")) >= 3 and len(posted(rig, "elsewhere")) >= 2,
        30,
        "announcements in both servers",
    )
    wait_for_quiet(rig)

    assert answers == [202, 202, 202, 202, 202, 204]
    assert sorted(posted(rig, "announcements")) == sorted(HOME)
    assert sorted(posted(rig, "elsewhere")) == sorted(OTHER)
    assert "'dora/diary': no server follows it" in rig.bot.log()

    restart(rig)  # its first poll sees the three new entries: announced already
    wait_for_quiet(rig)
    assert sorted(posted(rig, "announcements")) == sorted(HOME)
    assert sorted(posted(rig, "elsewhere")) == sorted(OTHER)
