"""Linear-time scanning of Markdown from members and GitHub: code, hidden comments, HTML tags
and the publish marker. Nothing here reads a stretch of text more than a fixed number of times.

Searches that could start again from many places go through a `NextFinder`: the next
occurrence of a needle at or after a position, for positions that never go back. One answer
serves every query up to it, so each kind of search reads the text once in all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MARKER_PREFIX = "<!-- diary-bot:"
MARKER_SUFFIX = " -->"
_HEX = frozenset("0123456789abcdef")
# Two patterns that run in linear time, so they are kept (they are much faster than a loop
# in Python). Code: a fence that does not close means no "```" follows it, so no later
# fence can fail (each failure would be a "```" after it); inline code stops at a backtick
# or newline. Tags: every attempt starts at a "<", and no run in it can pass the next "<",
# so attempts read disjoint stretches. Hidden comments, which a lazy `<!--[\s\S]*?-->`
# would rescan to the end from every "<!--", are found with a `NextFinder`.
_CODE = re.compile(r"```[\s\S]*?```|`[^`\n]*`")
_TAG = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*)>")


def escaped(text: str, index: int) -> bool:
    """Whether a backslash escapes the character at `index` (an odd run of them before it)."""
    run = 0
    while index - run > 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


class NextFinder:
    """The next occurrence of `needle` at or after a position, for positions that never go
    back (`unescaped`: skipping ones a backslash escapes). len(text) when there is none."""

    def __init__(self, text: str, needle: str, *, unescaped: bool = False) -> None:
        self._text, self._needle, self._unescaped = text, needle, unescaped
        self._asked, self._found = 0, -1

    def at(self, position: int) -> int:
        """The index of the next occurrence at or after `position`, or len(text)."""
        if self._asked <= position <= self._found:
            return self._found
        text, needle = self._text, self._needle
        found = text.find(needle, position)
        while self._unescaped and found >= 0 and escaped(text, found):
            found = text.find(needle, found + 1)
        self._asked, self._found = position, len(text) if found < 0 else found
        return self._found


def blank_code(text: str) -> str:
    """The text with each piece of code turned into spaces: what is left is where it was."""
    return _CODE.sub(lambda match: " " * len(match.group()), text)


def html_pieces(text: str) -> Iterator[str]:
    """Raw HTML the blog drops, in order: comments (`<!-- -->`) and tags (`<a href=x>`,
    `</a>`), not a lone `<` as in `a < b`."""
    comment_ends = NextFinder(text, "-->")
    position = 0
    comment = text.find("<!--")
    tag = _TAG.search(text)
    while comment >= 0 or tag is not None:
        if 0 <= comment < position:
            comment = text.find("<!--", position)
        if tag is not None and tag.start() < position:
            tag = _TAG.search(text, position)
        if comment >= 0 and (tag is None or comment < tag.start()):
            close = comment_ends.at(comment + 4)
            if close == len(text):
                comment = -1  # no "-->" from here on: no later comment closes either
                continue
            yield text[comment : close + 3]
            position = close + 3
        elif tag is not None:
            yield tag.group(0)
            position = tag.end()


def marker_at_end(body: str) -> int:
    """Where the publish marker at the end of `body` begins (with the blank lines before it),
    or len(body) when the body does not end with one (trailing whitespace aside)."""
    stripped = body.rstrip()
    if not stripped.endswith(MARKER_SUFFIX):
        return len(body)
    start = stripped.rfind(MARKER_PREFIX)
    if start < 0 or not _is_key(stripped[start + len(MARKER_PREFIX) : -len(MARKER_SUFFIX)]):
        return len(body)
    while start > 0 and body[start - 1] == "\n":
        start -= 1
    return start


def first_marker_key(body: str) -> str | None:
    """The key of the first well-formed publish marker anywhere in `body`."""
    start = body.find(MARKER_PREFIX)
    while start >= 0:
        key_start = start + len(MARKER_PREFIX)
        end = key_start
        while end < len(body) and body[end] in _HEX:
            end += 1
        if end > key_start and body.startswith(MARKER_SUFFIX, end):
            return body[key_start:end]
        start = body.find(MARKER_PREFIX, end)
    return None


def _is_key(text: str) -> bool:
    return bool(text) and all(char in _HEX for char in text)
