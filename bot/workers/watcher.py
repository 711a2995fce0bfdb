"""The watcher loop.

The loop polls every POLL_INTERVAL seconds (a 304 costs no rate limit). With webhooks on it is
only a safety net for missed deliveries and polls far less often. While GitHub fails it backs
off exponentially and logs once per failure streak, not at every poll.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.errors import GitHubError
from bot.services.watching import WatchService
from bot.workers._loop import BackgroundLoop

log = logging.getLogger(__name__)

SAFETY_NET_FACTOR = 10
SAFETY_NET_MINIMUM = 600.0
MAX_BACKOFF = 1800.0


def polling_interval(poll_interval: float, *, webhooks: bool) -> float:
    """Seconds between polls: POLL_INTERVAL, or with webhooks a slower safety net."""
    if webhooks:
        return max(poll_interval * SAFETY_NET_FACTOR, SAFETY_NET_MINIMUM)
    return poll_interval


def backoff_delay(interval: float, failures: int, retry_after: float | None = None) -> float:
    """Seconds to wait after `failures` failed polls in a row: doubling, capped."""
    delay = min(interval * 2**failures, max(MAX_BACKOFF, interval))
    return max(delay, retry_after or 0.0)


class Watcher(BackgroundLoop):
    """Runs `WatchService.poll` on a schedule until stopped."""

    name = "watcher"

    def __init__(
        self, service: WatchService, interval: float, ready: Callable[[], Awaitable[object]]
    ) -> None:
        super().__init__(ready)
        self._service = service
        self._interval = interval

    @property
    def interval(self) -> float:
        return self._interval

    def set_interval(self, seconds: float) -> None:
        """Poll every `seconds` from now on (e.g. when the webhook endpoint cannot listen)."""
        self._interval = seconds
        self.wake()

    async def _run(self) -> None:
        await self._ready()  # announcements need the servers and channels Discord reports
        failures = 0
        while True:
            self._wake.clear()
            try:
                result = await self._service.poll()
            except GitHubError as error:
                failures += 1
                delay = backoff_delay(self._interval, failures, error.retry_after)
                if failures == 1:
                    log.warning(
                        "watcher: cannot check GitHub for new entries (%s); retrying with "
                        "growing pauses, silently until it works again",
                        error,
                    )
            except Exception:
                failures += 1
                delay = backoff_delay(self._interval, failures)
                if failures == 1:
                    log.exception("watcher: unexpected error; retrying with growing pauses")
            else:
                if failures:
                    log.info("watcher: GitHub answers again after %d failed check(s)", failures)
                failures = 0
                delay = self._interval
                log.debug("watcher: poll %s; next in %.0fs", result, delay)
            await self._pause(delay)
