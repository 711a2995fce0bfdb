"""Text helpers: control characters and cutting at grapheme boundaries."""

from __future__ import annotations

import pytest

from bot.limits import ELLIPSIS, clean_text, cut, encodable

# Texts given as their grapheme clusters, so the tests know every legal cut position.
CLUSTERS = {
    "combining-marks": ["e\u0301", "t", "e\u0301", " ", "c", "a\u0300", "f", "e\u0301"] * 3,
    "zwj-family": [
        "a",
        "👨\u200d👩\u200d👧\u200d👦",
        "b",
        "👩\u200d💻",
        "👨\u200d👩\u200d👧\u200d👦",
    ]
    * 3,
    "flags": ["🇯🇵", "🇺🇸", "🇫🇷", "x", "🇩🇪", "🇬🇧", "🇮🇹"] * 3,
    "skin-tones": ["👍🏽", "👋🏿", "a", "🧑🏻\u200d🎄", "👍🏼"] * 3,
    "japanese": ["今", "日", "は", "か\u3099", "っ", "こ", "う", "に", "行", "き", "ま", "し", "た"]
    * 2,
    "emoji-presentation": ["❤\ufe0f", "#\ufe0f\u20e3", "1\ufe0f\u20e3", "☺\ufe0f", "z"] * 3,
    "subdivision-flag": [
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "w",
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ]
    * 3,
}


def boundaries(clusters: list[str]) -> set[int]:
    positions, total = {0}, 0
    for cluster in clusters:
        total += len(cluster)
        positions.add(total)
    return positions


def test_clean_text_drops_control_characters():
    """C0 and C1 control characters and DEL are removed."""
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f\x9fg") == "abcdefg"


def test_clean_text_keeps_newline_and_tab():
    """Newlines and tabs are text, not control characters to drop."""
    assert clean_text("line 1\n\tindented\nline 3") == "line 1\n\tindented\nline 3"


def test_clean_text_normalises_line_endings():
    """CRLF and lone CR become LF."""
    assert clean_text("a\r\nb\rc") == "a\nb\nc"


def test_clean_text_keeps_joiners_and_selectors():
    """Zero-width joiners and variation selectors are part of emoji, not junk."""
    family = "👨\u200d👩\u200d👧 ❤\ufe0f"
    assert clean_text(family) == family


def test_cut_leaves_short_text_alone():
    """Text within the limit is returned unchanged, without an ellipsis."""
    assert cut("Dear diary", 10) == "Dear diary"


def test_cut_marks_the_cut_with_an_ellipsis():
    """A shortened text ends with the ellipsis and starts with the original."""
    result = cut("Dear diary, today was long.", 12)
    assert result.endswith(ELLIPSIS)
    assert "Dear diary, today was long.".startswith(result.removesuffix(ELLIPSIS))


@pytest.mark.parametrize("name", sorted(CLUSTERS))
def test_cut_never_exceeds_the_limit(name):
    """For every limit from 1 up, the result is at most `limit` code points long."""
    text = "".join(CLUSTERS[name])
    for limit in range(1, len(text) + 2):
        assert len(cut(text, limit)) <= limit, limit


@pytest.mark.parametrize("name", sorted(CLUSTERS))
def test_cut_never_splits_a_grapheme(name):
    """For every limit, the kept text ends on a grapheme cluster boundary."""
    clusters = CLUSTERS[name]
    text = "".join(clusters)
    legal = boundaries(clusters)
    for limit in range(1, len(text)):
        kept = cut(text, limit).removesuffix(ELLIPSIS)
        assert text.startswith(kept), limit
        assert len(kept) in legal, (limit, kept)


def test_cut_uses_a_custom_ellipsis():
    """The marker can be replaced, and the limit still holds with it."""
    result = cut("abcdefghij", 6, ellipsis="...")
    assert result == "abc..."


def test_cut_to_less_than_the_ellipsis_respects_the_limit():
    """Even a limit smaller than the ellipsis is never exceeded."""
    assert len(cut("abcdef", 0)) <= 0
    assert len(cut("abcdef", 2, ellipsis="...")) <= 2


def test_lone_surrogates_are_dropped_so_text_can_be_stored_and_sent():
    """JSON can carry lone surrogates; UTF-8 (SQLite, Discord) cannot: they are dropped, and
    a real pair (an emoji) is kept."""
    text = "a\ud800b\udfffc 🍵"

    assert clean_text(text) == encodable(text) == "abc 🍵"
    clean_text(text).encode("utf-8")
