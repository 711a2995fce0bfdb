"""/entry's services on a member's own diary: a member who connected their repository lists,
edits and adds to the issues their GitHub account wrote there, with their own token; issues by
anyone else in that repository, pull requests, and the server diary's entries are not theirs
to change there. Real store, gateways (PyGithub) and ConnectionService on the local GitHub."""

from __future__ import annotations

import pytest

from bot.app import Services
from bot.errors import NotAllowed, UserFacingError
from bot.github_gateway import GitHubGateway
from bot.github_gateways import Credentials, GatewayPool
from bot.github_sign_in import GitHubSignIn
from bot.models import DiaryTarget, JobState, Owner
from bot.services.connections import ConnectionService
from bot.services.publishing import Author
from bot.settings import Settings
from bot.token_cipher import TokenCipher, new_key
from tests.bot.builders import ALICE, connect_member
from tests.bot.conftest import HOME_CHANNEL
from tests.bot.services.test_publishing import attempt

BOB = Owner(ALICE.guild_id, 200000000000000002)
REPOSITORY = "bob/diary"


@pytest.fixture
async def member_services(store, gateway, fake_github, directory, sender, clock, members):
    """Services as bot/__main__.py wires them with the GitHub App on; Bob connected
    bob/diary (tokens as a finished sign-in stores them)."""
    fake_github.add_repository(REPOSITORY)
    fake_github.oauth.add_installation("bob", [REPOSITORY], {"bob": "admin"})
    state = fake_github.oauth.state
    cipher = TokenCipher(new_key())
    sign_in = GitHubSignIn(
        state.client_id, state.client_secret, fake_github.web_url, fake_github.url
    )
    connections = ConnectionService(store.connections, clock, sign_in, cipher)
    token = await connect_member(store, fake_github, clock, cipher, BOB, "bob", REPOSITORY)

    def make(repository: str, credentials: Credentials) -> GitHubGateway:
        return GitHubGateway(
            None, repository, fake_github.url, credentials=credentials, seconds_between_writes=0
        )

    settings = Settings(
        discord_token="discord-token",
        github_token="ghp_test",
        github_repository="alice/diary",
        github_api_url=fake_github.url,
        announce_channel_id=HOME_CHANNEL,
    )

    async def ready() -> None:
        return None

    built = Services.build(
        settings,
        store,
        gateway,
        directory,
        sender,
        clock,
        ready,
        members=members,
        connections=connections,
        gateways=GatewayPool(gateway, "alice/diary", make, connections),
    )
    built.bob_token = token  # type: ignore[attr-defined]
    return built


def tokens_used(fake_github, method: str, path: str) -> list[str]:
    """The tokens of the requests `method` sent to paths containing `path`."""
    return [
        r.headers.get("Authorization", "").split(" ")[-1]
        for r in fake_github.requests
        if r.method == method and path in r.path
    ]


async def test_list_shows_the_members_own_entries_only(member_services, fake_github):
    """Bob's /entry list: his issues in bob/diary, not a stranger's, not a pull request, not
    the server diary's; asked with his token."""
    mine = fake_github.add_issue_from_web("Mine", "Text.", user="bob", repository=REPOSITORY)
    fake_github.add_issue_from_web("Stranger's", "Spam.", user="mallory", repository=REPOSITORY)
    fake_github.add_issue_from_web("PR", "", user="bob", pull_request=True, repository=REPOSITORY)
    fake_github.add_issue_from_web("Server's", "Text.")

    listing = await member_services.entries.recent(BOB)

    assert listing.repository == REPOSITORY
    assert [e.number for e in listing.entries] == [mine]
    assert set(tokens_used(fake_github, "GET", "/repos/bob/diary/issues")) == {
        member_services.bob_token
    }
    assert [e.title for e in (await member_services.entries.recent(ALICE)).entries] == ["Server's"]


async def test_a_strangers_issue_in_the_members_repository_is_refused(member_services, fake_github):
    """Manage Server or not, an issue someone else wrote in Bob's repository is not his entry."""
    theirs = fake_github.add_issue_from_web("Hi", "x", user="mallory", repository=REPOSITORY)
    with pytest.raises(NotAllowed) as refused:
        await member_services.entries.check_may_change(
            BOB.guild_id, BOB.user_id, theirs, manage_guild=True
        )
    assert refused.value.key == "error.not_your_diary_entry"
    assert refused.value.values == {"number": theirs, "repository": REPOSITORY}


async def test_edit_changes_the_members_issue_with_the_members_token(member_services, fake_github):
    """Bob's entry #1 in bob/diary is edited there, with his token; the server diary's #1 (and
    its announcements) stay as they were; the hidden marker stays."""
    marker = "\n\n<!-- diary-bot:0123abcd -->"
    number = fake_github.add_issue_from_web(
        "Old", f"Old.{marker}", user="bob", repository=REPOSITORY
    )
    server = fake_github.add_issue_from_web("Server's", "Text.")
    assert number == server == 1
    checked = await member_services.entries.check_may_change(
        BOB.guild_id, BOB.user_id, number, manage_guild=False
    )
    assert checked.entry is not None and checked.stamp != 0

    await member_services.entries.edit(number, "New", "New text.", BOB)

    (issue,) = fake_github.issues(REPOSITORY)
    assert (issue["title"], issue["body"]) == ("New", f"New text.{marker}")
    assert tokens_used(fake_github, "PATCH", "/repos/bob/diary/issues/1") == [
        member_services.bob_token
    ]
    assert fake_github.issues()[0]["title"] == "Server's"


