"""Publishing as the member: a member who connected their own repository in a server gets their
entries, images, labels and addenda there, created with their user token; everyone else (and
they after /diary disconnect) the server diary. Real store, real gateways, local GitHub."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Services
from bot.errors import UserFacingError
from bot.github_gateway import GitHubGateway
from bot.github_gateways import Credentials, GatewayPool
from bot.github_sign_in import GitHubSignIn
from bot.local_time import format_local, zone_of
from bot.models import DiaryTarget, JobState, Owner
from bot.services.connections import ConnectionService
from bot.services.images import Upload
from bot.services.publishing import DISCONNECTED, DISCONNECTED_IN_DOUBT, Author
from bot.settings import Settings
from bot.token_cipher import TokenCipher, new_key
from tests.bot.builders import ALICE, FakeMembers, connect_member
from tests.bot.conftest import HOME_CHANNEL, OTHER_CHANNEL, OTHER_GUILD
from tests.bot.services.test_images import png
from tests.bot.services.test_publishing import attempt
from tests.fakes.github_oauth import OAuthState
from tests.fakes.github_server import FakeGitHub

BOB = Owner(ALICE.guild_id, 200000000000000009)
BOBS = DiaryTarget("bob/diary", (BOB.guild_id, BOB.user_id))
AUTHOR = Author("Bob")
BLOG = "https://blog.example/articles/{number}"  # the server diary's blog


class Members:
    """Connections made as a finished sign-in leaves them (sealed tokens in the store)."""

    def __init__(self, store, fake: FakeGitHub, clock, cipher: TokenCipher) -> None:
        self.store, self.fake, self.clock, self.cipher = store, fake, clock, cipher

    async def connect(self, owner: Owner, login: str, repository: str | None) -> str:
        return await connect_member(
            self.store, self.fake, self.clock, self.cipher, owner, login, repository
        )


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher(new_key())


@pytest.fixture
def members(store, fake_github, clock, cipher) -> Members:
    fake_github.add_repository("bob/diary")
    fake_github.oauth.add_installation("bob", ["bob/diary"], {"bob": "admin"})
    return Members(store, fake_github, clock, cipher)


@pytest.fixture
async def services(store, gateway, fake_github, directory, sender, clock, cipher) -> Services:
    """Services as the composition root wires them with the GitHub App configured."""
    settings = Settings(
        discord_token="discord-token",
        github_token="ghp_test",
        github_repository="alice/diary",
        github_api_url=fake_github.url,
        announce_channel_id=HOME_CHANNEL,
        blog_url_template=BLOG,
    )
    sign_in = GitHubSignIn(
        OAuthState.client_id, OAuthState.client_secret, fake_github.web_url, fake_github.url
    )
    connections = ConnectionService(store.connections, clock, sign_in, cipher)
    await store.settings.update_guild_settings(
        OTHER_GUILD, clock.now(), announce_channel_id=OTHER_CHANNEL
    )

    def make(repository: str, credentials: Credentials) -> GitHubGateway:
        return GitHubGateway(
            None, repository, fake_github.url, credentials=credentials, seconds_between_writes=0
        )

    pool = GatewayPool(gateway, "alice/diary", make, connections)

    async def ready() -> None:
        return None

    return Services.build(
        settings,
        store,
        gateway,
        directory,
        sender,
        clock,
        ready,
        members=FakeMembers(),
        connections=connections,
        gateways=pool,
    )


async def publish(
    services, store, owner: Owner, text: str = "Dear diary", labels: str | None = None
):
    draft = await services.drafts.create(owner, "Day 1", text)
    job, _ = await services.publishing.publish(owner, draft.id, labels, AUTHOR)
    return draft, await attempt(services, store, job.id)


async def test_a_connected_members_entry_is_created_in_their_repository_as_them(
    services, members, fake_github, store
):
    """The issue is in the member's repository, created with their token; the job and the
    draft remember where it lives; a member without a connection still gets the server diary."""
    token = await members.connect(BOB, "bob", "bob/diary")
    draft, done = await publish(services, store, BOB)
    (issue,) = fake_github.issues("bob/diary")
    assert (issue["user"], issue["created_with"]) == ("bob", token)
    assert done.state is JobState.DONE and done.target == BOBS
    assert done.issue_url == f"https://github.com/bob/diary/issues/{issue['number']}"
    published = await store.drafts.get_draft(BOB, draft.id)
    assert published.issue_target == BOBS
    assert await store.drafts.get_draft_of_issue(issue["number"], "bob/diary") == published
    assert await store.drafts.get_draft_of_issue(issue["number"]) is None

    _, alices = await publish(services, store, ALICE)
    (server_issue,) = fake_github.issues()
    assert server_issue["created_with"] == "ghp_test" and alices.target is None
    assert fake_github.violations == []


async def test_signed_in_without_a_repository_chosen_is_the_server_diary(
    services, members, fake_github, store
):
    """Signed in but no repository picked yet: nothing changes, the server diary."""
    await members.connect(BOB, "bob", None)
    _, done = await publish(services, store, BOB)
    assert done.target is None and len(fake_github.issues()) == 1
    assert fake_github.issues("bob/diary") == []


async def test_labels_are_those_of_the_members_repository(services, members, fake_github, store):
    """Labels are checked against, and spelled as, the member's repository, cached apart."""
    await members.connect(BOB, "bob", "bob/diary")
    with fake_github._lock:  # made on github.com in Bob's repository only
        fake_github.repositories["bob/diary"].add_label("Walks")
    assert "Walks" in await services.labels.suggest("wa", owner=BOB)
    assert "Walks" not in await services.labels.suggest("wa", owner=ALICE)
    _, done = await publish(services, store, BOB, labels="walks")
    assert fake_github.issues("bob/diary")[0]["labels"] == ["Walks"]
    assert done.labels == ("Walks",)


