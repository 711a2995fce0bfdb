"""Carries out publish jobs one at a time: at most one GitHub write in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import PublishJob
from bot.services.clock import Clock
from bot.services.publishing import PublishingService
from bot.store import Store
from bot.workers._loop import JobLoop


class PublishWorker(JobLoop[PublishJob]):
    name = "publisher"

    def __init__(
        self,
        store: Store,
        publishing: PublishingService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
    ) -> None:
        super().__init__(clock, ready)
        self._store = store
        self._publishing = publishing

    async def next_due(self) -> tuple[PublishJob, datetime] | None:
        jobs = await self._store.list_pending_publish_jobs(limit=1)
        return (jobs[0], jobs[0].next_attempt_at) if jobs else None

    async def run_one(self, job: PublishJob) -> None:
        await self._publishing.run(job)

    async def set_aside(self, job: PublishJob, error: Exception) -> None:
        await self._publishing.set_aside(job, error)
