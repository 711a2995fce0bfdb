"""The watcher across every diary: the server diary and the repositories members connected,
each read with a connecting member's own token, its entries announced once in every server
following it; failures recorded per repository; webhook deliveries routed by repository.
Real store, real gateways (PyGithub) on the local GitHub, real ConnectionService."""

from __future__ import annotations

import pytest

from bot.github_gateway import GitHubGateway
from bot.github_gateways import Credentials, GatewayPool
from bot.github_sign_in import GitHubSignIn
from bot.models import Owner
from bot.services.announcing import AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.connections import ConnectionService
from bot.services.watching import Delivery, PollResult, WatchService
from bot.token_cipher import TokenCipher, new_key
from tests.bot.builders import ALICE, connect_member
from tests.bot.conftest import HOME_CHANNEL, HOME_GUILD, OTHER_CHANNEL, OTHER_GUILD
from tests.fakes.github_oauth import OAuthState

SERVER = "alice/diary"
BOB = Owner(HOME_GUILD, 200000000000000009)  # bob/diary, in the home server only
CAROL_HOME = Owner(HOME_GUILD, 200000000000000010)  # carol/diary, in both servers
CAROL_OTHER = Owner(OTHER_GUILD, 200000000000000011)


class Diaries:
    """Members' repositories on the local GitHub and their connections in the store."""

    def __init__(self, store, fake, clock, cipher: TokenCipher) -> None:
        self.store, self.fake, self.clock, self.cipher = store, fake, clock, cipher

    def repository(self, full_name: str, login: str) -> None:
        self.fake.add_repository(full_name)
        self.fake.oauth.add_installation(login, [full_name], {login: "admin"})

    async def connect(self, owner: Owner, login: str, repository: str) -> None:
        await connect_member(
            self.store, self.fake, self.clock, self.cipher, owner, login, repository
        )


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher(new_key())


@pytest.fixture
async def diaries(store, fake_github, clock, cipher) -> Diaries:
    made = Diaries(store, fake_github, clock, cipher)
    made.repository("bob/diary", "bob")
    made.repository("carol/diary", "carol")
    await store.settings.update_guild_settings(
        OTHER_GUILD, clock.now(), announce_channel_id=OTHER_CHANNEL
    )
    return made


@pytest.fixture
def announcements(store, directory, clock) -> AnnouncementService:
    return AnnouncementService(
        store.announcements,
        store.watching,
        store.settings,
        directory,
        clock,
        server_repository=SERVER,
        default_channel_id=HOME_CHANNEL,
        blog_url_template=None,
    )


def watcher(store, gateway, fake_github, clock, cipher, announcements, **kw) -> WatchService:
    sign_in = GitHubSignIn(
        OAuthState.client_id, OAuthState.client_secret, fake_github.web_url, fake_github.url
    )
    connections = ConnectionService(store.connections, clock, sign_in, cipher)

    def make(repository: str, credentials: Credentials) -> GitHubGateway:
        return GitHubGateway(
            None, repository, fake_github.url, credentials=credentials, seconds_between_writes=0
        )

    pool = GatewayPool(gateway, SERVER, make, connections)
    return WatchService(
        store.watching, store.settings, pool, announcements, repository=SERVER, clock=clock, **kw
    )


@pytest.fixture
def watching(store, gateway, fake_github, clock, cipher, announcements) -> WatchService:
    return watcher(store, gateway, fake_github, clock, cipher, announcements)


async def connected(diaries: Diaries) -> None:
    await diaries.connect(BOB, "bob", "bob/diary")
    await diaries.connect(CAROL_HOME, "carol", "Carol/Diary")
    await diaries.connect(CAROL_OTHER, "carol", "carol/diary")


def queued(peek) -> list[tuple[int, str, int, str]]:
    """(channel, repository, number, author) of every announcement queued, sorted."""
    rows = peek._rows(
        "SELECT channel_id, repository, issue_number, author_name FROM announcements"
        " ORDER BY repository, issue_number, channel_id"
    )
    return [tuple(row) for row in rows]


