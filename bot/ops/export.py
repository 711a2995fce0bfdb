"""`diary-bot export DIR` and `diary-bot import DIR`.

An export is a folder with one JSON file holding every row of every table (what `import`
reads), and each draft as a Markdown file with a small front matter, for people and other
tools: unpublished ones in `drafts/`, published ones in `published/`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.models import Draft
from bot.store import Store
from bot.store.export import ImportRefused, import_snapshot

EXPORT_FILE = "diary-bot-export.json"
EXIT_OK = 0
EXIT_FAILED = 1
_SLUG_LIMIT = 48
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


async def run_export(database_path: Path, folder: Path, out: TextIO = sys.stdout) -> int:
    """Write the export of the database into `folder`, which must be new or empty."""
    if not await asyncio.to_thread(database_path.is_file):
        print(f"There is no database at {database_path}: check DATABASE_PATH.", file=out)
        return EXIT_FAILED
    if await asyncio.to_thread(_has_files, folder):
        print(f"{folder} is not empty: export into a new or empty folder.", file=out)
        return EXIT_FAILED
    store = await Store.open(database_path)
    try:
        snapshot = await store.export.export_snapshot(datetime.now(UTC))
        drafts = await store.export.list_all_drafts()
    finally:
        await store.close()
    files = {EXPORT_FILE: json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n"}
    for draft in drafts:
        files[markdown_path(draft)] = markdown(draft)
    await asyncio.to_thread(_write_files, folder, files)
    published = sum(draft.is_published for draft in drafts)
    print(
        f"Exported {len(drafts)} drafts ({published} published) to {folder}: "
        f"{EXPORT_FILE} holds everything; drafts/ and published/ hold Markdown copies.",
        file=out,
    )
    return EXIT_OK


async def run_import(database_path: Path, folder: Path, out: TextIO = sys.stdout) -> int:
    """Load an export from `folder` into the (new or empty) database."""
    source = folder / EXPORT_FILE
    try:
        text = await asyncio.to_thread(source.read_text, "utf-8")
        snapshot = json.loads(text)
    except FileNotFoundError:
        print(f"{source} does not exist: give the folder `diary-bot export` wrote.", file=out)
        return EXIT_FAILED
    except ValueError as error:
        print(f"{source} is not valid JSON: {error}", file=out)
        return EXIT_FAILED
    if not isinstance(snapshot, dict):
        print(f"{source} is not a diary-bot export.", file=out)
        return EXIT_FAILED
    try:
        loaded = await import_snapshot(database_path, snapshot)
    except ImportRefused as error:
        print(f"Nothing imported: {error}.", file=out)
        return EXIT_FAILED
    counts = ", ".join(f"{count} {table}" for table, count in sorted(loaded.items()) if count)
    print(f"Imported into {database_path}: {counts or 'no rows'}.", file=out)
    return EXIT_OK


def markdown_path(draft: Draft) -> str:
    """`published/0042-title.md` for an entry (by issue number), `drafts/0007-title.md` else."""
    slug = re.sub(r"[^\w]+", "-", draft.title.lower()).strip("-_")[:_SLUG_LIMIT].strip("-_")
    if draft.issue_number is not None:
        name = f"published/{draft.issue_number:04d}"
    else:
        name = f"drafts/{draft.id:04d}"
    return f"{name}-{slug}.md" if slug else f"{name}.md"


def markdown(draft: Draft) -> str:
    """The draft as Markdown with a front matter (YAML; every value is also valid JSON)."""
    fields: dict[str, Any] = {
        "title": draft.title,
        "draft": draft.id,
        "status": "published" if draft.is_published else "draft",
        "created_at": _time(draft.created_at),
        "updated_at": _time(draft.updated_at),
    }
    if draft.is_published:
        fields["published_at"] = _time(draft.published_at)
        fields["issue_number"] = draft.issue_number
        fields["issue_url"] = draft.issue_url
    fields["labels"] = list(draft.labels)
    fields["author_id"] = draft.author_id
    fields["guild_id"] = draft.guild_id
    head = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()
    )
    body = draft.body if draft.body.endswith("\n") else draft.body + "\n"
    return f"---\n{head}\n---\n\n{body}"


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _has_files(folder: Path) -> bool:
    return folder.exists() and any(folder.iterdir())


def _write_files(folder: Path, files: dict[str, str]) -> None:
    """Only the owner may read what is written (drafts are private until published), whatever
    the umask: folders 0700, files 0600."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with open(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
