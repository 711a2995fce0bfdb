"""Drafting that people enjoy: preview buttons, the message menu, files, labels, history, ja/en."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.harness import Rig


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label → custom_id of a message."""
    return {
        button["label"]: button["custom_id"]
        for row in message.get("components", [])
        for button in row["components"]
    }


def test_preview_buttons_work_after_a_restart(rig: Rig) -> None:
    """The Publish button on a preview sent before a restart still publishes afterwards."""
    rig.start_bot()
    created = rig.slash("owner", "new", {"title": "Buttons", "body": "Press me later."})
    preview = created.wait_final()
    assert set(_buttons(preview)) == {"Publish", "Edit", "Delete"}
    assert rig.stop_bot() == 0
    rig.start_bot()
    pressed = rig.discord.button("owner", _buttons(preview)["Publish"], created.original_id)
    reply = pressed.wait_followup(timeout=15)  # after the preview lost its buttons
    assert "#1" in reply["content"]
    assert [issue["title"] for issue in rig.github.issues()] == ["Buttons"]


def test_another_member_pressing_a_button_is_told_it_is_not_theirs(rig: Rig) -> None:
    """Someone else's click on a preview button changes nothing and gets an ephemeral note."""
    rig.start_bot()
    created = rig.slash("owner", "new", {"title": "Mine", "body": "Hands off."})
    buttons = _buttons(created.wait_final())
    for label in ("Publish", "Delete"):
        reply = rig.discord.button("admin", buttons[label], created.original_id).wait_final()
        assert "not yours" in reply["content"]
        assert reply["flags"] & 64
    assert rig.github.issues() == []
    assert "Hands off." in str(rig.slash("owner", "show").wait_final())


def test_message_menu_adds_a_message_to_the_draft(rig: Rig) -> None:
    """ "Add to diary draft" starts a draft from a message, then appends the next one."""
    rig.start_bot()
    first = rig.discord.post_user_message("owner", "writing", "Saw a heron today.")
    second = rig.discord.post_user_message("owner", "writing", "It caught a fish!")
    started = rig.discord.message_command("owner", "Add to diary draft", first).wait_final()
    assert "new draft" in started["content"].lower()
    added = rig.discord.message_command("owner", "Add to diary draft", second).wait_final()
    assert "Added to draft" in added["content"]
    shown = rig.slash("owner", "show").wait_final()
    assert shown["embeds"][0]["description"] == "Saw a heron today.\n\nIt caught a fish!"


def test_export_then_import_round_trips_a_long_draft(rig: Rig) -> None:
    """A 20,000-character Japanese body survives export → import unchanged."""
    rig.start_bot()
    body = ("今日は川沿いを歩いた。\n" * 2000)[:20_000].rstrip("\n")
    rig.slash("owner", "new", {"title": "長い日記", "body": "placeholder"}).wait_final()
    upload = ("long.md", body.encode("utf-8"))
    imported = rig.slash("owner", "import", {"file": upload}).wait_final(timeout=10)
    assert "Replaced the text" in imported["content"]
    exported = rig.slash("owner", "export").wait_final()
    attachment = exported["attachments"][0]
    data = rig.discord.attachment_bytes(attachment)
    assert attachment["filename"].endswith(".md")
    assert body in data.decode("utf-8")
    rig.slash("owner", "append", {"text": "extra"}).wait_final()
    back = rig.slash("owner", "import", {"file": ("back.md", data)}).wait_final(timeout=10)
    assert "Replaced the text" in back["content"]
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    issue = rig.github.issues()[0]
    assert issue["title"] == "長い日記"
    assert issue["body"].split("\n\n<!-- diary-bot:")[0] == body


def test_import_refuses_files_that_are_not_text(rig: Rig) -> None:
    """A .png, or a .txt that is not UTF-8, is refused with a clear message; the draft stays."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Keep", "body": "Original."}).wait_final()
    png = rig.slash("owner", "import", {"file": ("photo.png", b"\x89PNG\r\n")}).wait_final()
    assert ".md" in png["content"]
    latin1 = ("notes.txt", "café".encode("latin-1"))
    bad = rig.slash("owner", "import", {"file": latin1}).wait_final(timeout=10)
    assert "UTF-8" in bad["content"]
    assert "Original." in str(rig.slash("owner", "show").wait_final())


def test_labels_autocomplete_from_the_repository(rig: Rig) -> None:
    """The labels option completes the last comma-separated name from the repository's labels."""
    rig.github.add_label("diary")
    rig.github.add_label("travel")
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Labels", "body": "x"}).wait_final()
    first = rig.slash("owner", "publish", {"labels": "tr"}, focused="labels").wait_response()
    assert [c["value"] for c in first["data"]["choices"]] == ["travel"]
    second = rig.slash("owner", "publish", {"labels": "travel, di"}, focused="labels")
    assert [c["value"] for c in second.wait_response()["data"]["choices"]] == ["travel, diary"]
    label_requests = [r for r in rig.github.requests if r.path.endswith("/labels")]
    assert len(label_requests) == 1  # cached between keystrokes


