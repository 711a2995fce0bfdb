"""The core path, run for real: draft → SQLite → GitHub issue → announcement."""

from __future__ import annotations

from tests.e2e.harness import Rig


def test_commands_register_with_valid_definitions(rig: Rig) -> None:
    """On first start the bot syncs /draft, /entry, /diary, /diary-admin and the message menu
    to the server, once, with Japanese names and descriptions; the fake checks every
    definition against Discord's limits."""
    rig.start_bot()
    names = sorted(command["name"] for command in rig.discord.commands)
    assert names == ["Add to diary draft", "diary", "diary-admin", "draft", "entry"]
    draft = next(c for c in rig.discord.commands if c["name"] == "draft")
    subcommands = {o["name"] for o in draft["options"]}
    assert {"new", "append", "list", "show", "edit", "delete", "publish"} <= subcommands
    assert draft["name_localizations"]["ja"] == "下書き"
    new = next(o for o in draft["options"] if o["name"] == "new")
    assert new["description_localizations"]["ja"] == "新しい下書きを始める"
    menu = next(c for c in rig.discord.commands if c["type"] == 3)
    assert menu["name_localizations"]["ja"] == "日記の下書きに追加"
    assert rig.discord.command_sync_count == 1


def test_new_append_publish_creates_one_issue_and_one_announcement(rig: Rig) -> None:
    """new → append → publish: one issue with the exact title and body, one announcement."""
    rig.start_bot()
    rig.configure_author_role()
    created = rig.slash("author", "new", {"title": "A walk", "body": "Morning by the river."})
    assert created.wait_final()["flags"] & 64  # ephemeral
    rig.slash("author", "append", {"text": "Evening: tea."}).wait_final()
    published = rig.slash("author", "publish")
    reply = published.wait_final(timeout=15, quiet=0.5)
    issues = rig.github.issues()
    assert len(issues) == 1
    issue = issues[0]
    assert issue["title"] == "A walk"
    assert issue["body"].startswith("Morning by the river.\n\nEvening: tea.\n\n<!-- diary-bot:")
    assert issue["html_url"] if "html_url" in issue else True
    assert f"#{issue['number']}" in reply["content"]
    assert published.ephemeral
    announcements = rig.discord.wait_for(
        lambda: rig.discord.channel_messages("announcements"), 10, "announcement"
    )
    assert len(announcements) == 1
    embed = announcements[0]["embeds"][0]
    assert embed["title"] == "A walk"
    assert embed["url"].endswith(f"/issues/{issue['number']}")
    assert "Morning by the river." in embed["description"]


def test_new_without_body_opens_a_modal_that_saves_the_draft(rig: Rig) -> None:
    """/draft new without a body shows a modal; submitting it stores the draft."""
    rig.start_bot()
    rig.configure_author_role()
    opened = rig.slash("author", "new", {"title": "Rainy day"})
    modal = opened.wait_response()
    assert modal["type"] == 9
    fields = {
        component["components"][0]["custom_id"]: component["components"][0]
        for component in modal["data"]["components"]
    }
    title_id, body_id = list(fields)
    assert fields[title_id].get("value") == "Rainy day"
    saved = rig.discord.modal_submit(
        "author", modal["data"]["custom_id"], {title_id: "Rainy day", body_id: "It rained."}
    ).wait_final()
    assert saved["flags"] & 64
    shown = rig.slash("author", "show").wait_final()
    assert shown["embeds"][0]["title"] == "Rainy day"
    assert shown["embeds"][0]["description"] == "It rained."


def test_restart_keeps_drafts_and_announces_nothing_again(rig: Rig) -> None:
    """After SIGTERM and a new start on the same database: drafts are there, no second
    announcement, no second command sync."""
    rig.start_bot()
    rig.configure_author_role()
    rig.slash("author", "new", {"title": "Kept", "body": "Published one."}).wait_final()
    rig.slash("author", "publish").wait_final(timeout=15, quiet=0.5)
    rig.slash("author", "new", {"title": "Unpublished", "body": "Still a draft."}).wait_final()
    rig.discord.wait_for(lambda: rig.discord.channel_messages("announcements"), 10, "announce")
    assert rig.stop_bot() == 0

    rig.start_bot()
    listing = rig.slash("author", "list").wait_final()
    text = listing["embeds"][0]["description"]
    assert "Kept" in text and "Unpublished" in text
    rig.slash("author", "show").wait_final()  # an interaction after restart round-trips
    assert len(rig.discord.channel_messages("announcements")) == 1
    assert len(rig.github.issues()) == 1
    assert rig.discord.command_sync_count == 1


def test_mentions_in_an_entry_ping_nobody(rig: Rig) -> None:
    """A body with @everyone, @here, a role and a member mention pings nobody anywhere."""
    rig.start_bot()
    rig.configure_author_role()
    role = rig.discord.role_id("Author")
    member = rig.discord.user_id("outsider")
    body = f"@everyone @here <@&{role}> <@{member}> look at this"
    rig.slash("author", "new", {"title": "@everyone party", "body": body}).wait_final()
    rig.slash("author", "publish").wait_final(timeout=15, quiet=0.5)
    announcement = rig.discord.wait_for(
        lambda: rig.discord.channel_messages("announcements"), 10, "announcement"
    )[0]
    assert "@everyone" in announcement["embeds"][0]["description"]
    assert announcement["pinged"] == set()
    assert announcement["allowed_mentions"] == {"parse": []} or not announcement[
        "allowed_mentions"
    ].get("parse")
    every_message = [m for i in rig.discord.interactions for m in i.messages]
    assert every_message and all(not m.get("pinged") for m in every_message)
