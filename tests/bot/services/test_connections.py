"""ConnectionService: members sign in to the GitHub App with the device flow, pick a repository,
keep their tokens fresh and sealed, and disconnect. Real store, real gateway, local GitHub."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import UserFacingError
from bot.github_sign_in import GitHubSignIn
from bot.models import DiaryTarget
from bot.services.connections import MAX_SIGN_IN_WAIT, ConnectionService
from bot.token_cipher import TokenCipher, new_key
from tests.bot.builders import FakeClock
from tests.conftest import DATABASE_FILE
from tests.fakes.github_oauth import OAuthState
from tests.fakes.github_server import FakeGitHub

GUILD, MEMBER = 100000000000000001, 200000000000000001
CLIENT = OAuthState.client_id
INSTALL = "https://github.com/apps/diary-bot-app/installations/new"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(oauth=OAuthState(interval=0)).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


def service(store, github: FakeGitHub, clock, secret: str = OAuthState.client_secret):
    sign_in = GitHubSignIn(CLIENT, secret, github.web_url, github.url)
    cipher = TokenCipher(new_key())
    return ConnectionService(store.connections, clock, sign_in, cipher, install_url=INSTALL)


async def wait_for(condition) -> None:
    """Wait (at most 10 s) until `condition()` holds: the fake answers on its own thread."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in 10 s")


async def sign_in(connections: ConnectionService, github: FakeGitHub, login: str = "bob") -> str:
    device = await connections.start()
    finishing = asyncio.create_task(connections.finish(GUILD, MEMBER, device))
    await wait_for(lambda: any(r.path.endswith("access_token") for r in github.oauth.requests))
    github.oauth.approve(device.user_code, login)
    return await finishing


def database_bytes(folder: Path) -> bytes:
    """The database file and its WAL and journal, as they are on disk."""
    return b"".join(p.read_bytes() for p in folder.glob(f"{DATABASE_FILE}*") if p.is_file())


async def test_pending_then_approved_stores_sealed_tokens(store, github, clock, tmp_path):
    """Polls stay pending until approval; then the tokens are stored, never in plaintext."""
    connections = service(store, github, clock)
    assert await sign_in(connections, github) == "bob"
    polls = [r for r in github.oauth.requests if r.path.endswith("access_token")]
    assert [r.status for r in polls][-1] == 200 and len(polls) >= 2
    connection = await connections.get(GUILD, MEMBER)
    assert connection is not None and (connection.login, connection.repository) == ("bob", None)
    (token,) = github.oauth.issued_tokens
    assert token.encode() not in database_bytes(tmp_path)
    for refresh in github.oauth.live_refresh_tokens("bob"):
        assert refresh.encode() not in database_bytes(tmp_path)
    assert await connections.access_token(GUILD, MEMBER) == token


async def test_slow_down_lengthens_the_polling_interval(store, clock):
    """After slow_down the service waits the new interval: GitHub never has to say it twice."""
    with FakeGitHub(oauth=OAuthState(interval=1, slow_down_step=1)) as github:
        connections = service(store, github, clock)
        device = await connections.start()
        github.oauth.slow_down_next(1)
        finishing = asyncio.create_task(connections.finish(GUILD, MEMBER, device))
        await wait_for(lambda: len(github.oauth.requests) >= 3)  # code, slow_down, pending
        github.oauth.approve(device.user_code, "bob")
        assert await finishing == "bob"
        assert github.oauth.state.find_device(device.user_code).interval == 2


async def test_the_wait_ends_while_discord_still_takes_the_reply(store, clock):
    """A code GitHub gives a longer life than Discord gives the interaction reply (15 minutes)
    is waited for at most MAX_SIGN_IN_WAIT, and that is the life shown to the member."""
    with FakeGitHub(oauth=OAuthState(interval=0, device_ttl=3600)) as github:
        device = await service(store, github, clock).start()
    assert device.expires_in == MAX_SIGN_IN_WAIT < 15 * 60


