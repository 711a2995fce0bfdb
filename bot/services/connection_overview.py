"""A server's connected diaries as its admins see them in /diary-admin status: how many, which
fail (a refresh GitHub refused, recorded when it happened) and when each token is refreshed
next. No token, not even sealed, leaves the store for this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.models import ConnectionCounts, ConnectionSummary

LISTED_DIARIES = 25  # connections an admin's status lists; the rest are counted


class ConnectionListing(Protocol):
    async def count_connections(self, guild_id: int) -> ConnectionCounts: ...
    async def list_connection_summaries(
        self, guild_id: int, limit: int, offset: int = 0
    ) -> list[ConnectionSummary]: ...


@dataclass(frozen=True)
class DiaryConnection:
    """A connected diary as its server's admins see it (no token)."""

    user_id: int
    login: str
    repository: str | None
    failure: str | None  # message key of what went wrong, e.g. connect.again
    failed_at: datetime | None
    next_refresh_at: datetime | None  # the first use from then on refreshes the token


@dataclass(frozen=True)
class ConnectionsOverview:
    """A server's connected diaries: counts of all, and the first `LISTED_DIARIES` of them
    (failing ones first)."""

    enabled: bool
    counts: ConnectionCounts
    diaries: list[DiaryConnection]


async def connections_overview(
    store: ConnectionListing, guild_id: int, enabled: bool, refresh_margin: timedelta
) -> ConnectionsOverview:
    """Counts of the server's connections, and the first `LISTED_DIARIES` of them (failing
    ones first) with when each token is next refreshed (the first use from `refresh_margin`
    before it expires refreshes it)."""
    counts = await store.count_connections(guild_id)
    listed = (
        await store.list_connection_summaries(guild_id, LISTED_DIARIES) if counts.connected else []
    )
    return ConnectionsOverview(
        enabled=enabled,
        counts=counts,
        diaries=[
            DiaryConnection(
                user_id=summary.user_id,
                login=summary.github_login,
                repository=summary.repository,
                failure=summary.failure,
                failed_at=summary.failed_at,
                next_refresh_at=None
                if summary.failure is not None or summary.access_expires_at is None
                else summary.access_expires_at - refresh_margin,
            )
            for summary in listed
        ],
    )
