"""The GitHub side: PyGithub calls in worker threads, PyGithub's errors mapped to ours.

This is the only module that imports PyGithub. PyGithub objects fetch lazily on attribute
access and throttle with `time.sleep`, so every call *and every attribute read* happens
inside a worker thread (`run_in_thread`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.Issue import Issue

from bot.errors import GitHubError
from bot.models import CreatedIssue, Entry
from bot.threads import run_in_thread

log = logging.getLogger(__name__)

T = TypeVar("T")
REQUEST_TIMEOUT = 20
SECONDARY_LIMIT_WAIT = 60.0
KEY_SEARCH_WINDOW = 100  # recent issues scanned for an idempotency key


class GitHubGateway:
    """Issues of one repository."""

    def __init__(
        self,
        token: str,
        repository: str,
        base_url: str,
        *,
        seconds_between_writes: float = 1.0,
    ) -> None:
        # Our own worker retries with idempotency keys; PyGithub's retries would not.
        self._github = Github(
            auth=Auth.Token(token),
            base_url=base_url,
            timeout=REQUEST_TIMEOUT,
            retry=None,
            per_page=KEY_SEARCH_WINDOW,
            user_agent="diary-bot",
            # GitHub asks for about a second between content-creating requests.
            seconds_between_writes=seconds_between_writes,
            seconds_between_requests=None,
        )
        self._repository_name = repository
        # lazy: no GET of the repository before the first real call.
        self._repository = self._github.get_repo(repository, lazy=True)

    async def _run(self, call: Callable[[], T], *, write: bool = False) -> T:
        """Run `call` in a worker thread and translate its failures."""
        try:
            return await run_in_thread(call, name="github")
        except GithubException as error:
            raise map_github_exception(error, write=write) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise GitHubError(
                "github.unavailable",
                transient=True,
                outcome_unknown=write,
                detail=type(error).__name__,
            ) from None

    async def create_issue(self, title: str, body: str, labels: Sequence[str]) -> CreatedIssue:
        """Create one issue with its labels in a single request."""

        def call() -> CreatedIssue:
            issue = self._repository.create_issue(title=title, body=body, labels=list(labels))
            return _created(issue)

        return await self._run(call, write=True)

    async def find_issue_containing(self, text: str, since: datetime) -> CreatedIssue | None:
        """The most recent issue whose body contains `text`, among issues changed since `since`."""

        def call() -> CreatedIssue | None:
            issues = self._repository.get_issues(
                state="all", sort="created", direction="desc", since=since - timedelta(minutes=5)
            )
            for issue in issues.get_page(0):
                if text in (issue.body or ""):
                    return _created(issue)
            return None

        return await self._run(call)

    async def list_label_names(self) -> list[str]:
        """Every label of the repository."""

        def call() -> list[str]:
            return [label.name for label in self._repository.get_labels()]

        return await self._run(call)

    async def get_entry(self, number: int) -> Entry:
        """One issue as a diary entry."""
        return await self._run(lambda: _entry(self._repository.get_issue(number)))


def _created(issue: Issue) -> CreatedIssue:
    return CreatedIssue(number=issue.number, url=issue.html_url, created_at=issue.created_at)


def _entry(issue: Issue) -> Entry:
    return Entry(
        number=issue.number,
        title=issue.title,
        body=issue.body or "",
        url=issue.html_url,
        labels=tuple(label.name for label in issue.labels),
        author_name=issue.user.login,
        author_avatar_url=issue.user.avatar_url,
        created_at=issue.created_at.astimezone(UTC),
    )


def map_github_exception(error: GithubException, *, write: bool) -> GitHubError:
    """Our error for a GitHub answer: final ones name the fix, transient ones say when to retry."""
    status = error.status
    headers = {name.lower(): value for name, value in (error.headers or {}).items()}
    message = _message(error.data)
    detail = f"HTTP {status}: {message}"
    if status in (403, 429):
        wait = _rate_limit_wait(status, headers, message)
        if wait is not None:
            return GitHubError(
                "github.rate_limited", transient=True, retry_after=wait, detail=detail
            )
        return GitHubError("github.forbidden", detail=detail, permission=_permission_hint(write))
    if status == 401:
        return GitHubError("github.unauthorized", detail=detail)
    if status == 404:
        return GitHubError("github.not_found", detail=detail)
    if status == 410:
        return GitHubError("github.issues_disabled", detail=detail)
    if status == 422:
        return GitHubError("github.invalid", detail=detail, errors=_field_errors(error.data))
    if status >= 500:
        # The server may have acted before failing: a write's outcome is unknown.
        return GitHubError(
            "github.unavailable", transient=True, outcome_unknown=write, detail=detail
        )
    return GitHubError("github.unexpected", detail=detail, status=status)


def _message(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message", ""))[:300]
    return str(data)[:300]


def _rate_limit_wait(status: int, headers: dict[str, str], message: str) -> float | None:
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
    return "; ".join(parts)[:500] or _message(data)