async def test_each_diarys_new_entry_is_announced_once_in_every_server_following_it(
    watching, diaries, fake_github, peek
):
    """After a first look (baselines), an entry written on GitHub in each of the three
    repositories is queued once per server that follows it, with its author: the server
    diary's everywhere, bob's where he connected it, carol's in both her servers."""
    await connected(diaries)
    fake_github.add_issue_from_web("Before", user="bob", repository="bob/diary")
    assert await watching.poll() is PollResult.BASELINE
    assert queued(peek) == []

    server = fake_github.add_issue_from_web("Server day", user="alice")
    bob = fake_github.add_issue_from_web("Bob's day", user="bob", repository="bob/diary")
    carol = fake_github.add_issue_from_web("Carol's day", user="carol", repository="carol/diary")
    await watching.poll()
    await watching.poll()  # nothing is queued a second time

    assert queued(peek) == [
        (HOME_CHANNEL, SERVER, server, "alice"),
        (OTHER_CHANNEL, SERVER, server, "alice"),
        (HOME_CHANNEL, "bob/diary", bob, "bob"),
        (HOME_CHANNEL, "carol/diary", carol, "carol"),
        (OTHER_CHANNEL, "carol/diary", carol, "carol"),
    ]
    assert bob == 2 and carol == 1 and server == 1  # numbers collide across repositories


async def test_a_members_diary_is_read_with_their_token_and_304s_cost_nothing(
    watching, diaries, fake_github
):
    """Each member's repository is read as that member (their own rate limit), once however
    many connected it; while nothing changes every look is a 304 that spends no point."""
    await connected(diaries)
    await watching.poll()
    fake_github.reset_usage()

    for _ in range(3):
        await watching.poll()

    usage = fake_github.usage()
    owner = fake_github.state.token_user
    assert {login: (u.requests, u.points, u.not_modified) for login, u in usage.items()} == {
        owner: (3, 0, 3),
        "bob": (3, 0, 3),
        "carol": (3, 0, 3),
    }


async def test_a_strangers_issue_in_a_members_diary_is_not_announced(
    store, gateway, fake_github, clock, cipher, announcements, diaries, peek
):
    """In bob's public repository, an issue by someone else is no entry, even as a
    collaborator; a login ANNOUNCE_AUTHORS names is, and `*` names nobody there."""
    await diaries.connect(BOB, "bob", "bob/diary")
    policy = AuthorPolicy.of(["*", "dora"])
    watching = watcher(store, gateway, fake_github, clock, cipher, announcements, authors=policy)
    await watching.poll()

    fake_github.repositories["bob/diary"].associations["mallory"] = "COLLABORATOR"
    fake_github.add_issue_from_web("Buy now", user="mallory", repository="bob/diary")
    dora = fake_github.add_issue_from_web("Guest post", user="dora", repository="bob/diary")
    await watching.poll()

    assert [(r[1], r[2], r[3]) for r in queued(peek)] == [("bob/diary", dora, "dora")]


async def test_a_failing_diary_is_recorded_and_the_others_go_on(
    watching, diaries, fake_github, store, clock
):
    """bob's repository is gone (404): its failure is recorded, carol's entry is still
    announced, and bob's is not asked again until its pause is over."""
    await connected(diaries)
    await watching.poll()
    fake_github.repositories["bob/diary"].repo_missing = True
    carol = fake_github.add_issue_from_web("Carol's day", user="carol", repository="carol/diary")

    await watching.poll()
    start = len(fake_github.requests)
    await watching.poll()

    bob = await store.watching.get_watched_repository("bob/diary")
    assert bob is not None and bob.result.startswith("failed:") and bob.failures == 1
    assert bob.next_check_at is not None and bob.next_check_at > clock.now()
    assert not any("/bob/diary/" in r.path for r in fake_github.requests[start:])
    assert (await store.watching.get_watched_repository("carol/diary")).newest == carol

    fake_github.repositories["bob/diary"].repo_missing = False
    clock.advance(61)
    await watching.poll()
    bob = await store.watching.get_watched_repository("bob/diary")
    assert (bob.result, bob.failures, bob.next_check_at) == ("unchanged", 0, None)


async def test_a_revoked_sign_in_fails_that_diary_alone(
    watching, diaries, fake_github, store, clock, peek
):
    """bob revoked the app and his token expired: his diary records connect.again; carol's
    entry is announced."""
    await connected(diaries)
    await watching.poll()
    fake_github.oauth.revoke("bob")
    fake_github.oauth.advance(9 * 3600)
    clock.advance(9 * 3600)
    carol = fake_github.add_issue_from_web("Carol's day", user="carol", repository="carol/diary")

    await watching.poll()

    bob = await store.watching.get_watched_repository("bob/diary")
    assert bob is not None and bob.result == "failed:connect.again"
    assert {(r[1], r[2]) for r in queued(peek)} == {("carol/diary", carol)}


