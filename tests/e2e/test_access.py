"""Drafts are private to their author; only permitted members write or configure."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.e2e.harness import Rig
from tests.e2e.test_buttons import buttons
from tests.e2e.test_schedules import _clock_in as clock_in
from tests.fakes.discord_world import MANAGE_GUILD


def test_another_member_cannot_see_or_touch_a_draft(rig: Rig) -> None:
    """Two writers (Manage Server, no author role set): neither lists, shows, edits,
    appends to or publishes the other's draft."""
    rig.start_bot()
    rig.slash("admin", "new", {"title": "Admin's secret", "body": "Private."}).wait_final()
    listing = rig.slash("owner", "list").wait_final()
    assert "Admin's secret" not in str(listing)
    for subcommand, options in [
        ("show", {"draft": 1}),
        ("edit", {"draft": 1}),
        ("append", {"draft": 1, "text": "intrusion"}),
        ("publish", {"draft": 1}),
        ("delete", {"draft": 1}),
    ]:
        reply = rig.slash("owner", subcommand, options).wait_final(timeout=10)
        assert "no draft #1" in reply["content"], (subcommand, reply)
        assert reply["flags"] & 64
    choices = rig.slash("owner", "show", {"draft": ""}, focused="draft").wait_response()
    assert choices["data"]["choices"] == []
    assert rig.github.issues() == []
    mine = rig.slash("admin", "show", {"draft": 1}).wait_final()
    assert mine["embeds"][0]["description"] == "Private."


def test_member_without_author_role_is_told_why(rig: Rig) -> None:
    """With an author role set, a member without it gets a clear ephemeral refusal."""
    rig.start_bot()
    rig.configure_author_role()
    reply = rig.slash("outsider", "new", {"title": "x", "body": "y"}).wait_final()
    assert "Author" in reply["content"] or rig.discord.role_id("Author") in reply["content"]
    assert reply["flags"] & 64


@pytest.mark.parametrize("locale", ["en-US", "ja"])
def test_admin_commands_are_hidden_and_refused_without_manage_server(rig: Rig, locale: str) -> None:
    """/diary-admin carries default_permissions Manage Server, so Discord does not offer it to
    members without it, while /diary help stays visible; a server that grants it to them
    anyway (integration settings) still gets a refusal in their language."""
    rig.start_bot()
    (admin,) = [c for c in rig.discord.commands if c["name"] == "diary-admin"]
    (diary,) = [c for c in rig.discord.commands if c["name"] == "diary"]
    assert admin["default_member_permissions"] == str(MANAGE_GUILD)
    assert admin["name_localizations"]["ja"] == "日記の管理"
    assert diary["default_member_permissions"] is None
    assert {o["name"] for o in diary["options"]} == {"help", "stats", "connect", "disconnect"}
    with pytest.raises(PermissionError):
        rig.slash("outsider", "config", {}, command="diary-admin", locale=locale)
    reply = rig.slash("outsider", "config", {}, command="diary-admin", locale=locale, force=True)
    content = reply.wait_final()["content"]
    assert ("Manage Server" if locale == "en-US" else "サーバー管理") in content
    helped = rig.slash("outsider", "help", command="diary", locale=locale).wait_final()
    assert helped["embeds"] and helped["flags"] & 64


def test_a_removed_author_cannot_publish_from_an_open_preview(rig: Rig) -> None:
    """The author's preview is open when an admin takes the Author role away: its Publish
    button, its editor submitted later and the delete confirmation all refuse, naming the
    role; nothing is published, changed or deleted."""
    rig.start_bot()
    rig.configure_author_role()
    created = rig.slash("author", "new", {"title": "Mine", "body": "Text."})
    ids = {k: b["custom_id"] for k, b in buttons(created.wait_final()).items()}
    opened = rig.discord.button("author", ids["Edit"], created.original_id).wait_response()
    asked = rig.discord.button("author", ids["Delete"], created.original_id)
    confirm = buttons(asked.wait_final())["Delete"]["custom_id"]

    rig.discord.remove_role("author", "Author")

    role = rig.discord.role_id("Author")
    pressed = rig.discord.button("author", ids["Publish"], created.original_id).wait_final()
    assert role in pressed["content"] and pressed["flags"] & 64
    fields = [row["components"][0] for row in opened["data"]["components"]]
    submitted = rig.discord.modal_submit(
        "author", opened["data"]["custom_id"], {fields[-1]["custom_id"]: "Changed."}
    )
    assert role in submitted.wait_final(timeout=10)["content"]
    deleting = rig.discord.button("author", confirm, asked.original_id)
    assert role in deleting.wait_final()["content"]
    assert rig.github.issues() == []
    rig.discord.add_role("author", "Author")
    shown = rig.slash("author", "show").wait_final()
    assert shown["embeds"][0]["description"] == "Text."  # neither changed nor deleted


def schedule_state(rig: Rig) -> str | None:
    with sqlite3.connect(rig.database_path) as db:
        row = db.execute("SELECT state FROM draft_schedules ORDER BY id DESC").fetchone()
    return row[0] if row else None


def test_a_schedule_fails_with_a_note_when_its_author_lost_the_role(rig: Rig) -> None:
    """Scheduled by an author who then loses the Author role: nothing is published when due;
    given the role back, /draft list shows the schedule failed and /draft show says why."""
    rig.start_bot()
    rig.configure_author_role()
    rig.slash("author", "new", {"title": "Later", "body": "Text."}).wait_final()
    reply = rig.slash("author", "publish", {"when": clock_in(2)}).wait_final()
    assert "will be published" in reply["content"]
    rig.discord.remove_role("author", "Author")
    deadline = time.monotonic() + 15
    while schedule_state(rig) != "failed":
        assert time.monotonic() < deadline, rig.bot and rig.bot.log()
        time.sleep(0.1)
    assert rig.github.issues() == []

    rig.discord.add_role("author", "Author")
    listing = rig.slash("author", "list").wait_final()["embeds"][0]["description"]
    assert "scheduled publish failed" in listing
    shown = rig.slash("author", "show").wait_final()["embeds"][0]
    reason = next(f["value"] for f in shown["fields"] if f["name"] == "Scheduled")
    assert "did not happen" in reason and rig.discord.role_id("Author") in reason


def test_autocomplete_answers_nothing_to_a_member_who_may_not_write(rig: Rig) -> None:
    """With an author role set, a member without it gets no draft or entry choices (and GitHub
    is not asked for the entries' titles)."""
    rig.github.add_issue_from_web("Private title", "Text.")
    rig.start_bot()
    rig.configure_author_role()
    asked = len(rig.github.requests)
    for interaction in (
        rig.slash("outsider", "show", {"draft": ""}, focused="draft"),
        rig.discord.slash("outsider", "entry", "edit", {"number": ""}, focused="number"),
    ):
        assert interaction.wait_response()["data"]["choices"] == []
    assert len(rig.github.requests) == asked


def test_only_your_own_message_goes_into_your_draft(rig: Rig) -> None:
    """ "Add to diary draft" on another member's message is refused clearly; on one's own it
    starts a draft."""
    rig.start_bot()
    theirs = rig.discord.post_user_message("admin", "writing", "The admin's words.")
    refused = rig.discord.message_command("owner", "Add to diary draft", theirs).wait_final()
    assert "your own messages" in refused["content"] and refused["flags"] & 64
    listing = rig.slash("owner", "list").wait_final()
    assert "admin's words" not in str(listing)
    mine = rig.discord.post_user_message("owner", "writing", "My own words.")
    added = rig.discord.message_command("owner", "Add to diary draft", mine).wait_final()
    assert "My own words." in str(added)
