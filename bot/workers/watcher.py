"""The watcher loop, and the probe that tells the announcer when a blog page is live.

The loop polls every POLL_INTERVAL seconds (a 304 costs no rate limit). With webhooks on it is
only a safety net for missed deliveries and polls far less often. While GitHub fails it backs
off exponentially and logs once per failure streak, not at every poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from bot.errors import GitHubError
from bot.services.watching import WatchService

log = logging.getLogger(__name__)

SAFETY_NET_FACTOR = 10
SAFETY_NET_MINIMUM = 600.0
MAX_BACKOFF = 1800.0
PAGE_CHECK_TIMEOUT = 10.0
MAX_REMEMBERED_PAGES = 256


def polling_interval(poll_interval: float, *, webhooks: bool) -> float:
    """Seconds between polls: POLL_INTERVAL, or with webhooks a slower safety net."""
    if webhooks:
        return max(poll_interval * SAFETY_NET_FACTOR, SAFETY_NET_MINIMUM)
    return poll_interval


def backoff_delay(interval: float, failures: int, retry_after: float | None = None) -> float:
    """Seconds to wait after `failures` failed polls in a row: doubling, capped."""
    delay = min(interval * 2**failures, max(MAX_BACKOFF, interval))
    return max(delay, retry_after or 0.0)


class Watcher:
    """Runs `WatchService.poll` on a schedule until stopped."""

    def __init__(
        self, service: WatchService, interval: float, ready: Callable[[], Awaitable[object]]
    ) -> None:
        self._service = service
        self._interval = interval
        self._ready = ready
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def interval(self) -> float:
        return self._interval

    def set_interval(self, seconds: float) -> None:
        """Poll every `seconds` from now on (e.g. when the webhook endpoint cannot listen)."""
        self._interval = seconds
        self.wake()

    def wake(self) -> None:
        """Poll now."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="diary-watcher")

    def alive(self) -> bool:
        """Whether the polling loop runs."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

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
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass


class PageProbe:
    """Asks in the background whether blog pages answer 200 yet, so the announcer never waits
    for a slow site: it asks `is_live` when a job is due and postpones the job if not yet."""

    def __init__(self, timeout: float = PAGE_CHECK_TIMEOUT) -> None:
        self._timeout = timeout
        self._live: list[str] = []
        self._checks: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def is_live(self, url: str) -> bool:
        """True once `url` answered 200; otherwise starts one check in the background (if
        none is running for it) and says False."""
        if url in self._live:
            return True
        if url not in self._checks:
            self._checks[url] = asyncio.create_task(self._check(url), name="diary-page-probe")
        return False

    def forget(self, url: str) -> None:
        if url in self._live:
            self._live.remove(url)

    async def _check(self, url: str) -> None:
        try:
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=self._timeout),
                    headers={"User-Agent": "diary-bot"},
                )
            async with self._session.get(url, allow_redirects=True) as response:
                if response.status == 200:
                    self._live = [*self._live[-MAX_REMEMBERED_PAGES + 1 :], url]
                else:
                    log.debug("page %s answered %d; not live yet", url, response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.debug("page %s did not answer (%s)", url, type(error).__name__)
        finally:
            self._checks.pop(url, None)

    async def close(self) -> None:
        checks = list(self._checks.values())
        for task in checks:
            task.cancel()
        await asyncio.gather(*checks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
