"""Warnings shown in the preview before publishing, and escaping GitHub's automatic links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.limits import GITHUB_TITLE, MODAL_TEXT_INPUT
from bot.models import Draft
from bot.services.drafts import MAX_BODY
from bot.services.preview import escape_links, has_links, warnings_for

NOW = datetime(2026, 11, 26, tzinfo=UTC)
DRAFT = Draft(1, 10, 20, "Title", "Plain text.", (), NOW, NOW)


def _keys(draft: Draft) -> list[str]:
    return [warning.key for warning in warnings_for(draft)]


def test_plain_draft_has_no_warnings():
    """A short draft of plain text raises nothing."""
    assert warnings_for(DRAFT) == []


def test_raw_html_is_warned_about_with_an_example():
    """An HTML tag is named in the warning; a lone '<' is not HTML."""
    warnings = warnings_for(replace(DRAFT, body="a < b and <img src=x.png> here"))
    assert [w.key for w in warnings] == ["warning.html"]
    assert warnings[0].values["example"] == "<img src=x.png>"


def test_mentions_and_issue_numbers_are_warned_about_outside_code():
    """@name and #123 become links on GitHub; inside backticks they do not."""
    assert _keys(replace(DRAFT, body="met @octocat about #12")) == ["warning.links"]
    assert _keys(replace(DRAFT, body="`@octocat #12` and a@b.com")) == []


def test_lengths_near_the_limits_are_warned_about():
    """A title over 90% of GitHub's limit and a body longer than the modal or near the
    body limit each get a warning."""
    long_title = replace(DRAFT, title="t" * (GITHUB_TITLE - 1))
    assert _keys(long_title) == ["warning.title_near_limit"]
    past_modal = replace(DRAFT, body="x" * (MODAL_TEXT_INPUT + 1))
    assert _keys(past_modal) == ["warning.too_long_for_modal"]
    near_limit = replace(DRAFT, body="x" * (MAX_BODY - 10))
    assert _keys(near_limit) == ["warning.body_near_limit", "warning.too_long_for_modal"]


def test_escape_links_leaves_code_and_emails_alone():
    """Escaping adds a backslash before @name and #123 only in plain text."""
    text = "hi @alice #7 `@bob #8` mail a@b.com"
    escaped = escape_links(text)
    assert escaped == "hi \\@alice \\#7 `@bob #8` mail a@b.com"
    assert has_links(text) and not has_links(escaped)
