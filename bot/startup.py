"""Patient start-up: while Discord cannot be reached, say so once per attempt and try again.

A machine that boots before its network, or a container whose DNS hiccups, must not turn into
a crash loop with an aiohttp traceback: the bot waits (capped backoff) and comes up by itself.
Only what waiting cannot fix (a rejected token) ends it, and that is decided by the caller.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping

import aiohttp

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 60.0
# For tests only: a smaller cap, so a test need not wait a minute for the bot to retry.
RETRY_CAP_VARIABLE = "DIARY_BOT_START_RETRY_CAP"


def retry_cap(env: Mapping[str, str]) -> float:
    """The longest wait between start-up attempts: 60 s, or less when the test variable says."""
    try:
        value = float(env.get(RETRY_CAP_VARIABLE, ""))
    except ValueError:
        return MAX_RETRY_SECONDS
    return min(max(value, 0.1), MAX_RETRY_SECONDS)


def retry_delays(cap: float = MAX_RETRY_SECONDS) -> Callable[[], float]:
    """Waits that double from 5 s up to `cap` and stay there."""
    delay = min(FIRST_RETRY_SECONDS, cap) / 2

    def next_delay() -> float:
        nonlocal delay
        delay = min(delay * 2, cap)
        return delay

    return next_delay


def unreachable_reason(
    error: BaseException, server_errors: tuple[type[BaseException], ...] = ()
) -> str | None:
    """Why Discord could not be reached, in a few words; None when `error` is something
    waiting cannot fix (or not a network failure at all). `server_errors`: the client
    library's exceptions for a 5xx answer (they carry `status`)."""
    if server_errors and isinstance(error, server_errors):
        return f"Discord answered {getattr(error, 'status', '5xx')}"
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
        if isinstance(cause, socket.gaierror):
            return "name resolution failed"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        return f"connection failed ({type(cause).__name__})"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, aiohttp.ClientError | OSError):
        return f"network error ({type(error).__name__})"
    return None


def _host(error: BaseException, default: str) -> str:
    host = getattr(error, "host", None)
    return host if isinstance(host, str) and host else default


async def until_reachable(
    attempt: Callable[[], Awaitable[None]],
    *,
    host: str,
    cap: float = MAX_RETRY_SECONDS,
    stopped: asyncio.Event | None = None,
    server_errors: tuple[type[BaseException], ...] = (),
) -> bool:
    """Run `attempt` until it succeeds; between network failures log one line and wait.
    False when `stopped` was set while waiting (a shutdown), True once `attempt` succeeded.
    Any other failure propagates."""
    delays = retry_delays(cap)
    stopped = stopped or asyncio.Event()
    while True:
        try:
            await attempt()
            return True
        except Exception as error:
            reason = unreachable_reason(error, server_errors)
            if reason is None:
                raise
            delay = delays()
            log.warning(
                "cannot reach %s: %s; retrying in %s s", _host(error, host), reason, f"{delay:g}"
            )
        try:
            await asyncio.wait_for(stopped.wait(), delay)
            return False
        except TimeoutError:
            pass
