"""Editors: multi-line text wherever text is added, and nothing typed in one is ever lost."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Rig

PARAGRAPH_STYLE = 2  # TextStyle.paragraph: the multi-line input
WITH_BREAKS = "Evening.\nTea by the window.\n\nThe herons were back."


def _inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    return [row["components"][0] for row in modal["data"]["components"]]


def _published_body(rig: Rig, user: str) -> str:
    rig.slash(user, "publish").wait_final(timeout=15, quiet=0.5)
    return rig.github.issues()[-1]["body"]


def test_draft_append_without_text_opens_a_multi_line_editor(rig: Rig) -> None:
    """/draft append without text shows a paragraph input; its line breaks reach the issue."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Lines", "body": "Morning."}).wait_final()
    opened = rig.slash("owner", "append").wait_response()
    assert opened["type"] == 9
    (text,) = _inputs(opened)
    assert text["style"] == PARAGRAPH_STYLE
    saved = rig.discord.modal_submit(
        "owner", opened["data"]["custom_id"], {text["custom_id"]: WITH_BREAKS}
    ).wait_final()
    assert "Added to draft" in saved["content"]
    assert _published_body(rig, "owner").startswith(f"Morning.\n\n{WITH_BREAKS}\n\n<!--")


def test_entry_add_without_text_opens_a_multi_line_editor(rig: Rig) -> None:
    """/entry add without text shows a paragraph input; its line breaks reach the comment."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Entry", "body": "Morning."}).wait_final()
    _published_body(rig, "owner")
    number = rig.github.issues()[-1]["number"]
    opened = rig.entry("owner", "add", {"number": number}).wait_response()
    (text,) = _inputs(opened)
    assert text["style"] == PARAGRAPH_STYLE
    saved = rig.discord.modal_submit(
        "owner", opened["data"]["custom_id"], {text["custom_id"]: WITH_BREAKS}
    ).wait_final(timeout=15, quiet=0.5)
    assert "Added to entry" in saved["content"]
    (comment,) = rig.github.comments(number)
    assert comment["body"].startswith(f"{WITH_BREAKS}\n\n<!-- diary-bot:")


def test_an_editor_opened_before_a_restart_saves_after_it(rig: Rig) -> None:
    """Editors opened before the bot restarts (new, append, edit) save when submitted after."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Before", "body": "One."}).wait_final()
    edit = rig.slash("owner", "edit").wait_response()
    append = rig.slash("owner", "append").wait_response()
    new = rig.slash("owner", "new").wait_response()
    assert rig.stop_bot() == 0
    rig.start_bot()

    title, body = _inputs(edit)
    edited = rig.discord.modal_submit(
        "owner",
        edit["data"]["custom_id"],
        {title["custom_id"]: "After", body["custom_id"]: "One, rewritten.\nWith a break."},
    ).wait_final()
    assert "Saved your changes" in edited["content"]
    (text,) = _inputs(append)
    appended = rig.discord.modal_submit(
        "owner", append["data"]["custom_id"], {text["custom_id"]: "Two."}
    ).wait_final()
    assert "Added to draft" in appended["content"]
    shown = rig.slash("owner", "show").wait_final()["embeds"][0]
    assert (shown["title"], shown["description"]) == (
        "After",
        "One, rewritten.\nWith a break.\n\nTwo.",
    )
    title, body = _inputs(new)
    created = rig.discord.modal_submit(
        "owner", new["data"]["custom_id"], {title["custom_id"]: "Later", body["custom_id"]: "x"}
    ).wait_final()
    assert "Later" == created["embeds"][0]["title"]


def test_an_editor_over_a_changed_draft_saves_a_revision_undo_steps_back_from(rig: Rig) -> None:
    """The draft changed while the editor was open: the text is saved all the same, the reply
    says so, and /draft undo brings back the change it replaced."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Race", "body": "One."}).wait_final()
    opened = rig.slash("owner", "edit").wait_response()
    rig.slash("owner", "append", {"text": "Two."}).wait_final()
    title, body = _inputs(opened)
    saved = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {title["custom_id"]: "Race", body["custom_id"]: "Rewritten."},
    ).wait_final()
    assert "changed while the editor was open" in saved["content"]
    assert "/draft undo" in saved["content"]
    assert saved["embeds"][0]["description"] == "Rewritten."
    undone = rig.slash("owner", "undo").wait_final()
    assert undone["embeds"][0]["description"] == "One.\n\nTwo."


def test_an_entry_editor_opened_before_a_restart_saves_after_it(rig: Rig) -> None:
    """/entry edit's editor, submitted after the bot restarted, edits the issue."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Entry", "body": "Morning."}).wait_final()
    _published_body(rig, "owner")
    number = rig.github.issues()[-1]["number"]
    opened = rig.entry("owner", "edit", {"number": number}).wait_response()
    assert rig.stop_bot() == 0
    rig.start_bot()

    title, body = _inputs(opened)
    saved = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {title["custom_id"]: "", body["custom_id"]: "Morning.\nAnd a line more."},
    ).wait_final(timeout=15, quiet=0.5)

    assert "Updated entry" in saved["content"]
    issue = rig.github.issues()[-1]
    assert issue["title"] == "Entry"  # left empty: the title stays
    assert issue["body"].startswith("Morning.\nAnd a line more.\n\n<!-- diary-bot:")


def test_an_editor_over_a_published_draft_hands_the_text_back(rig: Rig) -> None:
    """The draft was published while its editor was open: the reply says so and hands back
    what was typed as a file, so nothing is lost."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Gone", "body": "One."}).wait_final()
    opened = rig.slash("owner", "edit").wait_response()
    _published_body(rig, "owner")
    title, body = _inputs(opened)

    submitted = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {title["custom_id"]: "Gone", body["custom_id"]: "Careful words.\nTwo lines."},
    )

    refused = submitted.wait_final()
    assert "already published" in refused["content"]
    kept = submitted.wait_followup(index=0)
    assert "nothing you typed is lost" in kept["content"]
    (attachment,) = kept["attachments"]
    data = rig.discord.attachment_bytes(attachment).decode()
    assert data == "Gone\n\nCareful words.\nTwo lines."
