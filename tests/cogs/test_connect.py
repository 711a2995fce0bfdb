"""/diary connect with the operator's GitHub App, in process: one sign-in at a time per member
(a second /diary connect points at the waiting code and learns the outcome too), /diary
disconnect ending a waiting sign-in, and the connected diaries in /diary-admin status, in
English and Japanese."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import i18n
from bot.github_sign_in import GitHubSignIn
from bot.limits import EMBED_TOTAL, embed_length
from bot.services import connections as connections_module
from bot.services.connections import ConnectionService
from bot.token_cipher import TokenCipher, new_key
from tests.cogs.conftest import en
from tests.fakes.discord_interactions import Interaction as Recorded

INSTALL = "https://github.com/apps/diary-bot-app/installations/new"


@pytest.fixture
def connections(store, fake_github, clock) -> ConnectionService:
    """The operator's GitHub App on the local github.com, polled without waiting."""
    fake_github.oauth.state.interval = 0
    state = fake_github.oauth.state
    sign_in = GitHubSignIn(
        state.client_id, state.client_secret, fake_github.web_url, fake_github.url
    )
    return ConnectionService(
        store.connections, clock, sign_in, TokenCipher(new_key()), install_url=INSTALL
    )


def content(recorded: Recorded) -> str:
    """The reply's text as the member sees it now."""
    shown = [m for m in recorded.messages if m.get("content")]
    return shown[-1]["content"] if shown else ""


