"""Carries out publish jobs one at a time: at most one GitHub write in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import PublishJob
from bot.services.clock import Clock
from bot.services.publishing import PublishingService
from bot.wake import Wake
from bot.workers._loop import JobLoop


class PublishWorker(JobLoop[PublishJob]):
    name = "publisher"

    def __init__(
        self,
        publishing: PublishingService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        wake: Wake | None = None,
    ) -> None:
        super().__init__(clock, ready, wake)
        self._publishing = publishing

    async def next_due(self) -> tuple[PublishJob, datetime] | None:
        job = await self._publishing.next_job()
        return (job, job.next_attempt_at) if job else None

    async def run_one(self, job: PublishJob) -> None:
        await self._publishing.run(job)

    async def set_aside(self, job: PublishJob, error: Exception) -> None:
        await self._publishing.set_aside(job, error)
