"""/entry for a member who connected their own diary repository, run in process: the list,
the editor and additions work on that repository with the member's token; an issue someone
else wrote there is refused, and an editor opened on another diary saves nothing (en, ja)."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.github_sign_in import GitHubSignIn
from bot.models import Owner
from bot.services.connections import ConnectionService
from bot.token_cipher import TokenCipher, new_key
from cogs._editors import custom_id
from tests.bot.builders import connect_member
from tests.cogs.conftest import en

REPOSITORY = "owner/diary"
MODAL = 9


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher(new_key())


@pytest.fixture
def connections(store, fake_github, cipher, clock) -> ConnectionService:
    """The operator's GitHub App on the local GitHub."""
    state = fake_github.oauth.state
    sign_in = GitHubSignIn(
        state.client_id, state.client_secret, fake_github.web_url, fake_github.url
    )
    return ConnectionService(store.connections, clock, sign_in, cipher)


@pytest.fixture
async def token(drive, store, fake_github, cipher, clock) -> str:
    """The server's owner connected owner/diary as GitHub user `owner`; their access token."""
    fake_github.add_repository(REPOSITORY)
    fake_github.oauth.add_installation("owner", [REPOSITORY], {"owner": "admin"})
    member = drive.fake.world.member("owner")
    owner = Owner(int(drive.fake.world.guild_id), int(member.id))
    return await connect_member(store, fake_github, clock, cipher, owner, "owner", REPOSITORY)


def authorizations(fake_github, method: str, path: str) -> list[str]:
    return [
        r.headers.get("Authorization", "").split(" ")[-1]
        for r in fake_github.requests
        if r.method == method and r.path.startswith(path)
    ]


async def test_list_shows_the_entries_of_the_members_diary(drive, fake_github, token):
    """/entry list: "Recent entries in owner/diary", the member's issues there only, linked on
    GitHub; asked with the member's token."""
    mine = fake_github.add_issue_from_web("Heron", "Saw one.", user="owner", repository=REPOSITORY)
    fake_github.add_issue_from_web("Spam", "Buy!", user="mallory", repository=REPOSITORY)
    fake_github.add_issue_from_web("Server diary", "Text.")

    reply = (await drive.slash("owner", "entry", "list")).wait_final()

    (embed,) = reply["embeds"]
    assert embed["title"] == en("entry.list_title_diary", repository=REPOSITORY)
    assert (
        f"**#{mine}** [Heron](https://github.com/{REPOSITORY}/issues/{mine})"
        in (embed["description"])
    )
    assert "Spam" not in embed["description"] and "Server diary" not in embed["description"]
    assert set(authorizations(fake_github, "GET", f"/repos/{REPOSITORY}/issues")) == {token}


async def test_list_in_japanese_names_the_diary(drive, fake_github, token):
    """A Japanese client: the list's title and the empty note are Japanese."""
    reply = (await drive.slash("owner", "entry", "list", locale="ja")).wait_final()

    assert reply["content"] == i18n.t("ja", "entry.list_empty_diary", repository=REPOSITORY)


async def test_a_strangers_issue_in_the_diary_is_refused(drive, fake_github, token):
    """/entry edit on an issue someone else wrote in the member's repository: refused, even
    for a member with Manage Server (en and ja)."""
    theirs = fake_github.add_issue_from_web("Hi", "x", user="mallory", repository=REPOSITORY)

    english = (await drive.slash("owner", "entry", "edit", {"number": theirs})).wait_final()
    japanese = (
        await drive.slash("owner", "entry", "add", {"number": theirs, "text": "x"}, locale="ja")
    ).wait_final()

    values = {"number": theirs, "repository": REPOSITORY}
    assert english["content"] == en("error.not_your_diary_entry", **values)
    assert japanese["content"] == i18n.t("ja", "error.not_your_diary_entry", **values)
    assert fake_github.comments(theirs, REPOSITORY) == []


async def test_the_editor_saves_to_the_members_issue(drive, fake_github, token):
    """/entry edit on the member's own entry: the editor shows it; submitted, the issue in
    their repository changes, with their token; the server diary's #1 does not."""
    number = fake_github.add_issue_from_web("Old", "Old text.", user="owner", repository=REPOSITORY)
    fake_github.add_issue_from_web("Server's", "Text.")

    opened = await drive.slash("owner", "entry", "edit", {"number": number})
    assert opened.response_type == MODAL
    route = opened.modal["custom_id"]
    saved = await drive.submit("owner", route, {"title": "New", "body": "New text."})

    url = f"https://github.com/{REPOSITORY}/issues/{number}"
    assert saved.wait_final()["content"] == en("entry.edited", number=number, title="New", url=url)
    (issue,) = fake_github.issues(REPOSITORY)
    assert (issue["title"], issue["body"]) == ("New", "New text.")
    assert authorizations(fake_github, "PATCH", f"/repos/{REPOSITORY}/issues/") == [token]
    assert fake_github.issues()[0]["title"] == "Server's"


