"""/entry: published entries can be listed, edited by their author, and added to."""

from __future__ import annotations

from tests.e2e.harness import Rig


def _publish(rig: Rig, user: str, title: str, body: str) -> int:
    rig.slash(user, "new", {"title": title, "body": body}).wait_final()
    reply = rig.slash(user, "publish").wait_final(timeout=15, quiet=0.5)
    number = max(issue["number"] for issue in rig.github.issues())
    assert f"#{number}" in reply["content"]
    return number


def test_entry_add_creates_exactly_one_comment(rig: Rig) -> None:
    """/entry add posts one comment, also when GitHub fails once with a 502."""
    rig.start_bot()
    number = _publish(rig, "owner", "Day one", "Morning.")
    rig.github.fail_next(1, status=502)
    reply = rig.entry("owner", "add", {"number": number, "text": "Evening: it rained."})
    assert "Added to entry" in reply.wait_final(timeout=15, quiet=0.5)["content"]
    comments = rig.github.comments(number)
    assert len(comments) == 1
    assert comments[0]["body"].startswith("Evening: it rained.\n\n<!-- diary-bot:")


def test_author_edits_an_entry_and_the_announcement_follows(rig: Rig) -> None:
    """The author edits title and text in a modal: the issue changes (its hidden key kept)
    and the announcement message is edited, not posted again."""
    rig.start_bot()
    number = _publish(rig, "owner", "Typo tittle", "Txet.")
    rig.discord.wait_for(lambda: rig.discord.channel_messages("announcements"), 10, "announce")
    opened = rig.entry("owner", "edit", {"number": number}).wait_response()
    fields = [row["components"][0] for row in opened["data"]["components"]]
    assert fields[1]["value"] == "Txet."
    saved = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {fields[0]["custom_id"]: "Typo title", fields[1]["custom_id"]: "Text."},
    ).wait_final(timeout=15, quiet=0.5)
    assert "Updated entry" in saved["content"]
    issue = rig.github.issues()[0]
    assert issue["title"] == "Typo title"
    assert issue["body"].startswith("Text.\n\n<!-- diary-bot:")
    announcements = rig.discord.wait_for(
        lambda: [
            m
            for m in rig.discord.channel_messages("announcements")
            if m["embeds"][0]["title"] == "Typo title"
        ],
        15,
        "announcement edit",
    )
    assert len(rig.discord.channel_messages("announcements")) == 1
    assert announcements[0]["edited_timestamp"] is not None


def test_only_the_author_or_a_manager_may_change_an_entry(rig: Rig) -> None:
    """A writer who did not publish the entry and lacks Manage Server is refused."""
    rig.start_bot()
    everyone = rig.discord.role_id("@everyone")
    rig.slash("admin", "config", {"author_role": everyone}, command="diary-admin").wait_final()
    number = _publish(rig, "author", "Mine", "Text.")
    refused = rig.entry("outsider", "add", {"number": number, "text": "Not yours."})
    assert "Only the member who published" in refused.wait_final()["content"]
    assert rig.github.comments(number) == []
    allowed = rig.entry("admin", "add", {"number": number, "text": "Moderator note."})
    assert "Added to entry" in allowed.wait_final(timeout=10)["content"]


def test_entry_list_links_recent_entries(rig: Rig) -> None:
    """/entry list shows entries written anywhere, newest first, without pull requests."""
    rig.github.add_issue_from_web("Written on GitHub", "From the phone app.")
    rig.github.add_issue_from_web("A pull request", "", pull_request=True)
    rig.start_bot()
    _publish(rig, "owner", "Written in Discord", "Hello.")
    listing = rig.entry("owner", "list").wait_final(timeout=10)
    text = listing["embeds"][0]["description"]
    assert text.index("Written in Discord") < text.index("Written on GitHub")
    assert "pull request" not in text


def test_issues_that_are_no_entries_are_neither_listed_nor_changed(rig: Rig) -> None:
    """A stranger's issue and a pull request: not in /entry list, and even a member with
    Manage Server cannot edit them or add to them; the owner's issue on GitHub is an entry."""
    spam = rig.github.add_issue_from_web("Buy now", "Cheap pills.", user="mallory")
    pull = rig.github.add_issue_from_web("Fix typo", "", pull_request=True)
    own = rig.github.add_issue_from_web("From the phone", "Written on GitHub.")
    rig.start_bot()
    text = rig.entry("admin", "list").wait_final(timeout=10)["embeds"][0]["description"]
    assert "From the phone" in text
    assert "Buy now" not in text and "Fix typo" not in text
    for number in (spam, pull):
        edit = rig.entry("admin", "edit", {"number": number}).wait_final(timeout=10)
        assert f"#{number} is not a diary entry" in edit["content"], edit
        add = rig.entry("admin", "add", {"number": number, "text": "Note."})
        assert "is not a diary entry" in add.wait_final(timeout=10)["content"]
        assert rig.github.comments(number) == []
    opened = rig.entry("admin", "edit", {"number": own}).wait_response()
    assert opened["type"] == 9  # the editor opens