@pytest.mark.parametrize(
    ("act", "key"), [("deny", "connect.denied"), ("expire", "connect.expired")]
)
async def test_denied_or_expired_codes_end_the_wait(store, github, clock, act, key):
    """access_denied and expired_token stop the polling with their own message; nothing kept."""
    connections = service(store, github, clock)
    device = await connections.start()
    finishing = asyncio.create_task(connections.finish(GUILD, MEMBER, device))
    await wait_for(lambda: len(github.oauth.requests) >= 2)
    if act == "deny":
        github.oauth.deny(device.user_code)
    else:
        github.oauth.expire_device(device.user_code)
    with pytest.raises(UserFacingError) as ended:
        await finishing
    assert ended.value.key == key
    assert await connections.get(GUILD, MEMBER) is None


async def test_choose_a_repository_where_the_member_can_push(store, github, clock):
    """The pick must be a repository of an installation where the member can push."""
    github.oauth.add_installation("bob", ["bob/diary", "bob/notes"], {"bob": "admin"})
    github.oauth.add_installation("alice", ["alice/diary"], {"alice": "admin", "bob": "pull"})
    connections = service(store, github, clock)
    await sign_in(connections, github)
    assert await connections.repositories(GUILD, MEMBER) == ["bob/diary", "bob/notes"]
    with pytest.raises(UserFacingError) as refused:
        await connections.choose(GUILD, MEMBER, "alice/diary")
    assert refused.value.key == "connect.not_installed" and refused.value.values["url"] == INSTALL
    chosen = await connections.choose(GUILD, MEMBER, "BOB/Diary")
    assert (chosen.login, chosen.repository) == ("bob", "bob/diary")
    assert github.violations == []


async def test_the_diary_is_the_chosen_repository_until_disconnected(store, github, clock):
    """diary_of: the server diary (None) before a repository is chosen and after disconnecting;
    the member's repository, acting as the member, in between."""
    github.oauth.add_installation("bob", ["bob/diary"], {"bob": "admin"})
    connections = service(store, github, clock)
    assert await connections.diary_of(GUILD, MEMBER) is None
    await sign_in(connections, github)
    assert await connections.diary_of(GUILD, MEMBER) is None
    await connections.choose(GUILD, MEMBER, "bob/diary")
    assert await connections.diary_of(GUILD, MEMBER) == DiaryTarget("bob/diary", (GUILD, MEMBER))
    assert await connections.diary_of(GUILD + 1, MEMBER) is None  # another server
    await connections.disconnect(GUILD, MEMBER)
    assert await connections.diary_of(GUILD, MEMBER) is None
    # A connection kept while the operator turned the app off: the server diary.
    await sign_in(connections, github)
    await connections.choose(GUILD, MEMBER, "bob/diary")
    assert await ConnectionService(store.connections, clock).diary_of(GUILD, MEMBER) is None


async def test_choosing_before_signing_in_asks_to_connect(store, github, clock):
    """Without a sign-in there is nothing to choose with."""
    with pytest.raises(UserFacingError) as refused:
        await service(store, github, clock).choose(GUILD, MEMBER, "bob/diary")
    assert refused.value.key == "connect.none"


async def test_an_expired_token_is_refreshed_before_use(store, github, clock, tmp_path):
    """Past its expiry (8 h) the token is refreshed first; the new tokens are sealed too."""
    connections = service(store, github, clock)
    await sign_in(connections, github)
    (first,) = github.oauth.issued_tokens
    clock.advance(8 * 3600)
    github.oauth.advance(8 * 3600)
    token = await connections.access_token(GUILD, MEMBER)
    assert token != first and github.oauth.issued_tokens == [first, token]
    assert github.oauth.login_for(token) == "bob"
    assert token.encode() not in database_bytes(tmp_path)
    assert await connections.access_token(GUILD, MEMBER) == token  # no second refresh


async def test_a_token_github_rejects_is_refreshed_once(store, github, clock):
    """A 401 on a token the bot thought fresh: one refresh, then the call goes through."""
    github.oauth.add_installation("bob", ["bob/diary"], {"bob": "push"})
    connections = service(store, github, clock)
    await sign_in(connections, github)
    github.oauth.expire_token(github.oauth.issued_tokens[0])
    assert await connections.repositories(GUILD, MEMBER) == ["bob/diary"]
    assert len(github.oauth.issued_tokens) == 2


