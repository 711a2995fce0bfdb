"""Background loops: one task each, woken early by `wake()`, stopped with `stop()`; `JobLoop`
runs due jobs, then sleeps until the next is due or something wakes it."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

from bot.services.clock import Clock
from bot.wake import Wake

log = logging.getLogger(__name__)

IDLE_SECONDS = 300.0

JobT = TypeVar("JobT")


class BackgroundLoop(ABC):
    """One long-running task: started once, woken early by `wake()`, stopped with `stop()`."""

    name = "loop"

    def __init__(self, ready: Callable[[], Awaitable[object]], wake: Wake | None = None) -> None:
        """`wake`: the call that wakes this loop, when a service rings it too."""
        self._ready = ready
        self._wake = wake or Wake()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Stop waiting and go round the loop now."""
        self._wake()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"diary-{self.name}")

    def alive(self) -> bool:
        """Whether the loop runs (started and not ended by an error that escaped it)."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """Cancel the loop wherever it is; what it left unfinished resumes at start-up."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if woken."""
        await self._wake.wait(seconds)

    @abstractmethod
    async def _run(self) -> None:
        """The loop itself; it never returns."""


class JobLoop(BackgroundLoop, Generic[JobT]):
    """Subclasses say which jobs (of type `JobT`) are pending and how to run one."""

    name = "jobs"

    def __init__(
        self, clock: Clock, ready: Callable[[], Awaitable[object]], wake: Wake | None = None
    ) -> None:
        super().__init__(ready, wake)
        self._clock = clock

    async def _run(self) -> None:
        await self._ready()
        while True:
            self._wake.clear()
            try:
                delay = await self._run_due()
            except Exception:
                log.exception("%s worker: unexpected error; retrying in a minute", self.name)
                delay = 60.0
            if delay > 0:
                await self._pause(delay)

    async def _run_due(self) -> float:
        """Run the job due next, if it is due; return seconds until the next one is due."""
        found = await self.next_due()
        if found is None:
            return IDLE_SECONDS
        job, due_at = found
        wait = (due_at - self._clock.now()).total_seconds()
        if wait > 0:
            return min(wait, IDLE_SECONDS)
        try:
            await self.run_one(job)
        except Exception as error:
            # Escaped the service's own handling: set the job aside durably (its next attempt
            # pushed back, the attempt counted towards its limit) so the jobs behind it run
            # meanwhile. Should that fail too, the loop pauses a minute (above).
            log.exception("%s worker: unexpected error in a job; setting it aside", self.name)
            await self.set_aside(job, error)
        # Look again, for the next one only: running a job changes what is due, and reading
        # every pending row after each job would make a backlog cost quadratic time.
        return 0

    @abstractmethod
    async def next_due(self) -> tuple[JobT, datetime] | None:
        """The pending job due soonest, with the time it is due (one indexed look-up)."""

    @abstractmethod
    async def run_one(self, job: JobT) -> None:
        """One attempt at one job; it records its own outcome."""

    @abstractmethod
    async def set_aside(self, job: JobT, error: Exception) -> None:
        """Record a failed attempt at `job`, whose `run_one` raised `error`: its next attempt
        later (the usual capped backoff), or given up once out of attempts."""
