"""Row 9: a backlog of queued announcements drains in time linear in its size.

The real store (a SQLite file) and the real `AnnounceWorker` loop; Discord is replaced by a
sender that answers at once, so the time measured is the queue's own cost per job (look up the
job due next, record the attempt, record the post). `python -m bench.drain` runs it alone.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.models import Announcement, JobState, TrackedAnnouncement
from bot.services.announcement_delivery import AnnouncementDelivery
from bot.services.clock import SystemClock
from bot.services.posting import RecentPost
from bot.store import Store
from bot.workers.announcer import AnnounceWorker

BACKLOGS = (1_000, 10_000)
CHANNEL = 300000000000000001
TIMEOUT = 600.0


@dataclass(frozen=True)
class Drain:
    queued: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.queued / self.seconds


class _InstantSender:
    """Discord that posts every announcement at once."""

    def __init__(self) -> None:
        self.posted = 0

    async def send_announcement(self, announcement: Announcement, nonce: str) -> int:
        self.posted += 1
        return 900000000000000000 + self.posted

    async def edit_announcement(
        self, channel_id: int, message_id: int, announcement: TrackedAnnouncement
    ) -> None:
        return None

    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        return []


async def drain(path: Path, queued: int) -> Drain:
    """Queue `queued` announcements (due now, as after an outage), then time the worker
    posting every one of them."""
    store = await Store.open(path)
    try:
        now = datetime.now(UTC)
        await store.announcements.add_announcements(
            [
                Announcement(
                    channel_id=CHANNEL,
                    repository="alice/diary",
                    issue_number=number,
                    title=f"Day {number}",
                    url=f"https://github.com/alice/diary/issues/{number}",
                    excerpt="Cold and bright; the herons were back on the gravel bank.",
                    labels=(),
                    author_name="Alice",
                    author_avatar_url=None,
                    entry_created_at=now - timedelta(seconds=queued - number),
                    state=JobState.PENDING,
                    attempts=0,
                    next_attempt_at=now - timedelta(seconds=queued - number),
                )
                for number in range(1, queued + 1)
            ]
        )
        sender = _InstantSender()

        async def ready() -> None:
            return None

        worker = AnnounceWorker(
            AnnouncementDelivery(store.announcements, sender, SystemClock()), SystemClock(), ready
        )
        began = time.perf_counter()
        worker.start()
        try:
            while sender.posted < queued:
                if time.perf_counter() - began > TIMEOUT:
                    raise TimeoutError(f"{sender.posted} of {queued} posted in {TIMEOUT:.0f} s")
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - began
        finally:
            await worker.stop()
        left = await store.announcements.list_announcements_to_send(limit=1)
        if left:
            raise RuntimeError(f"announcement #{left[0].issue_number} still pending")
        return Drain(queued, seconds)
    finally:
        await store.close()


def measure(workdir: Path) -> list[Drain]:
    """One drain per backlog size, each on a new database."""
    workdir.mkdir(parents=True, exist_ok=True)
    return [asyncio.run(drain(workdir / f"drain-{n}.sqlite3", n)) for n in BACKLOGS]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="diary-drain-") as tmp:
        for run in measure(Path(tmp)):
            print(f"{run.queued:>6} queued: {run.seconds:6.2f} s, {run.rate:6.0f} jobs/s")
    sys.exit(0)
