"""Row 5: the store with 10,000 drafts and 100,000 revisions, built through `bot.store.Store`
itself (`add_draft`, then `append_to_draft` nine times per draft: one revision each), plus one
more member who has published 2,000 entries (a daily writer after five and a half years) and no
draft left: the draft limit and `/draft list` must not slow down or block them.

Building takes a while (100,000 transactions), so the bench runs it as a separate process
(`python -m bench.store_scale build ...`) while it measures things that only count requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.stats import Summary
from bot.models import JobState, Owner, PublishJob
from bot.services.clock import SystemClock
from bot.services.drafts import DraftService
from bot.store import Store

DRAFTS = 10_000
REVISIONS = 100_000
APPENDS_PER_DRAFT = REVISIONS // DRAFTS - 1  # add_draft records the first revision
SAMPLES = 400  # of each operation
PUBLISHED = 2_000  # entries of the member who writes every day
BODY = "朝、川沿いを歩いた。Cold and bright; the herons were back on the gravel bank."
PARAGRAPH = "夜はお茶を飲んだ。In the evening, tea and a letter to an old friend."


@dataclass(frozen=True)
class Built:
    drafts: int
    revisions: int
    published: int
    seconds: float
    size_mb: float


@dataclass(frozen=True)
class StoreScale:
    built: Built
    append: Summary  # DraftService.append, as /draft append does it
    listing: Summary  # DraftService.list + Store.count_drafts, as /draft list does it
    published_listing: Summary  # the same for the member with PUBLISHED entries
    published_create: Summary  # DraftService.create for that member, as /draft new does it


async def build(path: Path, guild_id: int, author_ids: list[int], author_role_id: int) -> None:
    """Fill a new database: DRAFTS drafts spread evenly over the authors, REVISIONS in all;
    the server lets the Author role write (as `/diary-admin config` would)."""
    store = await Store.open(path)
    try:
        await store.settings.update_guild_settings(
            guild_id, datetime.now(UTC), author_role_id=author_role_id
        )
        owners = [Owner(guild_id, author_id) for author_id in author_ids]
        for number in range(DRAFTS):
            owner = owners[number % len(owners)]
            title = f"{number // len(owners) + 1}日目 / Day {number // len(owners) + 1}"
            draft = await store.drafts.add_draft(owner, title, BODY, (), datetime.now(UTC))
            for paragraph in range(APPENDS_PER_DRAFT):
                text = f"{PARAGRAPH} ({paragraph})"
                await store.drafts.append_to_draft(owner, draft.id, text, datetime.now(UTC))
        await _publish_many(store, Owner(guild_id, max(author_ids) + 1), PUBLISHED)
    finally:
        await store.close()


async def _publish_many(store: Store, owner: Owner, count: int) -> None:
    """`count` drafts of `owner`, each published through a completed publish job."""
    for number in range(1, count + 1):
        now = datetime.now(UTC)
        draft = await store.drafts.add_draft(owner, f"{number}日目", BODY, (), now)
        job, _ = await store.jobs.add_publish_job(
            PublishJob(
                id=0,
                draft_id=draft.id,
                guild_id=owner.guild_id,
                author_id=owner.user_id,
                author_name="Daily writer",
                author_avatar_url=None,
                idempotency_key=f"bench-published-{number}",
                title=draft.title,
                body=draft.body,
                labels=(),
                state=JobState.PENDING,
                attempts=0,
                outcome_unknown=False,
                next_attempt_at=now,
                created_at=now,
            )
        )
        url = f"https://github.com/bench/diary/issues/{number}"
        await store.jobs.complete_publish_job(
            job.id, now, issue_number=number, issue_url=url, announcements=()
        )


def start_build(
    path: Path, guild_id: int, author_ids: list[int], author_role_id: int, log: Path
) -> subprocess.Popen[bytes]:
    """Run `build` in a separate process, which prints `{"seconds": ...}` when done and
    logs to `log`; the caller waits for it."""
    command = [sys.executable, "-m", "bench.store_scale", "build", str(path)]
    command += [str(guild_id), str(author_role_id), ",".join(map(str, author_ids))]
    with log.open("wb") as errors:
        return subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.PIPE,
            stderr=errors,
        )


def count_rows(path: Path) -> tuple[int, int, int]:
    """(unpublished drafts, revisions, published drafts) in the file, read with a plain
    read-only connection."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        drafts = connection.execute(
            "SELECT COUNT(*) FROM drafts WHERE issue_number IS NULL"
        ).fetchone()[0]
        revisions = connection.execute("SELECT COUNT(*) FROM draft_revisions").fetchone()[0]
        published = connection.execute(
            "SELECT COUNT(*) FROM drafts WHERE issue_number IS NOT NULL"
        ).fetchone()[0]
    return int(drafts), int(revisions), int(published)


async def measure(path: Path, built_seconds: float, seed: int = 7) -> StoreScale:
    """Time what /draft append and /draft list ask of the store, for random members, and
    /draft list and /draft new for the member with only published entries."""
    drafts, revisions, published = count_rows(path)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    built = Built(drafts, revisions, published, built_seconds, size)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT id, guild_id, author_id FROM drafts WHERE issue_number IS NULL"
        ).fetchall()
        writer = connection.execute(
            "SELECT guild_id, author_id FROM drafts WHERE issue_number IS NOT NULL LIMIT 1"
        ).fetchone()
    by_owner: dict[Owner, list[int]] = {}
    for draft_id, guild_id, author_id in rows:
        by_owner.setdefault(Owner(guild_id, author_id), []).append(draft_id)
    owners = sorted(by_owner, key=lambda o: o.user_id)
    rng = random.Random(seed)
    store = await Store.open(path)
    service = DraftService(store.drafts, store.images, SystemClock())
    appends: list[float] = []
    listings: list[float] = []
    writer_listings: list[float] = []
    writer_creates: list[float] = []
    daily = Owner(writer[0], writer[1])
    try:
        for number in range(SAMPLES):
            owner = rng.choice(owners)
            # Alternately the latest draft (no `draft` option) and a random one of theirs.
            target = rng.choice(by_owner[owner]) if number % 2 else None
            started = time.perf_counter()
            await service.append(owner, target, f"{PARAGRAPH} (bench {number})")
            appends.append(time.perf_counter() - started)
            owner = rng.choice(owners)
            started = time.perf_counter()
            await service.list(owner)
            await store.drafts.count_drafts(owner)
            listings.append(time.perf_counter() - started)
            started = time.perf_counter()
            await service.list(daily)
            await store.drafts.count_drafts(daily, published=True)
            writer_listings.append(time.perf_counter() - started)
            started = time.perf_counter()
            await service.create(daily, None, f"{PARAGRAPH} (bench {number})")
            writer_creates.append(time.perf_counter() - started)
    finally:
        await store.close()
    return StoreScale(
        built,
        Summary.of(appends),
        Summary.of(listings),
        Summary.of(writer_listings),
        Summary.of(writer_creates),
    )


def _main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store_scale")
    parser.add_argument("command", choices=["build"])
    parser.add_argument("path", type=Path)
    parser.add_argument("guild_id", type=int)
    parser.add_argument("author_role_id", type=int)
    parser.add_argument("author_ids", help="comma-separated user ids")
    args = parser.parse_args(argv)
    authors = [int(part) for part in args.author_ids.split(",")]
    started = time.monotonic()
    asyncio.run(build(args.path, args.guild_id, authors, args.author_role_id))
    print(json.dumps({"seconds": time.monotonic() - started}))


if __name__ == "__main__":
    _main(sys.argv[1:])
