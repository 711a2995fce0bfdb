"""The core path, run for real: draft → SQLite → GitHub issue → announcement."""

from __future__ import annotations

from tests.e2e.harness import Rig


def test_commands_register_with_valid_definitions(rig: Rig) -> None:
    """On first start the bot syncs /draft and /diary to the server, once, within the limits."""
    rig.start_bot()
    names = sorted(command["name"] for command in rig.discord.commands)
    assert names == ["diary", "draft"]
    draft = next(c for c in rig.discord.commands if c["name"] == "draft")
    assert sorted(o["name"] for o in draft["options"]) == sorted(
        ["new", "append", "list", "show", "edit", "delete", "publish"]
    )
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
