"""/entry: published entries listed, edited and added to, each command run in process."""

from __future__ import annotations

from tests.cogs.conftest import en

MODAL = 9
AUTOCOMPLETE_RESULT = 8


async def published(drive, title: str = "Day 1", body: str = "Dear diary.") -> str:
    """Publish a draft through the commands; the entry's URL."""
    await drive.slash("owner", "draft", "new", {"title": title, "body": body})
    reply = (await drive.slash("owner", "draft", "publish")).wait_final()
    return reply["content"].rpartition(" ")[2]


async def test_list_says_when_there_is_no_entry(drive):
    """/entry list without entries: deferred, then a short note."""
    recorded = await drive.slash("owner", "entry", "list")

    assert recorded.response_type == 5
    assert recorded.wait_final()["content"] == en("entry.list_empty")


async def test_list_links_each_entry(drive):
    """/entry list: one line per entry with its number and a link."""
    url = await published(drive, "Heron")

    reply = (await drive.slash("owner", "entry", "list")).wait_final()

    (embed,) = reply["embeds"]
    assert embed["title"] == en("entry.list_title")
    assert f"**#1** [Heron]({url})" in embed["description"]


async def test_edit_opens_the_editor_without_the_hidden_marker(drive):
    """/entry edit number: a modal with the entry's title and text, the publish key left out."""
    await published(drive, "Heron", "Saw one.")

    recorded = await drive.slash("owner", "entry", "edit", {"number": 1})

    assert recorded.response_type == MODAL
    values = [
        item.get("value")
        for top in recorded.modal["components"]
        for item in top.get("components") or [top.get("component")]
        if item and item.get("type") == 4
    ]
    assert values == ["Heron", "Saw one."]


async def test_someone_elses_entry_is_refused(drive):
    """/entry edit on an entry another member published, without Manage Server: refused."""
    await published(drive)
    author_role = drive.fake.world.role_ids["Author"]
    await drive.bot.services.server_settings.update(
        int(drive.fake.world.guild_id), author_role_id=int(author_role)
    )

    reply = (await drive.slash("author", "entry", "edit", {"number": 1})).wait_final()

    assert reply["content"] == en("error.entry_not_yours", number=1)


async def test_add_comments_on_the_entry_and_links_the_comment(drive, fake_github):
    """/entry add number text: the addition becomes a comment; the reply links it."""
    await published(drive)

    recorded = await drive.slash("owner", "entry", "add", {"number": 1, "text": "Later: rain."})

    reply = recorded.wait_final()
    (comment,) = fake_github.comments(1)
    assert comment["body"].startswith("Later: rain.")
    assert reply["content"].startswith("Added to entry #1: ")


async def test_add_without_text_opens_a_multi_line_editor(drive):
    """/entry add number without text: a modal to write the addition in."""
    await published(drive)

    recorded = await drive.slash("owner", "entry", "add", {"number": 1})

    assert recorded.response_type == MODAL


async def test_number_autocomplete_offers_recent_entries(drive):
    """Typing in the number option offers recent entries that match."""
    await published(drive, "Heron")
    await published(drive, "Fish")

    recorded = await drive.slash("owner", "entry", "edit", {"number": ""}, focused="number")

    assert recorded.response_type == AUTOCOMPLETE_RESULT
    names = {c["name"] for c in recorded.responses[0]["data"]["choices"]}
    assert names == {"#1 Heron", "#2 Fish"}
