"""What to warn about before publishing, and the fix for links GitHub would add."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.limits import GITHUB_TITLE, MODAL_TEXT_INPUT
from bot.models import Draft
from bot.services.drafts import MAX_BODY

NEAR_LIMIT = 0.9
# Raw HTML the blog drops: tags and comments, not a lone "<" or "a < b".
_HTML = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*|!--[\s\S]*?--)>"
)
# GitHub links @name (users, teams) and #123 (issues) outside code.
_MENTION = re.compile(r"(?<![\w\\`/.@])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?![\w@])")
_ISSUE_REF = re.compile(r"(?<![\w\\`&/#])#\d+\b")
_CODE = re.compile(r"```[\s\S]*?```|`[^`\n]*`")


@dataclass(frozen=True)
class DraftWarning:
    key: str
    values: dict[str, Any] = field(default_factory=dict)


def _outside_code(pattern: re.Pattern[str], text: str) -> list[str]:
    return pattern.findall(_CODE.sub(" ", text))


def warnings_for(draft: Draft) -> list[DraftWarning]:
    """Everything worth knowing before this draft becomes a blog page."""
    found: list[DraftWarning] = []
    html = _outside_code(_HTML, draft.body)
    if html:
        found.append(DraftWarning("warning.html", {"example": html[0][:40]}))
    links = _outside_code(_MENTION, draft.body) + _outside_code(_ISSUE_REF, draft.body)
    if links:
        found.append(
            DraftWarning("warning.links", {"examples": ", ".join(dict.fromkeys(links[:3]))})
        )
    if len(draft.title) > GITHUB_TITLE * NEAR_LIMIT:
        found.append(
            DraftWarning(
                "warning.title_near_limit", {"length": len(draft.title), "limit": GITHUB_TITLE}
            )
        )
    if len(draft.body) > MAX_BODY * NEAR_LIMIT:
        found.append(
            DraftWarning("warning.body_near_limit", {"length": len(draft.body), "limit": MAX_BODY})
        )
    if len(draft.body) > MODAL_TEXT_INPUT:
        found.append(DraftWarning("warning.too_long_for_modal", {"limit": MODAL_TEXT_INPUT}))
    return found


def has_links(text: str) -> bool:
    return bool(_outside_code(_MENTION, text) or _outside_code(_ISSUE_REF, text))


def escape_links(text: str) -> str:
    """Backslash-escape @name and #123 outside code so GitHub shows them as plain text."""
    pieces: list[str] = []
    last = 0
    for code in _CODE.finditer(text):
        pieces.append(_escape_plain(text[last : code.start()]))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_escape_plain(text[last:]))
    return "".join(pieces)


def _escape_plain(text: str) -> str:
    text = _MENTION.sub(lambda m: "\\" + m.group(0), text)
    return _ISSUE_REF.sub(lambda m: "\\" + m.group(0), text)
