"""The numbers behind `/diary-admin status`: version, uptime, jobs, watcher, GitHub rate limit,
the token's expiry and database size. Everything comes from memory or the local database:
asking costs GitHub nothing.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from typing import Protocol

from bot.models import JobCounts
from bot.services.clock import Clock
from bot.services.connection_overview import ConnectionsOverview
from bot.services.store_ports import NamedValues, StatusRecords
from bot.token_expiry import expires_soon

# The watcher records each poll under these keys of the store's small named values
# (`Store.set_values`): the time (ISO 8601) and the result: a `PollResult` value ("baseline",
# "unchanged", "changed") or FAILED_PREFIX and the GitHub error's key ("failed:github.unavailable").
WATCHER_LAST_POLL_KEY = "watcher.last_poll_at"
WATCHER_LAST_RESULT_KEY = "watcher.last_result"
FAILED_PREFIX = "failed:"


class RateLimitView(Protocol):
    @property
    def remaining(self) -> int: ...

    @property
    def limit(self) -> int: ...

    @property
    def reset_at(self) -> datetime | None: ...


class RateLimitSource(Protocol):
    async def last_rate_limit(self) -> RateLimitView | None:
        """The rate limit seen in GitHub's last answer, without sending a request."""
        ...


class TokenExpirySource(Protocol):
    def token_expires_at(self) -> datetime | None:
        """When the GitHub token expires, as GitHub last said; no request is sent."""
        ...


@dataclass(frozen=True)
class WatcherStatus:
    enabled: bool
    last_poll_at: datetime | None = None
    last_result: str | None = None


@dataclass(frozen=True)
class StatusReport:
    version: str
    uptime: timedelta
    latency: float | None  # seconds; None before the gateway measured one
    jobs: JobCounts
    watcher: WatcherStatus
    rate_limit: RateLimitView | None
    database_bytes: int
    # When the GitHub token expires (None: not reported yet, or it does not expire), and
    # whether that is within WARN_BEFORE, when admins are told to renew it.
    token_expires_at: datetime | None = None
    token_expiring: bool = False
    # The server's connected diaries (members' own repositories); None without a server.
    diaries: ConnectionsOverview | None = None


def package_version() -> str:
    """The installed diary-bot version, or "unknown" when run from a bare checkout."""
    try:
        return metadata.version("diary-bot")
    except metadata.PackageNotFoundError:
        return "unknown"


class StatusService:
    """Collects a `StatusReport`; the Discord side passes in what only it knows (latency)."""

    def __init__(
        self,
        status: StatusRecords,
        values: NamedValues,
        rate_limits: RateLimitSource,
        clock: Clock,
        *,
        watcher_enabled: bool,
        version: str | None = None,
        token: TokenExpirySource | None = None,
        channel_for_guild: Callable[[int], Awaitable[int | None]] | None = None,
        diaries: Callable[[int], Awaitable[ConnectionsOverview]] | None = None,
    ) -> None:
        self._status = status
        self._values = values
        self._diaries = diaries
        self._channel_for_guild = channel_for_guild
        self._rate_limits = rate_limits
        self._token = token
        self._clock = clock
        self._watcher_enabled = watcher_enabled
        self._version = version or package_version()
        self._started_at = clock.now()

    async def report(self, guild_id: int | None = None, *, latency: float | None) -> StatusReport:
        """The bot's state now; `latency` is the gateway heartbeat latency in seconds. With
        `guild_id`, jobs count only that server's: its publishes and the announcements in its
        announcement channel (a server sees nothing of the others), and the report lists the
        server's connected diaries."""
        expires_at = self._token.token_expires_at() if self._token else None
        diaries = None
        if guild_id is None:
            jobs = await self._status.count_jobs()
        else:
            if self._diaries is not None:
                diaries = await self._diaries(guild_id)
            channel = None
            if self._channel_for_guild is not None:
                channel = await self._channel_for_guild(guild_id)
            jobs = await self._status.count_jobs(guild_id, [channel] if channel else [])
        return StatusReport(
            token_expires_at=expires_at,
            token_expiring=expires_soon(expires_at, self._clock.now()),
            version=self._version,
            uptime=self._clock.now() - self._started_at,
            latency=latency if latency is not None and math.isfinite(latency) else None,
            jobs=jobs,
            watcher=await self._watcher(),
            rate_limit=await self._rate_limits.last_rate_limit(),
            database_bytes=await self._status.get_database_size(),
            diaries=diaries,
        )

    async def _watcher(self) -> WatcherStatus:
        if not self._watcher_enabled:
            return WatcherStatus(enabled=False)
        raw_time = await self._values.get_value(WATCHER_LAST_POLL_KEY)
        result = await self._values.get_value(WATCHER_LAST_RESULT_KEY)
        try:
            last_poll = datetime.fromisoformat(raw_time) if raw_time else None
        except ValueError:
            last_poll = None
        return WatcherStatus(enabled=True, last_poll_at=last_poll, last_result=result)
