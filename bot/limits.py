"""The limits of GitHub and Discord in one place, and text helpers that respect them."""

from __future__ import annotations

import re
import unicodedata

# GitHub issues
GITHUB_TITLE = 256
GITHUB_BODY = 65_536

# Discord messages and embeds
DISCORD_CONTENT = 2_000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4_096
EMBED_FIELD_VALUE = 1_024
EMBED_AUTHOR = 256
EMBED_TOTAL = 6_000  # title, description, fields, footer and author together
EMBED_URL = 2_048  # a longer image URL is left out rather than refused by Discord
ATTACHMENT_DESCRIPTION = 1_024  # an attachment's alt text
MODAL_TITLE = 45
MODAL_TEXT_INPUT = 4_000
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100

# What the announcement shows of an entry's body
ANNOUNCE_EXCERPT = 300

# What the store keeps: the newest revisions of each draft (`/draft history`, `/draft undo`);
# older ones are dropped as new ones are written.
REVISIONS_PER_DRAFT = 50

ELLIPSIS = "…"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ZWJ = "\u200d"
_EXTENDERS = {_ZWJ, "\u200c", "\ufe0e", "\ufe0f"}


def clean_text(text: str) -> str:
    """Drop control characters except newline and tab; normalise line endings."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _continues_cluster(text: str, index: int) -> bool:
    """True when the code point at `index` belongs to the grapheme cluster before it."""
    char = text[index]
    prev = text[index - 1]
    if char in _EXTENDERS or prev == _ZWJ:
        return True
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    if 0x1F3FB <= ord(char) <= 0x1F3FF or 0xE0020 <= ord(char) <= 0xE007F:
        return True  # skin-tone modifiers and tag sequences (flags of regions)
    if _is_regional(char) and _is_regional(prev):
        # Pairs of regional indicators form one flag: cut only between pairs.
        run = 0
        i = index - 1
        while i >= 0 and _is_regional(text[i]):
            run += 1
            i -= 1
        return run % 2 == 1
    return False


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def cut(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """Shorten `text` to at most `limit` characters at a grapheme boundary, marking the cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        ellipsis = ""  # no room to mark the cut: keep what fits
    end = max(limit - len(ellipsis), 0)
    while 0 < end < len(text) and _continues_cluster(text, end):
        end -= 1
    return text[:end].rstrip() + ellipsis
