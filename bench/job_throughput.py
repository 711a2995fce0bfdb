"""`python -m bench.job_throughput`: how many entries per second the SQLite store can carry
through their durable jobs, without GitHub or Discord (docs/scaling.md uses these numbers).

One entry's store work, as the bot does it: `add_draft`, `add_publish_job` (checked against
the draft), `mark_publish_job_started`, `complete_publish_job` queuing one announcement,
`update_announcement` to sent. Run one after another on one connection (the bot's shape: one
writer), then with 1,000 jobs pending, the cost of the worker's `list_pending_publish_jobs` scan.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.models import Announcement, JobState, Owner, PublishJob
from bot.store import Store

ENTRIES = 2_000
PENDING = 1_000
CHANNEL = 300000000000000001
REPOSITORY = "o/r"


def _job(draft_id: int, owner: Owner, at: datetime, body: str) -> PublishJob:
    return PublishJob(
        id=0,
        draft_id=draft_id,
        guild_id=owner.guild_id,
        author_id=owner.user_id,
        author_name="Member",
        author_avatar_url=None,
        idempotency_key=f"key-{draft_id}",
        title="Day",
        body=body,
        labels=(),
        state=JobState.PENDING,
        attempts=0,
        outcome_unknown=False,
        next_attempt_at=at,
        created_at=at,
    )


def _announcement(number: int, at: datetime) -> Announcement:
    return Announcement(
        channel_id=CHANNEL,
        repository=REPOSITORY,
        issue_number=number,
        title="Day",
        url=f"https://github.com/o/r/issues/{number}",
        excerpt="A day.",
        labels=(),
        author_name="Member",
        author_avatar_url=None,
        entry_created_at=at,
        state=JobState.PENDING,
        attempts=0,
        next_attempt_at=at,
    )


async def _entry(store: Store, owner: Owner, number: int) -> None:
    at = datetime.now(UTC)
    draft = await store.drafts.add_draft(owner, "Day", "A day's words. " * 40, (), at)
    job, _ = await store.jobs.add_publish_job(_job(draft.id, owner, at, draft.body), expected=draft)
    await store.jobs.mark_publish_job_started(job.id, at)
    await store.jobs.complete_publish_job(
        job.id,
        at,
        issue_number=number,
        issue_url=f"https://github.com/o/r/issues/{number}",
        announcements=[_announcement(number, at)],
    )
    await store.announcements.update_announcement(
        CHANNEL, REPOSITORY, number, at, state=JobState.DONE, message_id=number
    )


async def measure(folder: Path) -> None:
    store = await Store.open(folder / "jobs.sqlite3")
    try:
        began = time.perf_counter()
        for n in range(ENTRIES):
            await _entry(store, Owner(1, 1000 + n % 50), n + 1)
        elapsed = time.perf_counter() - began
        print(
            f"{ENTRIES:,} entries through draft, publish job and announcement: {elapsed:.1f} s, "
            f"{ENTRIES / elapsed:,.0f} entries/s ({elapsed / ENTRIES * 1000:.2f} ms each, "
            f"5 write transactions)"
        )
        at = datetime.now(UTC)
        for n in range(PENDING):
            draft = await store.drafts.add_draft(Owner(2, 2000 + n), "Waiting", "Text.", (), at)
            await store.jobs.add_publish_job(_job(draft.id, Owner(2, 2000 + n), at, "Text."))
        scans = []
        for _ in range(50):
            began = time.perf_counter()
            pending = await store.jobs.list_pending_publish_jobs()
            scans.append((time.perf_counter() - began) * 1000)
        print(
            f"list_pending_publish_jobs with {len(pending):,} pending: "
            f"median {statistics.median(scans):.1f} ms, max {max(scans):.1f} ms"
        )
    finally:
        await store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(Path(folder)))
    load = Path("/proc/loadavg").read_text()[:14]
    print(f"(Python {sys.version.split()[0]}; load average {load})")


if __name__ == "__main__":
    main()
