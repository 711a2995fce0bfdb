"""Posts each server's daily reminder when its time comes (at most once per local date)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import Reminder
from bot.services.clock import Clock
from bot.services.reminders import ReminderService
from bot.wake import Wake
from bot.workers._loop import JobLoop


class ReminderWorker(JobLoop[Reminder]):
    name = "reminders"

    def __init__(
        self,
        reminders: ReminderService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        wake: Wake | None = None,
    ) -> None:
        super().__init__(clock, ready, wake)
        self._reminders = reminders

    async def next_due(self) -> tuple[Reminder, datetime] | None:
        # One reminder per server: few enough to compute every time.
        due = await self._reminders.due()
        return due[0] if due else None

    async def run_one(self, job: Reminder) -> None:
        await self._reminders.run(job.guild_id)

    async def set_aside(self, job: Reminder, error: Exception) -> None:
        await self._reminders.set_aside(job.guild_id, error)
