"""The announcer loop: hands each due announcement post or edit to AnnouncementDelivery, one at
a time, and on shutdown lets the one in flight finish (briefly) so its outcome is recorded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import Announcement
from bot.services.announcement_delivery import AnnouncementDelivery, AnnouncementEdit
from bot.services.clock import Clock
from bot.wake import Wake
from bot.workers._loop import JobLoop

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 5.0


class AnnounceWorker(JobLoop[Announcement | AnnouncementEdit]):
    name = "announcer"

    def __init__(
        self,
        delivery: AnnouncementDelivery,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        wake: Wake | None = None,
    ) -> None:
        super().__init__(clock, ready, wake)
        self._delivery = delivery
        self._busy = asyncio.Lock()  # held while a post or edit is in flight
        self._stopping = False

    async def stop(self) -> None:
        """Let a post or edit in flight finish (briefly) so its outcome is recorded; one cut
        off is resolved at the next start by its nonce or a look for it."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._busy.acquire(), STOP_GRACE_SECONDS)
        except TimeoutError:
            log.warning("stopping while an announcement is in flight; its nonce resolves it")
            await super().stop()
        else:
            await super().stop()
            self._busy.release()
        self._stopping = False

    async def next_due(self) -> tuple[Announcement | AnnouncementEdit, datetime] | None:
        return await self._delivery.next_due()

    async def run_one(self, job: Announcement | AnnouncementEdit) -> None:
        if self._stopping:
            return
        async with self._busy:
            await self._delivery.run(job)

    async def set_aside(self, job: Announcement | AnnouncementEdit, error: Exception) -> None:
        await self._delivery.set_aside(job, error)
