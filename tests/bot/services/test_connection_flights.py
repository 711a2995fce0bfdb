"""ConnectionService: one sign-in at a time per member and server (a second /diary connect
joins the waiting one), /diary disconnect ends a waiting sign-in, a refresh token GitHub
rotated while the bot crashed asks to connect again, and admins see failures when they
happened. Real store, real gateway, local GitHub."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.errors import UserFacingError
from bot.services import connections as connections_module
from tests.bot.builders import FakeClock
from tests.bot.services.test_connections import GUILD, MEMBER, service, sign_in, wait_for
from tests.fakes.github_oauth import OAuthState
from tests.fakes.github_server import FakeGitHub

OTHER = MEMBER + 1


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(oauth=OAuthState(interval=0)) as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


def device_codes(github) -> int:
    """How many device codes GitHub handed out."""
    return sum(r.path.endswith("/login/device/code") for r in github.oauth.requests)


async def test_a_second_request_joins_the_waiting_sign_in(store, github, clock):
    """Two /diary connect at once: one device code, one poller; the second is told it joined
    the waiting one (same code, same expiry) and both learn the outcome."""
    connections = service(store, github, clock)
    first, second = await asyncio.gather(
        connections.sign_in(GUILD, MEMBER), connections.sign_in(GUILD, MEMBER)
    )
    assert device_codes(github) == 1
    assert (first.joined, second.joined) == (False, True)
    assert (second.user_code, second.expires_at) == (first.user_code, first.expires_at)
    waits = [asyncio.create_task(connections.wait(s)) for s in (first, second)]
    await wait_for(lambda: any(r.path.endswith("access_token") for r in github.oauth.requests))
    github.oauth.approve(first.user_code, "bob")
    assert await asyncio.gather(*waits) == ["bob", "bob"]


async def test_after_the_sign_in_ends_the_next_request_starts_anew(store, github, clock):
    """Single flight is per wait: once it ended (here: denied) a new request gets a new code;
    another member or another server never joins someone else's sign-in."""
    connections = service(store, github, clock)
    first = await connections.sign_in(GUILD, MEMBER)
    other = await connections.sign_in(GUILD, OTHER)
    elsewhere = await connections.sign_in(GUILD + 1, MEMBER)
    assert not other.joined and not elsewhere.joined
    assert len({first.user_code, other.user_code, elsewhere.user_code}) == 3
    github.oauth.deny(first.user_code)
    with pytest.raises(UserFacingError) as denied:
        await connections.wait(first)
    assert denied.value.key == "connect.denied"
    again = await connections.sign_in(GUILD, MEMBER)
    assert not again.joined and again.user_code != first.user_code
    await connections.stop()


async def test_a_waiter_giving_up_does_not_end_the_sign_in(store, github, clock):
    """One reply's wait cancelled (its command ended) leaves the sign-in to the other."""
    connections = service(store, github, clock)
    first = await connections.sign_in(GUILD, MEMBER)
    second = await connections.sign_in(GUILD, MEMBER)
    gone = asyncio.create_task(connections.wait(first))
    await asyncio.sleep(0.05)
    gone.cancel()
    staying = asyncio.create_task(connections.wait(second))
    await wait_for(lambda: any(r.path.endswith("access_token") for r in github.oauth.requests))
    github.oauth.approve(first.user_code, "bob")
    assert await staying == "bob"


async def test_disconnect_ends_a_waiting_sign_in(store, github, clock):
    """/diary disconnect during the wait ends it (connect.cancelled): an approval afterwards
    stores nothing."""
    connections = service(store, github, clock)
    waiting = await connections.sign_in(GUILD, MEMBER)
    assert await connections.disconnect(GUILD, MEMBER) is True
    with pytest.raises(UserFacingError) as cancelled:
        await connections.wait(waiting)
    assert cancelled.value.key == "connect.cancelled"
    github.oauth.approve(waiting.user_code, "bob")
    await asyncio.sleep(0.2)
    assert await connections.get(GUILD, MEMBER) is None


async def test_sign_ins_are_bounded_in_number(store, github, clock, monkeypatch):
    """Past MAX_SIGN_INS waiting at once, a new one is refused (connect.busy); joining still
    works."""
    monkeypatch.setattr(connections_module, "MAX_SIGN_INS", 2)
    connections = service(store, github, clock)
    await connections.sign_in(GUILD, MEMBER)
    await connections.sign_in(GUILD, OTHER)
    with pytest.raises(UserFacingError) as busy:
        await connections.sign_in(GUILD, OTHER + 1)
    assert busy.value.key == "connect.busy"
    assert (await connections.sign_in(GUILD, MEMBER)).joined
    assert device_codes(github) == 2
    await connections.stop()


class CrashOnRefresh:
    """The store, with the write of refreshed tokens failing once (the process dies there)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.crash = False

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    async def put_connection_tokens(self, *args, **kwargs) -> None:
        if self.crash:
            self.crash = False
            raise OSError("killed before the new tokens were stored")
        await self.inner.put_connection_tokens(*args, **kwargs)


async def test_a_refresh_token_rotated_before_a_crash_asks_to_connect_again(store, github, clock):
    """GitHub rotated the refresh token, then the bot died before storing the new one: the
    stored one is dead, so the next use says connect.again (not an error), the failure is
    recorded for the admins, and signing in again clears it."""
    crashing = CrashOnRefresh(store.connections)
    connections = service(SimpleNamespace(connections=crashing), github, clock)
    await sign_in(connections, github)
    clock.advance(8 * 3600)
    github.oauth.advance(8 * 3600)
    crashing.crash = True
    with pytest.raises(OSError):
        await connections.access_token(GUILD, MEMBER)
    assert len(github.oauth.issued_tokens) == 2  # GitHub did rotate

    with pytest.raises(UserFacingError) as again:
        await connections.access_token(GUILD, MEMBER)
    assert again.value.key == "connect.again"
    (listed,) = (await connections.overview(GUILD)).diaries
    assert listed.failure == "connect.again" and listed.failed_at == clock.now()
    assert listed.next_refresh_at is None

    await sign_in(connections, github)
    overview = await connections.overview(GUILD)
    assert overview.counts.failing == 0 and overview.diaries[0].next_refresh_at is not None


async def test_stopping_the_bot_ends_a_waiting_sign_in_saying_so(store, github, clock):
    """The bot stopping ends the wait with connect.interrupted (not 'you disconnected')."""
    connections = service(store, github, clock)
    waiting = await connections.sign_in(GUILD, MEMBER)
    waiter = asyncio.create_task(connections.wait(waiting))
    await asyncio.sleep(0.05)
    await connections.stop()
    with pytest.raises(UserFacingError) as ended:
        await waiter
    assert ended.value.key == "connect.interrupted"