async def until(condition: Any, seconds: float = 10) -> None:
    """Let the bot (in this event loop) work until `condition()` holds."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


def connect(drive, user: str, locale: str = "en-US") -> tuple[Recorded, asyncio.Task[None]]:
    """/diary connect run in the background (it waits for the sign-in)."""
    recorded = drive.fake.slash(user, "diary", "connect", {}, locale=locale, force=True)
    return recorded, asyncio.create_task(drive.run(recorded))


async def test_a_second_connect_points_at_the_waiting_code(drive, fake_github):
    """While a sign-in waits, /diary connect again shows that same code (no new one) and says
    it is the one waiting; approving it ends both replies with the signed-in message."""
    first, first_run = connect(drive, "owner")
    await until(lambda: "`" in content(first))
    (code,) = fake_github.oauth.pending_user_codes()
    second, second_run = connect(drive, "owner")
    await until(lambda: code in content(second))

    assert content(second).startswith("**A sign-in is already waiting for you**")
    assert fake_github.oauth.pending_user_codes() == [code]
    await until(lambda: any(r.path.endswith("access_token") for r in fake_github.oauth.requests))
    fake_github.oauth.approve(code, "octocat")
    await asyncio.gather(first_run, second_run)
    for recorded in (first, second):
        assert content(recorded).startswith("Signed in on GitHub as **octocat**")
        assert recorded.ephemeral


async def test_the_waiting_code_is_pointed_at_in_japanese(drive, fake_github):
    """A Japanese client is told in Japanese, with the code and its expiry as a timestamp."""
    first, first_run = connect(drive, "owner")
    await until(lambda: "`" in content(first))
    (code,) = fake_github.oauth.pending_user_codes()
    second, second_run = connect(drive, "owner", locale="ja")
    await until(lambda: code in content(second))

    shown = content(second)
    assert shown.startswith("**サインインがすでに待機中です**") and "<t:" in shown
    fake_github.oauth.deny(code)
    await asyncio.gather(first_run, second_run)
    assert content(second) == i18n.t("ja", "connect.denied")
    assert content(first) == en("connect.denied")


async def test_disconnect_ends_the_waiting_sign_in(drive, fake_github):
    """/diary disconnect while the code waits: the wait ends, saying why (en and ja)."""
    waiting, run = connect(drive, "owner", locale="ja")
    await until(lambda: "`" in content(waiting))

    gone = await drive.slash("owner", "diary", "disconnect")
    await run

    assert gone.wait_final()["content"] == en("disconnect.done")
    assert content(waiting) == i18n.t("ja", "connect.cancelled")
    assert fake_github.oauth.pending_user_codes() != []  # GitHub's code simply goes unused


def diaries_embed(recorded: Recorded) -> dict[str, Any]:
    reply = recorded.wait_final()
    assert len(reply["embeds"]) == 2
    return reply["embeds"][1]


async def put(
    drive, store, user_id: int, login: str, repository: str | None, expires: datetime
) -> int:
    """A member's connection in the fake's server (and one in another server, never shown)."""
    guild, now = int(drive.fake.world.guild_id), datetime.now(UTC)
    await store.connections.put_connection_tokens(1, user_id, "other", b"", None, None, None, now)
    await store.connections.put_connection_tokens(
        guild, user_id, login, b"sealed", expires, b"sealed", None, now
    )
    if repository is not None:
        await store.connections.set_connection_repository(guild, user_id, repository, now)
    return guild


async def test_status_lists_the_connected_diaries(drive, store):
    """/diary-admin status: how many connected, each diary's repository and login, a failure
    first with when it happened, the next token refresh as a Discord timestamp; no token."""
    world = drive.fake.world
    soon = datetime.now(UTC) + timedelta(hours=3)
    author, admin = int(world.member("author").id), int(world.member("admin").id)
    await put(drive, store, author, "octocat", "octocat/diary", soon)
    guild = await put(drive, store, admin, "hubot", "hubot/notes", soon)
    failed_at = datetime.now(UTC).replace(microsecond=0)
    await store.connections.set_connection_failure(guild, admin, "connect.again", failed_at)

    embed = diaries_embed(await drive.slash("owner", "diary-admin", "status"))

    assert embed["title"] == en("status.diaries")
    lines = embed["description"].split("\n")
    assert lines[0] == en("status.diaries_count", count=2) + en("status.diaries_failing", count=1)
    assert lines[1].startswith(f"<@{admin}> — **hubot/notes** (GitHub hubot)")
    assert f"<t:{int(failed_at.timestamp())}:R>" in lines[1] and "/diary connect" in lines[1]
    refresh = int((soon - timedelta(minutes=5)).timestamp())
    assert lines[2] == (
        f"<@{author}> — **octocat/diary** (GitHub octocat) · "
        + en("status.diary_refresh", time=refresh)
    )
    assert "sealed" not in str(embed)


async def test_status_lists_the_diaries_in_japanese(drive, store):
    """The same list for a Japanese client is Japanese."""
    author = int(drive.fake.world.member("author").id)
    await put(drive, store, author, "octocat", None, datetime.now(UTC) + timedelta(hours=1))

    embed = diaries_embed(await drive.slash("owner", "diary-admin", "status", locale="ja"))

    assert embed["title"] == i18n.t("ja", "status.diaries")
    assert embed["description"].split("\n") == [
        i18n.t("ja", "status.diaries_count", count=1)
        + i18n.t("ja", "status.diaries_unchosen", count=1),
        f"<@{author}> — "
        + i18n.t("ja", "status.diary_unchosen", login="octocat")
        + " · "
        + embed["description"].split(" · ")[-1],
    ]
    assert "次のトークン更新 <t:" in embed["description"]


async def test_status_with_many_diaries_stays_within_discords_limits(drive, store):
    """Hundreds of connections: the listed ones fit the 6,000 characters both embeds share,
    and the rest are counted."""
    expires = datetime.now(UTC) + timedelta(hours=8)
    for user_id in range(10**17, 10**17 + 300):
        await put(
            drive,
            store,
            user_id,
            "a-rather-long-github-login-name",
            "x" * 39 + "/" + "y" * 90,
            expires,
        )

    reply = (await drive.slash("owner", "diary-admin", "status")).wait_final()

    assert sum(embed_length(embed) for embed in reply["embeds"]) <= EMBED_TOTAL
    last = reply["embeds"][1]["description"].split("\n")[-1]
    listed = len(reply["embeds"][1]["description"].split("\n")) - 2
    assert last == en("status.diaries_more", count=300 - listed) and 0 < listed <= 25


async def test_status_says_when_nobody_connected(drive):
    """With the app set up and no connection yet, the second embed says so."""
    embed = diaries_embed(await drive.slash("owner", "diary-admin", "status"))

    assert embed["description"] == en("status.diaries_none")


async def test_too_many_waiting_sign_ins_are_refused_in_the_members_language(
    drive, fake_github, monkeypatch
):
    """Past MAX_SIGN_INS waiting at once, /diary connect asks to try again later (ja), and
    GitHub is not asked for a code."""
    monkeypatch.setattr(connections_module, "MAX_SIGN_INS", 0)

    reply = (await drive.slash("owner", "diary", "connect", locale="ja")).wait_final()

    assert reply["content"] == i18n.t("ja", "connect.busy")
    assert fake_github.oauth.pending_user_codes() == []


async def test_a_member_without_the_right_cannot_connect(drive, fake_github, store):
    """/diary connect by a member without the author role (nor Manage Server) is refused by
    the command tree's one check, in their language: no code is asked of GitHub, nothing
    is stored."""
    recorded = drive.fake.slash("outsider", "diary", "connect", {}, locale="ja", force=True)
    await asyncio.wait_for(drive.run(recorded), 10)  # an allowed member would wait to sign in
    reply = recorded.wait_final()

    assert reply["content"] == i18n.t("ja", "error.no_author_role")
    assert fake_github.oauth.pending_user_codes() == []
    assert fake_github.oauth.requests == []
    guild_id = int(drive.fake.world.guild_id)
    outsider = int(drive.fake.world.member("outsider").id)
    assert await store.connections.get_connection(guild_id, outsider) is None