async def test_each_poll_looks_at_a_bounded_number_of_diaries_least_recent_first(
    store, gateway, fake_github, clock, cipher, announcements, diaries
):
    """With room for one member's diary per poll, the two take turns."""
    await connected(diaries)
    watching = watcher(store, gateway, fake_github, clock, cipher, announcements, max_per_poll=1)

    looked = []
    for _ in range(4):
        start = len(fake_github.requests)
        clock.advance(1)
        await watching.poll()
        paths = {r.path for r in fake_github.requests[start:]}
        looked.append(
            sorted(p.split("/")[2].lower() for p in paths if not p.startswith("/repos/alice"))
        )

    assert looked in (
        [["bob"], ["carol"], ["bob"], ["carol"]],
        [["carol"], ["bob"], ["carol"], ["bob"]],
    )


async def test_the_server_diary_connected_by_a_member_is_followed_once(
    watching, diaries, store, clock
):
    """A member who connects the server diary's repository adds no second follower of it."""
    await diaries.connect(BOB, "bob", "Alice/Diary")

    assert [(d.repository, d.target) for d in await watching.followed()] == [(SERVER, None)]


async def test_deliveries_are_routed_by_repository(watching, diaries, fake_github, peek, clock):
    """A delivery of a followed member repository is handled once and announced where it is
    followed; one of a repository nobody follows is left alone, and nothing is stored for it
    (the same delivery id is still new afterwards)."""
    await connected(diaries)
    await watching.poll()
    number = fake_github.add_issue_from_web("Pushed", user="carol", repository="carol/diary")
    snapshot = _snapshot(fake_github, number, "carol/diary")

    assert await watching.receive_delivery("d-1", "dora/diary") is Delivery.NOT_FOLLOWED
    assert await watching.receive_delivery("d-1", "Carol/Diary") is Delivery.ACCEPTED
    assert await watching.handle_delivery("d-1", "opened", "carol/diary", snapshot)
    assert await watching.receive_delivery("d-1", "carol/diary") is Delivery.REPEATED
    await watching.poll()  # the poll after the webhook adds nothing

    assert queued(peek) == [
        (HOME_CHANNEL, "carol/diary", number, "carol"),
        (OTHER_CHANNEL, "carol/diary", number, "carol"),
    ]


def _snapshot(fake_github, number: int, repository: str):
    from bot.github_records import issue_snapshot

    return issue_snapshot(fake_github.issue_json(number, repository))


async def test_a_members_entry_published_by_the_bot_is_announced_where_followed(
    announcements, diaries, store
):
    """The servers hearing of a member's diary are those where it is connected; the server
    diary's, every server."""
    await connected(diaries)
    await diaries.connect(Owner(ALICE.guild_id, 7), "bob", "bob/diary")

    assert await announcements.servers_following("Carol/diary") == sorted([HOME_GUILD, OTHER_GUILD])
    assert await announcements.servers_following("bob/diary") == [HOME_GUILD]
    assert await announcements.servers_following("dora/diary") == []
    assert await announcements.servers_following("Alice/Diary") is None


async def test_a_diary_connected_again_starts_from_a_new_baseline(
    watching, diaries, fake_github, store, peek
):
    """Entries bob wrote while his diary was disconnected are not announced when he connects
    it again: what was known of it is forgotten once nobody follows it."""
    await diaries.connect(BOB, "bob", "bob/diary")
    await watching.poll()
    await store.connections.delete_connection(BOB.guild_id, BOB.user_id)
    await watching.poll()
    assert await store.watching.get_watched_repository("bob/diary") is None

    fake_github.add_issue_from_web("While away", user="bob", repository="bob/diary")
    await diaries.connect(BOB, "bob", "bob/diary")
    await watching.poll()
    later = fake_github.add_issue_from_web("Back", user="bob", repository="bob/diary")
    await watching.poll()

    assert [(r[1], r[2]) for r in queued(peek)] == [("bob/diary", later)]
