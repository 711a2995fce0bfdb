"""A wake-up call between a service and the loop that carries out its jobs: made first, given to
both, so neither needs the other to exist. The service calls it when it queued work (or changed
what is due); the loop, sleeping until its next job is due, goes round at once."""

from __future__ import annotations

import asyncio


class Wake:
    """Rung by calling it; waited on by one loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def __call__(self) -> None:
        """Wake the loop now (or as soon as it next waits)."""
        self._event.set()

    def clear(self) -> None:
        """Forget earlier calls: the loop is about to look at what is due."""
        self._event.clear()

    async def wait(self, seconds: float) -> None:
        """Return when called, or after `seconds`."""
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            pass
