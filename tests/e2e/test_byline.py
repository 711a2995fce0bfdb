"""The byline, run for real: a server setting that signs each entry with its author's name."""

from __future__ import annotations

from tests.e2e.harness import Rig


def test_with_the_byline_on_the_issue_ends_with_the_authors_name(rig: Rig) -> None:
    """`/diary-admin config byline:— {display_name}`: the issue body ends with "— Owner" (the
    member's display name), then only the hidden key; the config reply shows the setting."""
    rig.start_bot()
    reply = rig.slash(
        "admin", "config", {"byline": "— {display_name}"}, command="diary-admin"
    ).wait_final()
    assert "Byline: `— {display_name}`" in reply["content"]
    rig.slash("owner", "new", {"title": "Signed", "body": "Written by me."}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    (issue,) = rig.github.issues()
    text, marker = issue["body"].split("\n\n<!-- diary-bot:")
    assert text == "Written by me.\n\n— Owner"
    assert marker.endswith(" -->")


def test_with_the_byline_off_the_issue_is_the_text_and_the_key(rig: Rig) -> None:
    """Off by default, and after `byline:-`: the body is the text and the hidden key only."""
    rig.start_bot()
    rig.slash("admin", "config", {"byline": "— {display_name}"}, command="diary-admin").wait_final()
    reply = rig.slash("admin", "config", {"byline": "-"}, command="diary-admin").wait_final()
    assert "Byline: off" in reply["content"]
    rig.slash("owner", "new", {"title": "Plain", "body": "No name."}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    (issue,) = rig.github.issues()
    assert issue["body"].startswith("No name.\n\n<!-- diary-bot:")


def test_a_byline_without_the_name_is_refused_in_japanese(rig: Rig) -> None:
    """A template without {display_name} is refused, in the member's language; nothing stored."""
    rig.start_bot()
    reply = rig.slash(
        "admin", "config", {"byline": "書いた人"}, command="diary-admin", locale="ja"
    ).wait_final()
    assert "{display_name} を含む" in reply["content"]
    shown = rig.slash("admin", "config", command="diary-admin").wait_final()
    assert "Byline: off" in shown["content"]
