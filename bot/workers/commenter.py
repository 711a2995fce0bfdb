"""Carries out comment jobs (`/entry add`) one at a time; unfinished ones resume at start-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.models import CommentJob
from bot.services.clock import Clock
from bot.services.comments import CommentService
from bot.wake import Wake
from bot.workers._loop import JobLoop


class CommentWorker(JobLoop[CommentJob]):
    name = "commenter"

    def __init__(
        self,
        comments: CommentService,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        wake: Wake | None = None,
    ) -> None:
        super().__init__(clock, ready, wake)
        self._comments = comments

    async def next_due(self) -> tuple[CommentJob, datetime] | None:
        job = await self._comments.next_job()
        return (job, job.next_attempt_at) if job else None

    async def run_one(self, job: CommentJob) -> None:
        await self._comments.run(job)

    async def set_aside(self, job: CommentJob, error: Exception) -> None:
        await self._comments.set_aside(job, error)
