"""Waiting for a durable job to end, so the reply to the member who started it can say how
it went (publish jobs, comment jobs)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from bot.models import JobState


class HasState(Protocol):
    @property
    def state(self) -> JobState: ...


JobT = TypeVar("JobT", bound=HasState)


class JobWaits(Generic[JobT]):
    """`wait` returns a job once it is done or failed, or as it stands after `seconds`;
    `finished` wakes whoever waits for it. `read` reads the job from the store."""

    def __init__(self, read: Callable[[int], Awaitable[JobT | None]]) -> None:
        self._read = read
        self._finished: dict[int, asyncio.Event] = {}

    async def wait(self, job_id: int, seconds: float) -> JobT:
        """The job once it is done or failed, or as it stands after `seconds`."""
        event = self._finished.setdefault(job_id, asyncio.Event())
        job = await self._read(job_id)
        assert job is not None
        if job.state is JobState.PENDING:
            try:
                await asyncio.wait_for(event.wait(), seconds)
            except TimeoutError:
                pass
            job = await self._read(job_id)
            assert job is not None
        return job

    def finished(self, job_id: int) -> None:
        """The job ended (done or failed): wake whoever waits for it."""
        event = self._finished.pop(job_id, None)
        if event is not None:
            event.set()
