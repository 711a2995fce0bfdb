"""What to warn about before publishing, and the fix for links GitHub would add."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from bot.limits import DRAFT_BODY, GITHUB_TITLE, MODAL_TEXT_INPUT, cut
from bot.markdown_scan import blank_code, html_pieces
from bot.models import Draft, DraftImage, Schedule

NEAR_LIMIT = 0.9
# GitHub links @name (users, teams) and #123 (issues) outside code. Both patterns run in
# linear time: fixed-width look-behinds, a bounded name, and a digit run that can only be
# backtracked into once per "#" (code and HTML are found by `bot.markdown_scan`).
_MENTION = re.compile(r"(?<![\w\\`/.@])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?![\w@])")
_ISSUE_REF = re.compile(r"(?<![\w\\`&/#])#\d+\b")


@dataclass(frozen=True)
class DraftWarning:
    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DraftPreview:
    """What a draft's preview shows: the draft, its images in order, its pending or failed
    schedule, and what to warn about before publishing (nothing once it is published)."""

    draft: Draft
    images: list[DraftImage]
    schedule: Schedule | None
    warnings: list[DraftWarning]


def _links(plain: str, limit: int) -> list[str]:
    """Up to `limit` distinct @names and #numbers in text whose code is already blanked."""
    found = [m.group(0) for m in islice(_MENTION.finditer(plain), limit)]
    found += [m.group(0) for m in islice(_ISSUE_REF.finditer(plain), limit)]
    return list(dict.fromkeys(found))[:limit]


def warnings_for(draft: Draft) -> list[DraftWarning]:
    """Everything worth knowing before this draft becomes a blog page."""
    found: list[DraftWarning] = []
    plain = blank_code(draft.body)
    html = next(html_pieces(plain), None)
    if html is not None:
        found.append(DraftWarning("warning.html", {"example": cut(html, 40)}))
    links = _links(plain, 3)
    if links:
        found.append(DraftWarning("warning.links", {"examples": ", ".join(links)}))
    if len(draft.title) > GITHUB_TITLE * NEAR_LIMIT:
        found.append(
            DraftWarning(
                "warning.title_near_limit", {"length": len(draft.title), "limit": GITHUB_TITLE}
            )
        )
    if len(draft.body) > DRAFT_BODY * NEAR_LIMIT:
        found.append(
            DraftWarning(
                "warning.body_near_limit", {"length": len(draft.body), "limit": DRAFT_BODY}
            )
        )
    if len(draft.body) > MODAL_TEXT_INPUT:
        found.append(DraftWarning("warning.too_long_for_modal", {"limit": MODAL_TEXT_INPUT}))
    return found


def has_links(text: str) -> bool:
    return bool(_links(blank_code(text), 1))


def escape_links(text: str) -> str:
    """Backslash-escape @name and #123 outside code so GitHub shows them as plain text."""
    plain = blank_code(text)
    starts = sorted(
        match.start() for pattern in (_MENTION, _ISSUE_REF) for match in pattern.finditer(plain)
    )
    pieces = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)], strict=True)]
    return "\\".join(pieces)
