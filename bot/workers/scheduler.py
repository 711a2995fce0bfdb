"""Hands scheduled publishes to the publish job when they are due; sleeps until the next one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import Schedule
from bot.services.clock import Clock
from bot.services.scheduling import ScheduleService
from bot.wake import Wake
from bot.workers._loop import JobLoop


class ScheduleWorker(JobLoop[Schedule]):
    name = "scheduler"

    def __init__(
        self,
        scheduling: ScheduleService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        wake: Wake | None = None,
    ) -> None:
        super().__init__(clock, ready, wake)
        self._scheduling = scheduling

    async def next_due(self) -> tuple[Schedule, datetime] | None:
        schedules = await self._scheduling.pending(limit=1)
        return (schedules[0], schedules[0].next_attempt_at) if schedules else None

    async def run_one(self, job: Schedule) -> None:
        await self._scheduling.hand_over(job)

    async def set_aside(self, job: Schedule, error: Exception) -> None:
        await self._scheduling.set_aside(job, error)
