"""The linear-time scanners find what the regular expressions they replaced found."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.markdown_scan import blank_code, first_marker_key, html_pieces, marker_at_end

# The patterns the scanners replaced (quadratic on some inputs; fine on short ones).
OLD_HTML = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*|!--[\s\S]*?--)>"
)
OLD_MARKER_AT_END = re.compile(r"\n*<!-- diary-bot:[0-9a-f]+ -->\s*$")
OLD_MARKER = re.compile(r"<!-- diary-bot:([0-9a-f]+) -->")

# Short texts made of the pieces that matter, so the interesting cases come up often.
PIECES = ["<", ">", "!--", "--", "-->", "a", "B1", " ", "\n", "/", "`", "```", "<!--", "x"]
MARKER_PIECES = ["<!-- diary-bot:", " -->", "ab", "0", "g", "\n", " ", "x", "<!--"]
texts = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)
marker_texts = st.lists(st.sampled_from(MARKER_PIECES), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_html_pieces_match_the_old_pattern(text):
    """Comments and tags are the ones the old regular expression found, in order."""
    assert list(html_pieces(text)) == OLD_HTML.findall(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_blank_code_keeps_positions(text):
    """Code becomes spaces of the same length; text outside code is unchanged."""
    blanked = blank_code(text)

    assert len(blanked) == len(text)
    assert all(b == t or b == " " for b, t in zip(blanked, text, strict=True))


@settings(max_examples=200, deadline=None)
@given(marker_texts)
def test_marker_at_end_matches_the_old_pattern(text):
    """The marker at the end, with the blank lines before it, is where the old pattern put it."""
    match = OLD_MARKER_AT_END.search(text)

    assert marker_at_end(text) == (match.start() if match else len(text))


@settings(max_examples=200, deadline=None)
@given(marker_texts)
def test_first_marker_key_matches_the_old_pattern(text):
    """The first well-formed marker's key, as the old pattern found it."""
    match = OLD_MARKER.search(text)

    assert first_marker_key(text) == (match.group(1) if match else None)


def test_unclosed_comment_is_not_html_but_later_tags_are():
    """A `<!--` with no `-->` after it is no comment; a tag before it still counts."""
    assert list(html_pieces("<b>x</b> <!-- open")) == ["<b>", "</b>"]
    assert list(html_pieces("a < b <!-- c --> <br/>")) == ["<!-- c -->", "<br/>"]