async def test_a_revoked_refresh_token_asks_to_connect_again(store, github, clock):
    """GitHub refusing the refresh token gives connect.again; the connection row stays."""
    connections = service(store, github, clock)
    await sign_in(connections, github)
    github.oauth.revoke("bob")
    clock.advance(8 * 3600)
    with pytest.raises(UserFacingError) as again:
        await connections.access_token(GUILD, MEMBER)
    assert again.value.key == "connect.again"
    assert await connections.get(GUILD, MEMBER) is not None


async def test_concurrent_uses_refresh_once(store, github, clock):
    """Two uses of an expired token at once spend the refresh token once, not twice."""
    connections = service(store, github, clock)
    await sign_in(connections, github)
    clock.advance(8 * 3600)
    tokens = await asyncio.gather(*(connections.access_token(GUILD, MEMBER) for _ in range(3)))
    assert len(set(tokens)) == 1 and len(github.oauth.issued_tokens) == 2


async def test_disconnect_deletes_the_tokens(store, github, clock, tmp_path):
    """Disconnecting removes the row; a second disconnect says there was nothing."""
    connections = service(store, github, clock)
    await sign_in(connections, github)
    assert await connections.disconnect(GUILD, MEMBER) is True
    assert await connections.get(GUILD, MEMBER) is None
    assert await connections.disconnect(GUILD, MEMBER) is False
    with pytest.raises(UserFacingError) as none:
        await connections.access_token(GUILD, MEMBER)
    assert none.value.key == "connect.none"


async def test_wrong_client_secret_is_the_operators_problem(store, github, clock):
    """A refresh refused for the app's credentials says so (connect.refused), not 'reconnect'."""
    connections = service(store, github, clock, secret="wrong")
    await sign_in(connections, github)
    clock.advance(8 * 3600)
    with pytest.raises(UserFacingError) as refused:
        await connections.access_token(GUILD, MEMBER)
    assert refused.value.key == "connect.refused"
    assert refused.value.values["detail"] == "incorrect_client_credentials"


async def test_without_the_app_connections_are_disabled(store, clock):
    """No client id or key: the service is disabled and says so."""
    connections = ConnectionService(store.connections, clock)
    assert not connections.enabled
    with pytest.raises(UserFacingError) as disabled:
        await connections.start()
    assert disabled.value.key == "connect.disabled"


async def test_github_down_is_a_clear_transient_error(store, github, clock):
    """An unreachable github.com: bounded retries, then connect.unreachable."""
    connections = service(store, github, clock)
    github.oauth._server.go_down()
    with pytest.raises(UserFacingError) as down:
        await connections.start()
    assert down.value.key == "connect.unreachable"


class HeldRefresh:
    """The real gateway, with refreshes held until `release` is set."""

    def __init__(self, inner: GitHubSignIn) -> None:
        self.inner = inner
        self.release = asyncio.Event()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    async def refresh(self, refresh_token: str):
        await self.release.wait()
        return await self.inner.refresh(refresh_token)


async def test_a_refresh_outlives_a_caller_that_gave_up(store, github, clock):
    """A caller cancelled mid-refresh (an autocomplete past its 3 s) still gets the new tokens
    stored: GitHub has retired the old refresh token by then."""
    held = HeldRefresh(GitHubSignIn(CLIENT, OAuthState.client_secret, github.web_url, github.url))
    connections = ConnectionService(store.connections, clock, held, TokenCipher(new_key()))
    await sign_in(connections, github)
    clock.advance(8 * 3600)
    impatient = asyncio.create_task(connections.access_token(GUILD, MEMBER))
    await asyncio.sleep(0.05)
    impatient.cancel()
    held.release.set()
    await wait_for(lambda: len(github.oauth.issued_tokens) == 2)
    await asyncio.sleep(0.1)
    assert await connections.access_token(GUILD, MEMBER) == github.oauth.issued_tokens[1]
    assert len(github.oauth.issued_tokens) == 2
