"""Hands scheduled publishes to the publish job when they are due; sleeps until the next one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import Schedule
from bot.services.clock import Clock
from bot.services.scheduling import ScheduleService
from bot.workers._loop import JobLoop


class ScheduleWorker(JobLoop):
    name = "scheduler"

    def __init__(
        self,
        scheduling: ScheduleService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
    ) -> None:
        super().__init__(clock, ready)
        self._scheduling = scheduling

    async def pending(self) -> list[tuple[object, datetime]]:
        return [(s, s.next_attempt_at) for s in await self._scheduling.pending()]

    async def run_one(self, job: object) -> None:
        assert isinstance(job, Schedule)
        await self._scheduling.hand_over(job)