def test_undo_after_append_and_edit(rig: Rig) -> None:
    """Undo walks back an edit, then an append; history shows every change."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Undo", "body": "One."}).wait_final()
    rig.slash("owner", "append", {"text": "Two."}).wait_final()
    opened = rig.slash("owner", "edit").wait_response()
    fields = [row["components"][0]["custom_id"] for row in opened["data"]["components"]]
    rig.discord.modal_submit(
        "owner", opened["data"]["custom_id"], {fields[0]: "Undo", fields[1]: "Rewritten."}
    ).wait_final()
    assert rig.slash("owner", "show").wait_final()["embeds"][0]["description"] == "Rewritten."
    rig.slash("owner", "undo").wait_final()
    assert rig.slash("owner", "show").wait_final()["embeds"][0]["description"] == "One.\n\nTwo."
    rig.slash("owner", "undo").wait_final()
    assert rig.slash("owner", "show").wait_final()["embeds"][0]["description"] == "One."
    nothing = rig.slash("owner", "undo").wait_final()
    assert "no change to undo" in nothing["content"]
    history = rig.slash("owner", "history").wait_final()["embeds"][0]["description"]
    assert history.count("undone") == 2 and "created" in history


def test_the_same_command_answers_in_japanese_and_english(rig: Rig) -> None:
    """Replies follow the member's Discord language: ja → Japanese, en-US → English."""
    rig.start_bot()
    english = rig.slash("owner", "list", locale="en-US").wait_final()
    japanese = rig.slash("owner", "list", locale="ja").wait_final()
    assert "no drafts yet" in english["content"]
    assert "下書きはまだありません" in japanese["content"]
    created = rig.slash("owner", "new", {"title": "語", "body": "本文"}, locale="ja").wait_final()
    assert "保存しました" in created["content"]
    assert set(_buttons(created)) == {"公開する", "編集する", "削除する"}


def test_preview_warns_about_html_and_links_and_escapes_them(rig: Rig) -> None:
    """The preview warns about raw HTML and @name/#123; the escape button makes them plain."""
    rig.start_bot()
    body = "Met @octocat about #12. <img src=x.png>"
    created = rig.slash("owner", "new", {"title": "Warnings", "body": body})
    preview = created.wait_final()
    warnings = preview["embeds"][0]["fields"][-1]["value"]
    assert "HTML" in warnings and "@octocat" in warnings
    pressed = rig.discord.button(
        "owner", _buttons(preview)["Make @ and # plain text"], created.original_id
    )
    escaped = pressed.wait_final()["embeds"][0]["description"]
    assert "\\@octocat" in escaped and "\\#12" in escaped


def test_server_template_and_time_zone_shape_new_drafts(rig: Rig) -> None:
    """/diary-admin config sets a title format, a body template and Asia/Tokyo; /draft new uses
    them (the title is today's date in Tokyo, the editor starts with the template)."""
    rig.start_bot()
    options = {
        "timezone": "Asia/Tokyo",
        "title_format": "%Y-%m-%d の日記",
        "body_template": "## 今日やったこと\\n\\n## 感想\\n",
    }
    saved = rig.slash("admin", "config", options, command="diary-admin").wait_final()
    assert "Asia/Tokyo" in saved["content"]
    opened = rig.slash("owner", "new").wait_response()
    fields = [row["components"][0] for row in opened["data"]["components"]]
    assert fields[1]["value"] == "## 今日やったこと\n\n## 感想\n"
    rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {fields[0]["custom_id"]: "", fields[1]["custom_id"]: "## 今日やったこと\n散歩"},
    ).wait_final()
    today_in_tokyo = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d の日記")
    shown = rig.slash("owner", "show").wait_final()
    assert shown["embeds"][0]["title"] == today_in_tokyo


def test_bad_time_zone_is_refused_and_help_is_localized(rig: Rig) -> None:
    """An unknown time zone is refused with a clear message; /diary help answers in ja/en."""
    rig.start_bot()
    bad = rig.slash("admin", "config", {"timezone": "Mars/Olympus"}, command="diary-admin")
    assert "Asia/Tokyo" in bad.wait_final()["content"]
    english = rig.slash("author", "help", command="diary").wait_final()
    japanese = rig.slash("author", "help", command="diary", locale="ja").wait_final()
    assert "/draft new" in english["embeds"][0]["description"]
    assert "下書き" in japanese["embeds"][0]["description"]


def test_an_import_whose_file_cannot_be_downloaded_says_so(rig: Rig) -> None:
    """An attachment Discord's CDN no longer serves (its URL expired) gets the clear
    download message, not an unexpected error; the draft stays as it was."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Keep", "body": "Original."}).wait_final()
    rig.discord.attachments_expired = True

    gone = rig.slash("owner", "import", {"file": ("notes.md", b"# New\n")}).wait_final(timeout=10)

    assert gone["content"] == "Could not download notes.md from Discord. Please attach it again."
    assert "Original." in str(rig.slash("owner", "show").wait_final())
