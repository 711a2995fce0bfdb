"""Posts queued announcements, each once, retrying when Discord fails."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.models import Announcement, JobState
from bot.services.announcing import AnnouncementFailed, AnnouncementSender
from bot.services.clock import Clock
from bot.services.publishing import retry_delay
from bot.store import Store
from bot.workers._loop import JobLoop

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff


class AnnounceWorker(JobLoop):
    name = "announcer"

    def __init__(
        self,
        store: Store,
        sender: AnnouncementSender,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
    ) -> None:
        super().__init__(clock, ready)
        self._store = store
        self._sender = sender

    async def pending(self) -> list[tuple[object, datetime]]:
        return [(a, a.next_attempt_at) for a in await self._store.list_pending_announcements()]

    async def run_one(self, job: object) -> None:
        assert isinstance(job, Announcement)
        now = self._clock.now()
        try:
            message_id = await self._sender.send_announcement(job)
        except AnnouncementFailed as error:
            final = error.permanent or job.attempts + 1 >= MAX_ATTEMPTS
            delay = retry_delay(job.attempts)
            log.warning(
                "announcement of #%d in channel %d failed (%s)%s",
                job.issue_number,
                job.channel_id,
                error,
                "; giving up" if final else f"; retrying in {delay:.1f}s",
            )
            await self._store.update_announcement(
                job.channel_id,
                job.issue_number,
                now,
                state=JobState.FAILED if final else JobState.PENDING,
                next_attempt_at=now + timedelta(seconds=delay),
            )
            return
        await self._store.update_announcement(
            job.channel_id, job.issue_number, now, state=JobState.DONE, message_id=message_id
        )
        log.info(
            "announced #%d in channel %d (message %d)", job.issue_number, job.channel_id, message_id
        )
