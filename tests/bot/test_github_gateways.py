"""The gateway pool: the server diary's gateway, members' gateways acting with their own user
token (real GitHubGateway and PyGithub against the local GitHub), bounded, refreshed on a 401."""

from __future__ import annotations

import pytest

from bot.errors import GitHubError, UserFacingError
from bot.github_gateway import GitHubGateway
from bot.github_gateways import Credentials, GatewayPool
from bot.models import DiaryTarget
from tests.fakes.github_server import FakeGitHub

BOB = (100000000000000001, 200000000000000002)


def issue_token(fake: FakeGitHub, login: str) -> str:
    """A user access token of the app for `login`, as a finished sign-in gives it."""
    return str(fake.oauth.grant(login)["access_token"])


class Tokens:
    """A member's tokens as ConnectionService hands them out: `current`, and on `stale` the
    next one of `fresh` (or `refused` raised)."""

    def __init__(self, current: str, fresh: list[str], refused: str | None = None) -> None:
        self.current = current
        self.fresh = fresh
        self.refused = refused
        self.asked: list[tuple[int, int, bool]] = []

    async def access_token(self, guild_id: int, user_id: int, *, stale: bool = False) -> str:
        self.asked.append((guild_id, user_id, stale))
        if self.refused is not None:
            raise UserFacingError(self.refused)
        if stale:
            self.current = self.fresh.pop(0)
        return self.current


def pool_for(fake: FakeGitHub, tokens: Tokens, size: int = 256) -> GatewayPool[GitHubGateway]:
    server = GitHubGateway("ghp_test", "alice/diary", fake.url, seconds_between_writes=0)

    def make(repository: str, credentials: Credentials) -> GitHubGateway:
        return GitHubGateway(
            None,
            repository,
            fake.url,
            credentials=credentials,
            seconds_between_writes=0,
            threads=server.threads,
        )

    return GatewayPool(server, "alice/diary", make, tokens, size=size)


@pytest.fixture
def bobs_diary(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repository("bob/diary")
    fake_github.oauth.add_installation("bob", ["bob/diary"], {"bob": "admin"})
    return fake_github


async def test_the_server_diary_uses_the_server_token(bobs_diary):
    """None, or a target without a member, is the server diary: GITHUB_TOKEN, no member asked."""
    tokens = Tokens("unused", [])
    pool = pool_for(bobs_diary, tokens)
    assert await pool.for_target(None) is pool.server
    assert await pool.for_target(pool.server_target) is pool.server
    await (await pool.for_target(None)).create_issue("Server's", "text", [])
    assert bobs_diary.issues()[0]["created_with"] == "ghp_test"
    assert tokens.asked == [] and len(pool) == 0


async def test_a_member_target_creates_with_the_members_token(bobs_diary):
    """A member's target: the issue is in their repository, created with their token, which
    is asked for before the call."""
    token = issue_token(bobs_diary, "bob")
    tokens = Tokens(token, [])
    pool = pool_for(bobs_diary, tokens)
    gateway = await pool.for_target(DiaryTarget("bob/diary", BOB))
    await gateway.create_issue("Bob's", "mine", [])
    (issue,) = bobs_diary.issues("bob/diary")
    assert (issue["user"], issue["created_with"]) == ("bob", token)
    assert bobs_diary.issues() == []
    assert tokens.asked == [(*BOB, False)]
    assert await pool.for_target(DiaryTarget("BOB/Diary", BOB)) is gateway


async def test_a_rejected_token_is_refreshed_once_and_the_call_sent_again(bobs_diary):
    """GitHub answers 401 (the token expired early): the pool asks once with stale=True and
    the create is sent again with the new token; one issue."""
    old, new = issue_token(bobs_diary, "bob"), issue_token(bobs_diary, "bob")
    bobs_diary.oauth.expire_token(old)
    tokens = Tokens(old, [new])
    gateway = await pool_for(bobs_diary, tokens).for_target(DiaryTarget("bob/diary", BOB))
    await gateway.create_issue("Bob's", "mine", [])
    assert [i["created_with"] for i in bobs_diary.issues("bob/diary")] == [new]
    assert tokens.asked == [(*BOB, False), (*BOB, True)]
    # The new token is used from then on: no second refresh.
    await gateway.create_issue("Again", "mine", [])
    assert tokens.asked[-1] == (*BOB, False) and len(tokens.asked) == 3


async def test_a_second_rejection_is_not_refreshed_again(bobs_diary):
    """If the refreshed token is rejected too, the 401 reaches the caller after one refresh."""
    old, new = issue_token(bobs_diary, "bob"), issue_token(bobs_diary, "bob")
    bobs_diary.oauth.expire_token(old)
    bobs_diary.oauth.expire_token(new)
    tokens = Tokens(old, [new, "never-used"])
    gateway = await pool_for(bobs_diary, tokens).for_target(DiaryTarget("bob/diary", BOB))
    with pytest.raises(GitHubError) as raised:
        await gateway.create_issue("Bob's", "mine", [])
    assert raised.value.key == "github.unauthorized" and raised.value.transient
    assert [stale for *_, stale in tokens.asked] == [False, True]
    assert bobs_diary.issues("bob/diary") == []


async def test_a_revoked_sign_in_reaches_the_caller_as_connect_again(bobs_diary):
    """The member's connection cannot give a token (refresh token revoked): connect.again,
    and nothing is sent to GitHub."""
    tokens = Tokens("x", [], refused="connect.again")
    gateway = await pool_for(bobs_diary, tokens).for_target(DiaryTarget("bob/diary", BOB))
    with pytest.raises(UserFacingError) as raised:
        await gateway.create_issue("Bob's", "mine", [])
    assert raised.value.key == "connect.again" and not isinstance(raised.value, GitHubError)
    assert bobs_diary.requests == []


async def test_the_pool_keeps_the_most_recently_used_gateways_only(bobs_diary):
    """Bounded: with room for two, a third member's gateway evicts the least recently used."""
    pool = pool_for(bobs_diary, Tokens("x", []), size=2)
    first = DiaryTarget("a/diary", (1, 1))
    second = DiaryTarget("b/diary", (1, 2))
    third = DiaryTarget("c/diary", (1, 3))
    kept_first = await pool.for_target(first)
    kept_second = await pool.for_target(second)
    assert await pool.for_target(first) is kept_first  # now the most recently used
    await pool.for_target(third)
    assert len(pool) == 2
    assert await pool.for_target(first) is kept_first
    assert await pool.for_target(second) is not kept_second  # evicted, made again


async def test_without_connections_a_member_target_is_refused(fake_github):
    """Members' diaries not configured: only the server diary is served."""
    server = GitHubGateway("ghp_test", "alice/diary", fake_github.url)
    pool = GatewayPool(server, "alice/diary")
    with pytest.raises(UserFacingError) as raised:
        await pool.for_target(DiaryTarget("bob/diary", BOB))
    assert raised.value.key == "connect.disabled"
    assert await pool.for_target(None) is server
