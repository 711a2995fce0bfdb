"""Drafts as Markdown files: what /draft export sends and /draft import reads."""

from __future__ import annotations

import json

from bot.errors import InvalidInput
from bot.models import Draft

MAX_IMPORT_BYTES = 512 * 1024
IMPORT_SUFFIXES = (".md", ".markdown", ".txt")
_FENCE = "---"


def to_markdown(draft: Draft) -> str:
    """The draft with a small front matter (title and labels as JSON strings, valid YAML)."""
    lines = [_FENCE, f"title: {json.dumps(draft.title, ensure_ascii=False)}"]
    if draft.labels:
        lines.append(f"labels: {json.dumps(list(draft.labels), ensure_ascii=False)}")
    lines += [_FENCE, "", draft.body]
    return "\n".join(lines) + ("\n" if not draft.body.endswith("\n") else "")


def from_markdown(text: str) -> tuple[str | None, str]:
    """(title from the front matter if any, body). A file without front matter is all body."""
    if not text.startswith(_FENCE + "\n"):
        return None, text.strip("\n")
    end = text.find("\n" + _FENCE + "\n", len(_FENCE))
    if end < 0:
        return None, text.strip("\n")
    title = None
    for line in text[len(_FENCE) + 1 : end].splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "title":
            value = value.strip()
            try:
                title = str(json.loads(value)) if value.startswith('"') else value
            except ValueError:
                title = value.strip('"')
    return title, text[end + len(_FENCE) + 2 :].strip("\n")


def check_upload(filename: str, size: int) -> None:
    """Refuse, before downloading, a file that is not .md/.txt or is too large."""
    if not filename.lower().endswith(IMPORT_SUFFIXES):
        raise InvalidInput("error.import_type", suffixes=", ".join(IMPORT_SUFFIXES))
    if size > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "error.import_size", limit=MAX_IMPORT_BYTES // 1024, size=-(-size // 1024)
        )


def decode_upload(filename: str, data: bytes) -> str:
    """The text of a downloaded .md/.txt file, or a clear refusal."""
    check_upload(filename, len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("error.import_encoding") from None
