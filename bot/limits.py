"""The limits of GitHub and Discord in one place, and text helpers that respect them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# GitHub issues
GITHUB_TITLE = 256
GITHUB_BODY = 65_536
# Room kept at the end of an issue's body for the hidden publish key: what a draft may hold.
KEY_RESERVE = 64
DRAFT_BODY = GITHUB_BODY - KEY_RESERVE

# Discord messages and embeds
DISCORD_CONTENT = 2_000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4_096
EMBED_FIELD_VALUE = 1_024
EMBED_AUTHOR = 256
EMBED_FIELD_NAME = 256
EMBED_FOOTER = 2_048
EMBED_TOTAL = 6_000  # title, description, fields, footer and author together
EMBED_FIELDS = 25
EMBED_URL = 2_048  # a longer image URL is left out rather than refused by Discord
ATTACHMENT_DESCRIPTION = 1_024  # an attachment's alt text
MODAL_TITLE = 45
MODAL_TEXT_INPUT = 4_000
TEXT_INPUT_LABEL = 45
TEXT_INPUT_PLACEHOLDER = 100
OPTION_TEXT = 6_000  # a slash command's string option
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100  # a string choice's value

# How much of a title replies quote: whole in a sentence, shorter on one line of a list
REPLY_TITLE = 200
LIST_TITLE = 80

# What the announcement shows of an entry's body
ANNOUNCE_EXCERPT = 300

# What the store keeps: the newest revisions of each draft (`/draft history`, `/draft undo`);
# older ones are dropped as new ones are written.
REVISIONS_PER_DRAFT = 50

ELLIPSIS = "…"

# Control characters, and lone surrogates (JSON can carry them; UTF-8, SQLite and Discord
# cannot): one character class, so linear time.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ZWJ = "\u200d"
_EXTENDERS = {_ZWJ, "\u200c", "\ufe0e", "\ufe0f"}


def clean_text(text: str) -> str:
    """Drop control characters except newline and tab, and lone surrogates; normalise line
    endings."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def encodable(text: str) -> str:
    """The text without lone surrogates, so it can be encoded as UTF-8 (stored, sent)."""
    return _SURROGATE.sub("", text)


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


# An embed field this short is dropped rather than cut when an embed must shrink.
_SHORTEST_CUT_FIELD = 40
_EMPTY = "\u200b"  # Discord refuses empty field names and values


def embed_length(data: dict[str, Any]) -> int:
    """What Discord counts against an embed's 6,000 characters."""
    total = len(data.get("title") or "") + len(data.get("description") or "")
    total += sum(len(f.get("name") or "") + len(f.get("value") or "") for f in _fields(data))
    total += len((data.get("footer") or {}).get("text") or "")
    return total + len((data.get("author") or {}).get("name") or "")


def embed_fits(data: dict[str, Any]) -> bool:
    """Whether the embed is already within every limit `fit_embed_data` keeps (then it
    would come back unchanged): a few length checks, so the common reply skips the fitting."""
    footer, author = data.get("footer"), data.get("author")
    if footer is not None and not footer.get("text"):
        return False
    if author is not None and not author.get("name"):
        return False
    fields = data.get("fields")
    if fields is not None and not 0 < len(fields) <= EMBED_FIELDS:
        return False
    for field in fields or ():
        name, value = field.get("name"), field.get("value")
        if not name or not value or len(name) > EMBED_FIELD_NAME:
            return False
        if len(value) > EMBED_FIELD_VALUE:
            return False
    return (
        len(data.get("title") or "") <= EMBED_TITLE
        and len(data.get("description") or "") <= EMBED_DESCRIPTION
        and len((footer or {}).get("text") or "") <= EMBED_FOOTER
        and len((author or {}).get("name") or "") <= EMBED_AUTHOR
        and embed_length(data) <= EMBED_TOTAL
    )


def fit_embed_data(data: dict[str, Any]) -> dict[str, Any]:
    """An embed (Discord's JSON shape) within Discord's limits however it was assembled:
    each part within its own limit, at most 25 fields, 6,000 characters in all. The
    description gives way first, then fields from the last, then the footer, the author and
    the title."""
    data = {**data, "footer": {**(data.get("footer") or {})}}
    data["author"] = {**(data.get("author") or {})}
    parts = [
        (data, "title", EMBED_TITLE),
        (data, "description", EMBED_DESCRIPTION),
        (data["footer"], "text", EMBED_FOOTER),
        (data["author"], "name", EMBED_AUTHOR),
    ]
    for part, key, limit in parts:
        if part.get(key):
            part[key] = cut(part[key], limit)
    data["fields"] = [
        {
            **field,
            "name": cut(field.get("name") or "", EMBED_FIELD_NAME) or _EMPTY,
            "value": cut(field.get("value") or "", EMBED_FIELD_VALUE) or _EMPTY,
        }
        for field in _fields(data)[:EMBED_FIELDS]
    ]
    _shrink(data, data, "description")
    for index in reversed(range(len(data["fields"]))):
        excess = embed_length(data) - EMBED_TOTAL
        if excess <= 0:
            break
        field = data["fields"][index]
        value = _shorter(field["value"], excess)
        if len(value) < _SHORTEST_CUT_FIELD:
            del data["fields"][index]
        else:
            data["fields"][index] = {**field, "value": value}
    _shrink(data, data["footer"], "text")
    _shrink(data, data["author"], "name")
    _shrink(data, data, "title")
    # Discord refuses a footer without text and an author without a name.
    for key, text_key in (("footer", "text"), ("author", "name"), ("fields", None)):
        if not (data[key].get(text_key) if text_key else data[key]):
            del data[key]
    return data


def _shrink(embed: dict[str, Any], part: dict[str, Any], key: str) -> None:
    """Cut `part[key]` by what `embed` is over its total; remove it if nothing is left (a
    footer or author without its text goes as a whole)."""
    excess = embed_length(embed) - EMBED_TOTAL
    if excess <= 0 or not part.get(key):
        return
    part[key] = _shorter(part[key], excess)
    if part[key]:
        return
    if part is embed:
        del part[key]
    else:
        part.clear()


def _fields(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data.get("fields") or [])


def _shorter(text: str, excess: int) -> str:
    """`text` cut by at least `excess` characters (marked with an ellipsis when it can be)."""
    return cut(text, max(len(text) - excess, 0))
