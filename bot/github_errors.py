"""GitHub's error answers as our errors: what to tell the author, and whether to retry."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.errors import GitHubError

SECONDARY_LIMIT_WAIT = 60.0
TOKEN_REJECTED_WAIT = 600.0  # seconds between tries while GitHub rejects the token


def github_error(
    status: int, headers: Mapping[str, str] | None, data: Any, *, write: bool
) -> GitHubError:
    """Our error for a GitHub answer: final ones name the fix, transient ones say when to retry."""
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    message = message_of(data)
    detail = f"HTTP {status}: {message}"
    if status in (403, 429):
        wait = rate_limit_wait(status, headers, message)
        if wait is not None:
            return GitHubError(
                "github.rate_limited", transient=True, retry_after=wait, detail=detail
            )
        return GitHubError("github.forbidden", detail=detail, permission=_permission_hint(write))
    if status == 401:
        # An expired or revoked token: nothing was done, and nothing is given up either. Jobs
        # wait (slowly: GitHub locks out a client that keeps sending bad credentials) until
        # the operator puts a new token in place.
        return GitHubError(
            "github.unauthorized", transient=True, retry_after=TOKEN_REJECTED_WAIT, detail=detail
        )
    if status == 404:
        return GitHubError("github.not_found", detail=detail)
    if status == 410:
        return GitHubError("github.issues_disabled", detail=detail)
    if status == 422:
        # GitHub's field errors are the explanation the author needs.
        return GitHubError("github.invalid", detail=_field_errors(data))
    if status >= 500:
        # The server may have acted before failing: a write's outcome is unknown.
        return GitHubError(
            "github.unavailable", transient=True, outcome_unknown=write, detail=detail
        )
    return GitHubError("github.unexpected", detail=detail, status=status)


def message_of(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message", ""))[:300]
    return str(data)[:300]


def rate_limit_wait(status: int, headers: dict[str, str], message: str) -> float | None:
    """Seconds to wait when a 403/429 is a rate limit, else None."""
    if "retry-after" in headers:
        try:
            return max(float(headers["retry-after"]), 1.0)
        except ValueError:
            return SECONDARY_LIMIT_WAIT
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(float(headers["x-ratelimit-reset"]) - time.time(), 1.0)
        except ValueError:
            return SECONDARY_LIMIT_WAIT
    if status == 429 or "rate limit" in message.lower():
        return SECONDARY_LIMIT_WAIT
    return None


def contents_error(error: GitHubError) -> GitHubError:
    """File requests need another permission than issues. A 409 (a ruleset, an empty
    repository) or a protected branch will not heal by waiting: final, saying what to change."""
    if error.key == "github.forbidden":
        return GitHubError("github.contents_forbidden", detail=error.detail)
    refused = error.values.get("status") == 409 or "protected branch" in error.detail.lower()
    if refused:
        return GitHubError("github.branch_refused", detail=" ".join(error.detail.split()))
    return error


def _permission_hint(write: bool) -> str:
    return "Issues: Read and write" if write else "Issues: Read"


def _field_errors(data: Any) -> str:
    """GitHub's 422 field errors as short text, e.g. `labels: invalid (nope)`."""
    if not isinstance(data, dict):
        return ""
    parts = []
    for item in data.get("errors") or []:
        if isinstance(item, dict):
            field = item.get("field") or item.get("resource") or "?"
            code = item.get("message") or item.get("code") or "invalid"
            value = item.get("value")
            parts.append(f"{field}: {code}" + (f" ({value})" if value else ""))
        else:
            parts.append(str(item))
    return "; ".join(parts)[:500] or message_of(data)