async def test_images_are_committed_to_the_members_repository(
    services, members, fake_github, store
):
    """The entry's images go into the member's repository, committed with their token, and
    the links name that repository."""
    token = await members.connect(BOB, "bob", "bob/diary")
    draft = await services.drafts.create(BOB, "Day 1", "A picture")
    prepared = await services.images.prepare([Upload("a.png", png(1), "a walk")])
    await services.images.attach(BOB, draft.id, prepared)
    job, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    done = await attempt(services, store, job.id)
    assert done.state is JobState.DONE
    (path,) = fake_github.files("bob/diary")
    assert fake_github.files() == {}
    body = fake_github.issues("bob/diary")[0]["body"]
    assert f"https://raw.githubusercontent.com/bob/diary/main/{path}" in body
    writes = [r for r in fake_github.requests if r.method != "GET"]
    assert writes and all(r.headers["Authorization"].endswith(token) for r in writes)
    assert fake_github.violations == []


async def test_an_unknown_outcome_is_looked_for_in_the_members_repository(
    services, members, fake_github, store
):
    """The answer to the create is lost: the next attempt finds the issue by its key in the
    member's repository; one issue."""
    await members.connect(BOB, "bob", "bob/diary")
    draft = await services.drafts.create(BOB, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    fake_github.drop_after_create()
    first = await attempt(services, store, job.id)
    done = await attempt(services, store, job.id)
    assert first.outcome_unknown and done.state is JobState.DONE
    assert len(fake_github.issues("bob/diary")) == 1 and fake_github.issues() == []
    search = [r for r in fake_github.requests if r.method == "GET" and "/issues" in r.path]
    assert search and all(r.path.startswith("/repos/bob/diary/") for r in search)


async def test_an_expired_token_is_refreshed_before_publishing(
    services, members, fake_github, clock, store
):
    """The token expired between draft and publish: refreshed first, the issue is made with
    the new one."""
    old = await members.connect(BOB, "bob", "bob/diary")
    fake_github.oauth.advance(8 * 3600)
    clock.advance(8 * 3600)
    _, done = await publish(services, store, BOB)
    assert done.state is JobState.DONE
    (issue,) = fake_github.issues("bob/diary")
    assert issue["created_with"] not in (None, old)
    assert issue["created_with"] == fake_github.oauth.issued_tokens[-1]


async def test_a_revoked_sign_in_ends_the_job_with_a_note_and_keeps_the_draft(
    services, members, fake_github, clock, store
):
    """The member revoked the app: the job ends (connect.again), the draft is unpublished and
    kept; after signing in again, publishing again makes the entry."""
    await members.connect(BOB, "bob", "bob/diary")
    draft = await services.drafts.create(BOB, "Day 1", "Dear diary")
    fake_github.oauth.revoke("bob")
    job, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    ended = await attempt(services, store, job.id)
    assert (ended.state, ended.error_key) == (JobState.FAILED, "connect.again")
    assert services.publishing.error_for(ended).key == "connect.again"
    kept = await store.drafts.get_draft(BOB, draft.id)
    assert (kept.body, kept.issue_number, kept.job_state) == (draft.body, None, JobState.FAILED)
    assert fake_github.issues("bob/diary") == []

    await members.connect(BOB, "bob", "bob/diary")
    again, created = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    assert created
    assert (await attempt(services, store, again.id)).state is JobState.DONE
    assert len(fake_github.issues("bob/diary")) == 1


async def test_after_disconnecting_entries_go_to_the_server_diary(
    services, members, fake_github, store
):
    """A job waiting for the member's diary when they disconnect ends with a note; publishing
    again (and every later publish) goes to the server diary."""
    await members.connect(BOB, "bob", "bob/diary")
    draft = await services.drafts.create(BOB, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    assert job.target == BOBS
    await services.connections.disconnect(BOB.guild_id, BOB.user_id)
    ended = await attempt(services, store, job.id)
    assert (ended.state, ended.error_key) == (JobState.FAILED, DISCONNECTED)

    again, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    done = await attempt(services, store, again.id)
    assert again.target is None and done.state is JobState.DONE
    assert fake_github.issues("bob/diary") == [] and len(fake_github.issues()) == 1


async def test_an_addendum_goes_to_the_entry_in_the_members_repository(
    services, members, fake_github, store
):
    """A comment on an entry of the member's own diary is posted there, with their token."""
    token = await members.connect(BOB, "bob", "bob/diary")
    draft, done = await publish(services, store, BOB)
    published = await store.drafts.get_draft(BOB, draft.id)
    job = await services.comments.add(BOB, done.issue_number, "later", published.issue_target)
    await services.comments.run(job)
    (comment,) = fake_github.comments(done.issue_number, "bob/diary")
    assert comment["created_with"] == token
    assert (await store.comments.get_comment_job(job.id)).target == BOBS


async def test_a_members_entry_is_announced_in_their_server_keyed_by_their_repository(
    services, members, fake_github, store
):
    """The member's #1 and the server diary's #1 are two announcements (the repository is
    part of the key); the member's only in their own server, linking their issue."""
    await members.connect(BOB, "bob", "bob/diary")
    _, bobs = await publish(services, store, BOB)
    _, alices = await publish(services, store, ALICE)
    assert bobs.issue_number == alices.issue_number == 1
    mine = await store.announcements.list_tracked_announcements("bob/diary", 1)
    assert [(a.channel_id, a.url, a.author_name) for a in mine] == [
        (HOME_CHANNEL, "https://github.com/bob/diary/issues/1", "Bob")
    ]
    server = await store.announcements.list_tracked_announcements("alice/diary", 1)
    assert sorted(a.channel_id for a in server) == sorted([HOME_CHANNEL, OTHER_CHANNEL])


async def test_stats_and_reminders_link_a_members_entry_to_its_issue(services, members, store):
    """The server's list of entries (stats, on-this-day) links the server diary's entries to
    its blog and a member's own entry to its issue, never to the server blog's page."""
    await members.connect(BOB, "bob", "bob/diary")
    await publish(services, store, BOB)
    await publish(services, store, ALICE)
    entries = await services.rhythm.server_entries(ALICE.guild_id)
    assert sorted((e.author_id, e.url) for e in entries) == sorted(
        [
            (BOB.user_id, "https://github.com/bob/diary/issues/1"),
            (ALICE.user_id, "https://blog.example/articles/1"),
        ]
    )


async def test_a_schedule_goes_to_the_diary_of_when_it_fires(
    services, members, fake_github, clock, store
):
    """Scheduled before connecting, due after: the entry goes to the member's own diary (the
    diary is chosen when the schedule fires, not when it was made)."""
    draft = await services.drafts.create(BOB, "Later", "Text.")
    when = format_local(clock.now() + timedelta(minutes=60), zone_of("UTC"))
    await services.scheduling.schedule(BOB, draft.id, when, None, AUTHOR)
    token = await members.connect(BOB, "bob", "bob/diary")
    clock.advance(3660)
    await services.schedule_worker._run_due()
    (job,) = await store.jobs.list_pending_publish_jobs()
    assert job.target == BOBS
    assert (await attempt(services, store, job.id)).state is JobState.DONE
    assert [i["created_with"] for i in fake_github.issues("bob/diary")] == [token]


async def test_disconnecting_while_an_entry_may_exist_there_asks_to_connect_that_diary(
    services, members, fake_github, store
):
    """The create's answer was lost and the member disconnected before the bot could look:
    the note names their repository and asks them to connect it again (publishing again keeps
    the job's key and diary); reconnected, publishing again adopts the issue: one entry."""
    await members.connect(BOB, "bob", "bob/diary")
    draft = await services.drafts.create(BOB, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    fake_github.fail_next(1, 502, commit=True)  # created, but the answer is an error
    assert (await attempt(services, store, job.id)).outcome_unknown
    await services.connections.disconnect(BOB.guild_id, BOB.user_id)
    ended = await attempt(services, store, job.id)
    assert (ended.error_key, ended.error_detail) == (DISCONNECTED_IN_DOUBT, "bob/diary")

    await members.connect(BOB, "bob", "bob/diary")
    again, _ = await services.publishing.publish(BOB, draft.id, None, AUTHOR)
    assert again.id == job.id and again.target == BOBS
    assert (await attempt(services, store, again.id)).state is JobState.DONE
    assert len(fake_github.issues("bob/diary")) == 1 and fake_github.issues() == []


class Refusing:
    """A gateway pool that refuses with a message other than a sign-in's."""

    async def for_target(self, target: DiaryTarget | None) -> None:
        raise UserFacingError("error.unexpected")


async def test_only_a_members_sign_in_ends_a_job_other_refusals_are_retried(
    services, store, members, fake_github
):
    """A refusal that is not about the member's connection (connect.*) is unexpected: the job
    is retried as after any unexpected error, not ended with that note."""
    draft = await services.drafts.create(ALICE, "Day 1", "Dear diary")
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    services.publishing._gateways = Refusing()
    after = await attempt(services, store, job.id)
    assert (after.state, after.error_key) == (JobState.PENDING, "github.unavailable")


async def test_a_diary_connected_in_two_servers_announces_a_published_entry_in_both(
    services, store, members, fake_github
):
    """Bob's diary is connected in two servers: his entry published from one is announced in
    both (the watcher leaves it to the publish job), once each."""
    await members.connect(BOB, "bob", "bob/diary")
    await members.connect(Owner(OTHER_GUILD, BOB.user_id), "bob", "bob/diary")
    _, done = await publish(services, store, BOB)
    announced = await store.announcements.list_tracked_announcements("bob/diary", done.issue_number)
    assert sorted(a.channel_id for a in announced) == sorted([HOME_CHANNEL, OTHER_CHANNEL])


async def test_a_member_who_connected_the_server_diary_is_announced_like_it(
    services, store, members, fake_github
):
    """A member who picked the server diary's own repository publishes there as themselves,
    and the entry is announced in every server, as the server diary's entries are."""
    fake_github.oauth.add_installation("alice", ["alice/diary"], {"bob": "push"})
    await members.connect(BOB, "bob", "alice/diary")
    _, done = await publish(services, store, BOB)
    assert done.target == DiaryTarget("alice/diary", (BOB.guild_id, BOB.user_id))
    assert fake_github.issues()[0]["user"] == "bob"
    announced = await store.announcements.list_tracked_announcements(
        "alice/diary", done.issue_number
    )
    assert sorted(a.channel_id for a in announced) == sorted([HOME_CHANNEL, OTHER_CHANNEL])


async def test_the_servers_byline_is_left_out_of_a_members_own_diary(
    services, store, members, fake_github
):
    """The byline names the member in the shared diary; in their own repository GitHub shows
    them as the author, so it is not added there."""
    await services.server_settings.update(ALICE.guild_id, byline="— {display_name}")
    await members.connect(BOB, "bob", "bob/diary")
    _, bobs = await publish(services, store, BOB)
    _, alices = await publish(services, store, ALICE)
    assert bobs.byline is None and "— Bob" not in fake_github.issues("bob/diary")[0]["body"]
    assert alices.byline == "— Bob" and "— Bob" in fake_github.issues()[0]["body"]
