"""The probe that tells the announcer when a blog page is live (WAIT_FOR_PAGE)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

log = logging.getLogger(__name__)

PAGE_CHECK_TIMEOUT = 10.0
MAX_REMEMBERED_PAGES = 256


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
