"""The GitHub side: PyGithub calls in worker threads, PyGithub's errors mapped to ours.

This is the only module that imports PyGithub. PyGithub objects fetch lazily on attribute
access and throttle with `time.sleep`, so every call *and every attribute read* happens
inside a worker thread (`run_in_thread`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException
from github.Issue import Issue

from bot.errors import GitHubError
from bot.github_errors import contents_error, github_error, message_of, rate_limit_wait
from bot.github_gateways import Credentials
from bot.github_records import (
    IssueSnapshot,
    IssueWriteProbe,
    RateLimit,
    RepositoryAccess,
    issue_snapshot,
)
from bot.models import CreatedIssue
from bot.threads import run_in_thread
from bot.token_expiry import TokenExpiry, observe_answers

log = logging.getLogger(__name__)

T = TypeVar("T")
REQUEST_TIMEOUT = 20
KEY_SEARCH_WINDOW = 100  # recent issues scanned for an idempotency key
MAX_THREADS = 8  # PyGithub calls in flight at once; more wait their turn
NOT_FAST_FORWARD = object()  # a branch move GitHub refused: the branch moved meanwhile
UNAUTHORIZED = "github.unauthorized"


class GitHubGateway:
    """Issues and files of one repository, with the server's token or, given `credentials`,
    a member's user access token fetched before each call (refreshed once on a 401)."""

    def __init__(
        self,
        token: str | None,
        repository: str,
        base_url: str,
        *,
        credentials: Credentials | None = None,
        seconds_between_writes: float = 1.0,
        max_threads: int = MAX_THREADS,
        threads: asyncio.Semaphore | None = None,
    ) -> None:
        self._base_url = base_url
        self._seconds_between_writes = seconds_between_writes
        self._credentials = credentials
        self._repository_name = repository
        self._default_branch: str | None = None
        self.threads = threads or asyncio.Semaphore(max_threads)
        self.token_expiry = TokenExpiry()
        self._token: str | None = None
        if token is not None:
            self._use(token)

    @property
    def repository(self) -> str:
        """The repository, `owner/name`."""
        return self._repository_name

    def _use(self, token: str) -> None:
        """Send requests with `token` from now on (a new client when it changed)."""
        if token == self._token:
            return
        # Our own worker retries with idempotency keys; PyGithub's retries would not.
        self._github = Github(
            auth=Auth.Token(token),
            base_url=self._base_url,
            timeout=REQUEST_TIMEOUT,
            retry=None,
            per_page=KEY_SEARCH_WINDOW,
            user_agent="diary-bot",
            # GitHub asks for about a second between content-creating requests.
            seconds_between_writes=self._seconds_between_writes,
            seconds_between_requests=None,
        )
        # Lazy: no GET of the repository before the first real call.
        self._repository = self._github.withLazy(True).get_repo(self._repository_name)
        # The lazy repository has a requester of its own (`withLazy` copies the client).
        for requester in (self._github.requester, self._repository.requester):
            observe_answers(requester, self.token_expiry.observe)
        self._token = token

    def token_expires_at(self) -> datetime | None:
        """When the token expires, as GitHub last said; None before (or for a token without
        expiry). Sends no request."""
        return self.token_expiry.expires_at

    async def _run(self, call: Callable[[], T], *, write: bool = False) -> T:
        """Run `call` in a worker thread and translate its failures. With a member's
        credentials: their current token first, and once more with a refreshed one if GitHub
        rejects it (a 401 means nothing was done, so a write may be sent again)."""
        if self._credentials is None:
            return await self._send(call, write)
        self._use(await self._credentials(False))
        try:
            return await self._send(call, write)
        except GitHubError as error:
            if error.key != UNAUTHORIZED:
                raise
        log.info("GitHub rejected a member's token for %s; refreshing it", self._repository_name)
        self._use(await self._credentials(True))
        return await self._send(call, write)

    async def _send(self, call: Callable[[], T], write: bool) -> T:
        try:
            return await run_in_thread(call, name="github", slots=self.threads)
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
                # Pull requests come through the issues list too; their URL says so (reading
                # `pull_request` would make PyGithub fetch each issue again).
                if "/pull/" not in issue.html_url and text in (issue.body or ""):
                    return _created(issue)
            return None

        return await self._run(call)

    async def list_label_names(self) -> list[str]:
        """Every label of the repository."""

        def call() -> list[str]:
            return [label.name for label in self._repository.get_labels()]

        return await self._run(call)

    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]:
        """One page of the repository's issues and pull requests (state=all), newest first, and
        its ETag; `(etag, None)` when unchanged since `etag` (a 304 costs no rate limit)."""

        def call() -> tuple[str | None, list[IssueSnapshot] | None]:
            requester = self._github.requester
            status, headers, body = requester.requestJson(
                "GET",
                f"/repos/{self._repository_name}/issues",
                parameters={
                    "state": "all",
                    "sort": sort,
                    "direction": "desc",
                    "per_page": per_page,
                    "page": page,
                },
                headers={"If-None-Match": etag} if etag else None,
            )
            if status == 304:
                return etag, None
            data = json.loads(body) if body else None
            if status >= 400 or not isinstance(data, list):
                raise requester.createException(status, headers, data)
            return headers.get("etag"), [issue_snapshot(item) for item in data]

        return await self._run(call)

    async def update_issue(self, number: int, *, title: str, body: str) -> IssueSnapshot:
        """Change an issue's title and body in one request (no GET first)."""

        def call() -> IssueSnapshot:
            _, data = self._github.requester.requestJsonAndCheck(
                "PATCH",
                f"/repos/{self._repository_name}/issues/{number}",
                input={"title": title, "body": body},
            )
            return issue_snapshot(data)

        return await self._run(call, write=True)

    async def add_comment(self, number: int, body: str) -> str:
        """Post a comment on an issue; its URL."""

        def call() -> str:
            _, data = self._github.requester.requestJsonAndCheck(
                "POST",
                f"/repos/{self._repository_name}/issues/{number}/comments",
                input={"body": body},
            )
            return str(data["html_url"])

        return await self._run(call, write=True)

    async def find_comment_containing(self, number: int, text: str, since: datetime) -> str | None:
        """The URL of a comment on the issue, changed since `since`, whose body contains `text`."""

        def call() -> str | None:
            _, data = self._github.requester.requestJsonAndCheck(
                "GET",
                f"/repos/{self._repository_name}/issues/{number}/comments",
                parameters={
                    "since": (since - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "per_page": KEY_SEARCH_WINDOW,
                },
            )
            found = [c for c in data or [] if text in (c.get("body") or "")]
            return str(found[-1]["html_url"]) if found else None

        return await self._run(call)

    async def get_issue(self, number: int) -> IssueSnapshot:
        """One issue (or pull request) with its author's association to the repository."""

        def call() -> IssueSnapshot:
            _, data = self._github.requester.requestJsonAndCheck(
                "GET", f"/repos/{self._repository_name}/issues/{number}"
            )
            return issue_snapshot(data)

        return await self._run(call)

    # -- repository files (images) --

    async def get_default_branch(self) -> str:
        """The repository's default branch (one `GET /repos/{owner}/{repo}`, then remembered)."""
        if self._default_branch is None:
            self._default_branch = await self._run(lambda: str(self._repository.default_branch))
        return self._default_branch

    async def get_file_sha(self, path: str, branch: str) -> str | None:
        """The Git blob SHA of the file at `path` on `branch`, or None if there is none (a 404
        is the normal answer then); "" if `path` is a folder, which matches no file."""

        def call() -> str | None:
            try:
                found = self._repository.get_contents(path, ref=branch)
            except GithubException as error:
                if error.status == 404:
                    return None
                raise
            return "" if isinstance(found, list) else str(found.sha)

        try:
            return await self._run(call)
        except GitHubError as error:
            raise contents_error(error) from None

    async def get_branch_head(self, branch: str) -> tuple[str, str]:
        """The branch's head commit and that commit's tree (`GET .../branches/{branch}`)."""
        data = await self._git("GET", f"/branches/{quote(branch, safe='/')}")
        return str(data["commit"]["sha"]), str(data["commit"]["commit"]["tree"]["sha"])

    async def create_blob(self, content: bytes) -> str:
        """Store a file's bytes as a Git blob; its SHA (the same bytes give the same SHA)."""
        body = {"content": base64.b64encode(content).decode(), "encoding": "base64"}
        return str((await self._git("POST", "/git/blobs", input=body))["sha"])

    async def create_tree(self, base_tree: str, files: Sequence[tuple[str, str]]) -> str:
        """A tree: `base_tree` with the blobs of `files` ((path, blob SHA) pairs) added."""
        entries = [{"path": p, "mode": "100644", "type": "blob", "sha": b} for p, b in files]
        body = {"base_tree": base_tree, "tree": entries}
        return str((await self._git("POST", "/git/trees", input=body))["sha"])

    async def create_commit(self, message: str, tree: str, parent: str) -> str:
        """A commit of `tree` on top of `parent` (not on any branch yet); its SHA."""
        body = {"message": message, "tree": tree, "parents": [parent]}
        return str((await self._git("POST", "/git/commits", input=body))["sha"])

    async def move_branch(self, branch: str, sha: str) -> bool:
        """Move the branch to `sha` if that is a fast-forward (never forced); False if GitHub
        refuses because the branch moved meanwhile."""
        path = f"/git/refs/heads/{quote(branch, safe='/')}"
        data = await self._git("PATCH", path, input={"sha": sha, "force": False})
        return data is not NOT_FAST_FORWARD

    async def branch_contains(self, branch: str, sha: str) -> bool:
        """Whether `sha` is among the branch's latest commits (one page of the commit list)."""
        query = {"sha": branch, "per_page": KEY_SEARCH_WINDOW}
        data = await self._git("GET", "/commits", parameters=query)
        return any(item.get("sha") == sha for item in data or [])

    async def _git(self, method: str, path: str, **kwargs: object) -> Any:
        """A repository-content request (JSON answer); its errors name the Contents
        permission."""

        def call() -> Any:
            url = f"/repos/{self._repository_name}{path}"
            try:
                return self._github.requester.requestJsonAndCheck(method, url, **kwargs)[1]
            except GithubException as error:
                refused = error.status == 422 and "fast forward" in message_of(error.data)
                if refused and method == "PATCH":
                    return NOT_FAST_FORWARD
                raise

        try:
            return await self._run(call, write=method != "GET")
        except GitHubError as error:
            raise contents_error(error) from None

    # -- set-up checks (`diary-bot check`) and `/diary-admin status` --

    async def get_token_login(self) -> str:
        """The login of the user the token belongs to (`GET /user`)."""
        return await self._run(lambda: self._github.get_user().login)

    async def get_repository_access(self) -> RepositoryAccess:
        """What the token sees of the repository (`GET /repos/{owner}/{name}`)."""

        def call() -> RepositoryAccess:
            repo = self._github.get_repo(self._repository_name)
            headers = {name.lower(): str(value) for name, value in repo.raw_headers.items()}
            scopes = headers.get("x-oauth-scopes")
            role = repo.permissions
            return RepositoryAccess(
                full_name=repo.full_name,
                private=bool(repo.private),
                has_issues=bool(repo.has_issues),
                push=bool(role.push),
                triage=bool(role.triage),
                token_scopes=(
                    None
                    if scopes is None
                    else tuple(scope.strip() for scope in scopes.split(",") if scope.strip())
                ),
            )

        return await self._run(call)

    async def probe_issue_creation(self) -> IssueWriteProbe:
        """Whether the token may create issues, found out without creating one.

        GitHub checks a token's permission before it validates the request, so creating an
        issue with an empty title answers 403 (or 404) when the token may not create issues
        and 422 ("missing_field: title") when it may.
        """

        def call() -> IssueWriteProbe:
            try:
                issue = self._repository.create_issue(title="")
            except GithubException as error:
                headers = {name.lower(): value for name, value in (error.headers or {}).items()}
                message = message_of(error.data)
                if error.status == 422:
                    return IssueWriteProbe(allowed=True, detail=f"HTTP 422: {message}")
                rate_limited = rate_limit_wait(error.status, headers, message) is not None
                if error.status in (403, 404) and not rate_limited:
                    return IssueWriteProbe(
                        allowed=False,
                        detail=f"HTTP {error.status}: {message}",
                        accepted_permissions=headers.get("x-accepted-github-permissions"),
                    )
                raise
            log.warning("the permission probe created issue #%d; close it", issue.number)
            return IssueWriteProbe(allowed=True, detail="created", created_issue=issue.number)

        return await self._run(call)

    async def get_rate_limit(self) -> RateLimit:
        """The core rate limit (`GET /rate_limit`, which does not count against it)."""

        def call() -> RateLimit:
            core = self._github.get_rate_limit().resources.core
            return RateLimit(core.remaining, core.limit, core.reset.astimezone(UTC))

        return await self._run(call)

    async def last_rate_limit(self) -> RateLimit | None:
        """The rate limit from the last answer PyGithub saw, or None before the first one;
        sends no request."""

        def call() -> RateLimit | None:
            # The lazy repository object has a requester of its own (`withLazy` copies the
            # client), so both have seen answers. Within one window `remaining` only
            # falls, and a later window has a later reset: the freshest is the maximum.
            seen = []
            for requester in (self._github.requester, self._repository.requester):
                remaining, limit = requester.rate_limiting
                if limit >= 0:
                    seen.append((requester.rate_limiting_resettime, -remaining, limit))
            if not seen:
                return None
            reset, negative_remaining, limit = max(seen)
            reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
            return RateLimit(-negative_remaining, limit, reset_at)

        return await self._run(call)


def _created(issue: Issue) -> CreatedIssue:
    return CreatedIssue(number=issue.number, url=issue.html_url, created_at=issue.created_at)


def map_github_exception(error: GithubException, *, write: bool) -> GitHubError:
    """Our error for PyGithub's exception."""
    return github_error(error.status, error.headers, error.data, write=write)
