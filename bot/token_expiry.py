"""When the GitHub token stops working: GitHub names the expiry of an expiring token in every
answer (`GitHub-Authentication-Token-Expiration: 2026-12-20 10:00:00 UTC`). The gateway shows
each answer's headers to a `TokenExpiry`, which keeps the date for `/diary-admin status` and
`diary-bot check` and logs a warning (once a day) from WARN_BEFORE ahead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

HEADER = "github-authentication-token-expiration"
WARN_BEFORE = timedelta(days=7)
_MAX_LENGTH = 64  # a longer value is no date GitHub sends; it is not parsed


def parse_expiry(value: str) -> datetime | None:
    """The moment in `2026-12-20 10:00:00 UTC` (or with an offset such as `+0900`), or None."""
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S %z"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return None


def expires_soon(expires_at: datetime | None, now: datetime) -> bool:
    """Whether the token expires within WARN_BEFORE (or has expired)."""
    return expires_at is not None and expires_at - now <= WARN_BEFORE


class TokenExpiry:
    """The token's expiry as GitHub last reported it; safe to feed from worker threads."""

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._expires_at: datetime | None = None
        self._warned_on: date | None = None

    @property
    def expires_at(self) -> datetime | None:
        """The expiry GitHub named in its latest answer that had one; None before any (or
        for a token that does not expire)."""
        return self._expires_at

    def observe(self, headers: Mapping[str, Any]) -> None:
        """Note the expiry an answer's headers name (lower-case names), if any."""
        value = headers.get(HEADER)
        if not isinstance(value, str):
            return
        expires_at = parse_expiry(value)
        if expires_at is None:
            return
        now = self._now()
        with self._lock:
            self._expires_at = expires_at
            warn = expires_soon(expires_at, now) and self._warned_on != now.date()
            if warn:
                self._warned_on = now.date()
        if warn:
            days = max((expires_at - now).days, 0)
            log.warning(
                "the GitHub token expires on %s (in %d day(s)): create a new one and put it in "
                "GITHUB_TOKEN before then, or publishing stops",
                expires_at.strftime("%Y-%m-%d %H:%M UTC"),
                days,
            )


def observe_answers(requester: Any, observe: Callable[[Mapping[str, Any]], None]) -> None:
    """Show the headers of every answer this PyGithub requester gets to `observe`.

    Every request PyGithub makes goes through one of these public methods of its requester,
    each returning `(status, headers, body)` with lower-case header names; they are wrapped on
    this requester only, and pass everything through unchanged."""
    for name in ("requestJson", "requestMultipart", "requestBlob"):
        send = getattr(requester, name)

        def observed(*args: Any, _send: Callable[..., Any] = send, **kwargs: Any) -> Any:
            answer = _send(*args, **kwargs)
            observe(answer[1])
            return answer

        setattr(requester, name, observed)
