"""Drafts are private to their author; only permitted members write or configure."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Rig


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
def test_config_is_refused_without_manage_server(rig: Rig, locale: str) -> None:
    """/diary config is refused to a member without Manage Server, in their language (the
    /diary group stays visible so that everyone can use /diary help and /diary stats)."""
    rig.start_bot()
    reply = rig.slash("outsider", "config", {}, command="diary", locale=locale)
    content = reply.wait_final()["content"]
    assert ("Manage Server" if locale == "en-US" else "サーバー管理") in content