async def test_an_editor_opened_on_another_diary_is_refused(member_services, fake_github):
    """An editor opened while Bob wrote in the server diary (stamp 0) is refused once he has
    his own: its number would name another issue there."""
    number = fake_github.add_issue_from_web("Mine", "Text.", user="bob", repository=REPOSITORY)
    with pytest.raises(NotAllowed) as refused:
        await member_services.entries.check_may_change(
            BOB.guild_id, BOB.user_id, number, manage_guild=False, stamp=0
        )
    assert refused.value.key == "error.entry_diary_changed"


async def test_an_addendum_goes_to_the_members_issue_with_the_members_token(
    member_services, fake_github, store
):
    """/entry add: the check names Bob's diary, the job records it (never a token) and posts
    there with his token."""
    number = fake_github.add_issue_from_web("Mine", "Text.", user="bob", repository=REPOSITORY)
    checked = await member_services.entries.check_may_change(
        BOB.guild_id, BOB.user_id, number, manage_guild=False
    )
    assert checked.target == DiaryTarget(REPOSITORY, (BOB.guild_id, BOB.user_id))
    job = await member_services.comments.add(BOB, number, "Later.", checked.target)
    await member_services.comments.run(job)

    (comment,) = fake_github.comments(number, REPOSITORY)
    assert comment["created_with"] == member_services.bob_token
    assert (await store.comments.get_comment_job(job.id)).state is JobState.DONE
    assert not any("/repos/alice/diary/" in r.path for r in fake_github.requests)


async def test_a_revoked_sign_in_reads_as_connect_again(member_services, fake_github, clock):
    """Listing with a sign-in GitHub refuses says connect again, never a server diary's list."""
    fake_github.oauth.revoke("bob")
    clock.advance(8 * 3600)
    fake_github.oauth.advance(8 * 3600)
    with pytest.raises(UserFacingError) as again:
        await member_services.entries.recent(BOB)
    assert again.value.key == "connect.again"


async def test_an_edit_updates_the_announcement_of_the_members_entry_only(
    member_services, fake_github, peek
):
    """Bob's #1 and the server diary's #1 were both announced: editing Bob's changes the
    announcement of bob/diary #1, never the server diary's #1."""
    mine = fake_github.add_issue_from_web("Mine", "Text.", user="bob", repository=REPOSITORY)
    server = fake_github.add_issue_from_web("Server's", "Text.")
    announcements = member_services.announcements
    await announcements.announce(
        (await member_services.entries.get(mine, BOB)), REPOSITORY, [BOB.guild_id]
    )
    await announcements.announce(
        (await member_services.entries.get(server)), "alice/diary", [BOB.guild_id]
    )

    await member_services.entries.edit(mine, "Renamed", "New text.", BOB)

    titles = {(a.repository, a.title) for a in peek.announcements(1)}
    assert titles == {(REPOSITORY, "Renamed"), ("alice/diary", "Server's")}


async def test_stats_count_the_members_entries_in_their_own_diary(
    member_services, fake_github, store, clock
):
    """/diary stats for Bob: what he published through the bot, and the entries he wrote on
    GitHub directly in bob/diary (known from their announcements, once each), but neither a
    stranger's issue there nor the server diary's entry with the same number."""
    written = [
        fake_github.add_issue_from_web(f"Day {n}", "Text.", user="bob", repository=REPOSITORY)
        for n in (1, 2)
    ]
    stranger = fake_github.add_issue_from_web("Hi", "x", user="mallory", repository=REPOSITORY)
    server = fake_github.add_issue_from_web("Server's", "Text.", user="bob")
    announcements = member_services.announcements
    for number in (*written, stranger):
        entry = await member_services.entries.get(number, BOB)
        await announcements.announce(entry, REPOSITORY, [BOB.guild_id])
        await announcements.announce(entry, REPOSITORY, [BOB.guild_id])  # once each
    await announcements.announce(await member_services.entries.get(server), "alice/diary")
    before = await member_services.rhythm.stats(BOB.guild_id, BOB.user_id)
    draft = await member_services.drafts.create(BOB, "Through the bot", "Text.")
    job, _ = await member_services.publishing.publish(BOB, draft.id, None, Author("Bob"))
    assert (await attempt(member_services, store, job.id)).state is JobState.DONE

    stats = await member_services.rhythm.stats(BOB.guild_id, BOB.user_id)

    assert (before.entries, stats.entries) == (2, 3)
    assert stats.current_streak == 1 and stats.entries_this_month == 3
    assert [i["title"] for i in fake_github.issues(REPOSITORY)][-1] == "Through the bot"
    await member_services.connections.disconnect(BOB.guild_id, BOB.user_id)
    assert (await member_services.rhythm.stats(BOB.guild_id, BOB.user_id)).entries == 1
