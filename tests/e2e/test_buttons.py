"""Buttons that tell the truth: a preview loses its buttons once its draft is published, an old
button says what happened instead of failing, and a delete confirmation greys out when it
expires (also across a restart)."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.harness import Rig, wait_for_quiet


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Button label → button of a message."""
    return {
        button["label"]: button
        for row in message.get("components", [])
        for button in row["components"]
    }


def live(rig: Rig, message_id: str) -> list[str]:
    """Labels of the message's buttons that can still be pressed."""
    message = rig.discord.message(message_id)
    return [label for label, b in buttons(message).items() if not b.get("disabled")]


def preview(rig: Rig, title: str, locale: str = "en-US") -> tuple[str, dict[str, str]]:
    """A new draft's preview message id and its buttons' custom_ids by label."""
    created = rig.slash("owner", "new", {"title": title, "body": "本文"}, locale=locale)
    message = created.wait_final()
    return created.original_id, {k: b["custom_id"] for k, b in buttons(message).items()}


def test_publishing_from_the_preview_removes_its_buttons(rig: Rig) -> None:
    """Publish pressed on a preview: the entry is created and the preview keeps no button."""
    rig.start_bot()
    message_id, ids = preview(rig, "Pressed")
    pressed = rig.discord.button("owner", ids["Publish"], message_id)
    reply = pressed.wait_followup(timeout=15)
    assert "/issues/1" in reply["content"] and reply["flags"] & 64
    assert [i["title"] for i in rig.github.issues()] == ["Pressed"]
    assert live(rig, message_id) == []


def test_a_failed_publish_gives_the_preview_its_buttons_back(rig: Rig) -> None:
    """When the publish ends without an entry, the preview's buttons come back."""
    rig.start_bot()
    message_id, ids = preview(rig, "Not yet")
    rig.github.set_mode(issues_disabled=True)
    rig.discord.button("owner", ids["Publish"], message_id).wait_final(timeout=15, quiet=0.5)
    assert rig.github.issues() == []
    rig.discord.wait_for(lambda: len(live(rig, message_id)) == 3, 5, "buttons back")
    assert set(live(rig, message_id)) == {"Publish", "Edit", "Delete"}


def test_publishing_with_the_command_removes_the_previews_buttons(rig: Rig) -> None:
    """Published with /draft publish, away from its previews: their buttons go too."""
    rig.start_bot()
    message_id, _ = preview(rig, "Elsewhere")
    shown = rig.slash("owner", "show")
    shown.wait_final()
    reply = rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert "#1" in reply["content"]
    rig.discord.wait_for(lambda: live(rig, message_id) == [], 5, "preview without buttons")
    assert live(rig, shown.original_id) == []


def test_an_old_preview_of_a_published_draft_says_so(rig: Rig) -> None:
    """A preview from before a restart (so the bot no longer knows to take its buttons away)
    of a draft published since: pressing a button says the draft is already published (in
    Japanese for a ja member), removes the preview's buttons and publishes nothing twice."""
    rig.start_bot()
    message_id, ids = preview(rig, "古いプレビュー", locale="ja")
    assert rig.stop_bot() == 0
    rig.start_bot()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert "公開する" in live(rig, message_id)
    pressed = rig.discord.button("owner", ids["公開する"], message_id, locale="ja")
    reply = pressed.wait_final(timeout=10, quiet=0.3)
    assert "記事 #1" in reply["content"] and "公開済み" in reply["content"]
    assert reply["flags"] & 64
    assert live(rig, message_id) == []
    wait_for_quiet(rig)
    assert len(rig.github.issues()) == 1


def test_an_old_preview_of_a_deleted_draft_says_so(rig: Rig) -> None:
    """Edit pressed on the preview of a draft deleted meanwhile says it no longer exists."""
    rig.start_bot()
    message_id, ids = preview(rig, "Gone")
    asked = rig.slash("owner", "delete", {"draft": 1})
    question = asked.wait_final()
    rig.discord.button("owner", buttons(question)["Delete"]["custom_id"], asked.original_id)
    rig.discord.wait_for(lambda: "Deleted" in rig.discord.message(asked.original_id)["content"])
    reply = rig.discord.button("owner", ids["Edit"], message_id).wait_final(quiet=0.3)
    assert "no longer exists" in reply["content"]
    assert live(rig, message_id) == []


def test_a_delete_confirmation_greys_out_when_it_expires(rig: Rig) -> None:
    """Left unanswered, the confirmation's buttons are disabled when it expires and it says
    the draft was not deleted."""
    rig.extra_env["DELETE_CONFIRM_SECONDS"] = "5"
    rig.start_bot()
    preview(rig, "Keep me")
    asked = rig.slash("owner", "delete", {"draft": 1})
    assert set(live(rig, asked.wait_final() and asked.original_id)) == {"Delete", "Cancel"}
    rig.discord.wait_for(lambda: live(rig, asked.original_id) == [], 15, "greyed out")
    message = rig.discord.message(asked.original_id)
    assert set(buttons(message)) == {"Delete", "Cancel"}
    assert "expired" in message["content"] and "not deleted" in message["content"]
    assert "Keep me" in str(rig.slash("owner", "show", {"draft": 1}).wait_final())


def test_an_expired_confirmation_pressed_after_a_restart_deletes_nothing(rig: Rig) -> None:
    """A confirmation whose bot restarted before it expired (so nothing greyed it out): Delete
    pressed after expiry deletes nothing and says so; within the time it deletes."""
    rig.extra_env["DELETE_CONFIRM_SECONDS"] = "5"
    rig.start_bot()
    preview(rig, "Survivor")
    asked = rig.slash("owner", "delete", {"draft": 1})
    delete_id = buttons(asked.wait_final())["Delete"]["custom_id"]
    rig.bot.kill()  # no timer is left to grey the buttons out
    rig.start_bot()
    time.sleep(6)
    reply = rig.discord.button("owner", delete_id, asked.original_id).wait_final(quiet=0.3)
    assert "expired" in reply["content"] and "not deleted" in reply["content"]
    assert live(rig, asked.original_id) == []
    assert "Survivor" in str(rig.slash("owner", "show", {"draft": 1}).wait_final())
    again = rig.slash("owner", "delete", {"draft": 1})
    fresh = buttons(again.wait_final())["Delete"]["custom_id"]
    done = rig.discord.button("owner", fresh, again.original_id).wait_final(quiet=0.3)
    assert "Deleted draft #1" in done["content"]