async def test_an_editor_opened_on_the_server_diary_saves_nothing_here(drive, fake_github, token):
    """An editor opened before the member connected (on the server diary's #1) is refused
    once #1 would mean their own repository's issue; nothing changes there."""
    number = fake_github.add_issue_from_web("Mine", "Text.", user="owner", repository=REPOSITORY)
    owner_id = int(drive.fake.world.member("owner").id)
    route = custom_id("entry_edit", number, owner_id)  # stamp 0: the server diary

    refused = await drive.submit("owner", route, {"title": "X", "body": "Y"})

    texts = [m.get("content") for m in refused.messages]
    assert i18n.t("en-US", "error.entry_diary_changed", number=number) in texts
    assert fake_github.issues(REPOSITORY)[0]["title"] == "Mine"


async def test_add_comments_on_the_members_issue_with_their_token(drive, fake_github, token):
    """/entry add number text: the comment is on the member's issue, made with their token."""
    number = fake_github.add_issue_from_web("Mine", "Text.", user="owner", repository=REPOSITORY)

    reply = (
        await drive.slash("owner", "entry", "add", {"number": number, "text": "Later: rain."})
    ).wait_final()

    (comment,) = fake_github.comments(number, REPOSITORY)
    assert comment["body"].startswith("Later: rain.") and comment["created_with"] == token
    assert reply["content"].startswith(f"Added to entry #{number}: ")


async def test_stats_count_the_entries_written_in_the_members_diary(drive, fake_github, token):
    """/diary stats (en, ja): the entries the member wrote on GitHub in their own repository
    count, a stranger's issue there does not."""
    services = drive.bot.services
    guild = int(drive.fake.world.guild_id)
    owner = Owner(guild, int(drive.fake.world.member("owner").id))
    for title, user in (("One", "owner"), ("Two", "owner"), ("Spam", "mallory")):
        number = fake_github.add_issue_from_web(title, "Text.", user=user, repository=REPOSITORY)
        entry = await services.entries.get(number, owner)
        await services.announcements.announce(entry, REPOSITORY, [guild])

    english = (await drive.slash("owner", "diary", "stats")).wait_final()
    japanese = (await drive.slash("owner", "diary", "stats", locale="ja")).wait_final()

    for reply, language in ((english, "en-US"), (japanese, "ja")):
        fields = {f["name"]: f["value"] for f in reply["embeds"][0]["fields"]}
        assert fields[i18n.t(language, "stats.entries")] == "2"


async def test_each_entry_command_looks_up_the_members_diary_once(
    drive, fake_github, token, connections, monkeypatch
):
    """/entry edit (the editor opening), its submission, /entry add with text and the add
    editor's opening each find the member's diary with one read of their connection (the
    GitHub token's own reads aside), and still work on their repository."""
    number = fake_github.add_issue_from_web("Old", "Text.", user="owner", repository=REPOSITORY)
    looked_up: list[str] = []
    for name in ("own_diary", "diary_of", "get"):
        real = getattr(connections, name)

        async def counted(*args, _real=real, _name=name, **kwargs):
            looked_up.append(_name)
            return await _real(*args, **kwargs)

        monkeypatch.setattr(connections, name, counted)

    async def once(use) -> object:
        looked_up.clear()
        result = await use
        assert looked_up == ["own_diary"], looked_up
        return result

    opened = await once(drive.slash("owner", "entry", "edit", {"number": number}))
    saved = await once(drive.submit("owner", opened.modal["custom_id"], {"title": "", "body": "B"}))
    added = await once(drive.slash("owner", "entry", "add", {"number": number, "text": "More."}))
    await once(drive.slash("owner", "entry", "add", {"number": number}))

    url = f"https://github.com/{REPOSITORY}/issues/{number}"
    assert saved.wait_final()["content"] == en("entry.edited", number=number, title="Old", url=url)
    assert fake_github.issues(REPOSITORY)[0]["body"] == "B"
    assert added.wait_final()["content"].startswith(f"Added to entry #{number}: ")
