"""A stateful fake of the GitHub REST API (the parts diary-bot uses), served by aiohttp.

    fake = FakeGitHub(owner="alice", repo="diary", token="ghp_test").start()
    gh = github.Github(auth=github.Auth.Token("ghp_test"), base_url=fake.url, retry=None)
    ...
    fake.stop()

Every request is recorded (`requests`), checked against GitHub's OpenAPI description
(`violations`), and answered from in-memory state (`github_state.py`) by the handlers in
`github_routes.py`. Control and inspection methods are plain synchronous, thread-safe calls.

A GitHub App's user sign-in lives on a second port, `web_url` (github.com's counterpart):
the device flow and refresh grant of `/login/...`, driven through `fake.oauth` (`github_web.py`,
`github_oauth.py`; GitHub's OpenAPI description does not cover those endpoints, so they are not
contract-checked). User access tokens it issues work on the API as their user, on the
repositories of the app's installations that user can see (`/user/installations...`).

Processing order of a request: record it (and wake `wait_for_request` / call `on_request`),
contract check, `delay` rules, `hold_creates` / `hold_ref_updates`, then under the lock: auth
(401), primary rate limit (403), `fail_next`, `secondary_rate_limit`, routing (404), repository
missing (404), issues disabled (410), read-only token (403 on writes), JSON parsing (400), the
endpoint itself, `drop_after_create`. Then ETag / `If-None-Match` (304) and rate-limit accounting.

Rate limits are GitHub's primary ("core") limit, kept per authenticated user as GitHub keeps
them: the fake's own token spends from `token_user`'s budget (`rate_remaining`), each user of
the app's user tokens from their own (`rate_remaining_of`), and the `x-ratelimit-*` headers and
`GET /rate_limit` show the caller's. A request spends one point unless it is answered 304 or is
free (`/rate_limit`). `usage()` counts requests, points and 304s per user.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.contracts import ContractChecker, spec_path
from tests.fakes.github_http import DROPPED, Delay, GitHubHttp, Recorded
from tests.fakes.github_oauth import OAuthState
from tests.fakes.github_state import GitHubState, RateBudget, Usage, now_iso
from tests.fakes.github_web import GitHubWeb
from tests.fakes.server_thread import ServerThread

__all__ = ["DROPPED", "FakeGitHub", "Recorded", "Usage"]


class FakeGitHub(GitHubHttp):
    """GitHub for one repository `owner/repo`, accepting one `token` (which belongs to
    `token_user`). `start()` serves it on 127.0.0.1; give `url` to PyGithub as `base_url`."""

    def __init__(
        self,
        owner: str = "alice",
        repo: str = "diary",
        token: str = "ghp_test",
        token_user: str = "diarybot-owner",
        check_contract: bool = True,
        oauth: OAuthState | None = None,
    ) -> None:
        self.token = token
        self.state = GitHubState(owner, repo, token_user)
        self._lock = threading.RLock()
        #: The GitHub App's user sign-in on the web host (`web_url`) and its installations.
        self.oauth = GitHubWeb(self._lock, oauth or OAuthState())
        self.state.oauth = self.oauth.state
        #: Every repository served, by "owner/name" in lower case (`add_repository` adds more).
        self.repositories = {f"{owner}/{repo}".lower(): self.state}
        self._cond = threading.Condition(self._lock)
        self._requests: list[Recorded] = []
        self._violations: list[str] = []
        self._unhandled: list[str] = []
        self._checker = ContractChecker(spec_path("github")) if check_contract else None
        self._server: ServerThread | None = None
        self._request_ids = 0
        # Faults.
        self._fail: list[Any] = [0, 502, False]  # remaining, status, commit
        self._secondary = [0, 1]  # remaining, retry_after
        self._drops = 0
        self._record_after = 0.0
        self._late: set[asyncio.Task[None]] = set()  # creations recorded after a drop
        self._delays: list[Delay] = []
        self._released = asyncio.Event()  # cleared while creations are held
        self._released.set()
        self._refs_released = asyncio.Event()  # cleared while branch updates are held
        self._refs_released.set()
        self._budgets: dict[str, RateBudget] = {}
        self._usage: dict[str, Usage] = {}
        #: Called on the server thread with each request as soon as it arrives.
        self.on_request: Callable[[Recorded], None] | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        self._server = ServerThread(self._make_app).start()
        self.oauth.start()
        with self._lock:
            for state in self.repositories.values():
                state.base_url, state.web_url = self._server.url, self.oauth.url
        return self

    def add_repository(self, full_name: str) -> None:
        """Serve another repository, `owner/name` (a member's own diary), with its own issues,
        labels and files. The fake's token reaches it; user tokens where the app is installed.
        Inspect it with the `repository=` argument of `issues()`, `comments()`, `files()`."""
        owner, name = full_name.split("/", 1)
        with self._lock:
            if full_name.lower() in self.repositories:
                raise ValueError(f"{full_name} is already served")
            extra = GitHubState(owner, name, self.state.token_user)
            # The id the installations listing gives it (github_oauth.repository_json).
            extra.repo_id = self.state.repo_id + 1 + sum(map(ord, full_name.lower()))
            extra.base_url, extra.web_url = self.state.base_url, self.state.web_url
            extra.oauth = self.state.oauth
            self.repositories[full_name.lower()] = extra

    def _repository(self, full_name: str | None) -> GitHubState:
        return self.state if full_name is None else self.repositories[full_name.lower()]

    def stop(self) -> None:
        self.release_creates()
        self.release_ref_updates()
        self.oauth.stop()
        if self._server is not None:
            self._server.stop()
            if not self._server.loop.is_running():
                self._server.loop.close()  # ServerThread leaves it open (ResourceWarning)
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeGitHub is not started")
        return self._server.url

    @property
    def web_url(self) -> str:
        """The fake's github.com (the `/login` endpoints of the app's user sign-in)."""
        return self.oauth.url

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    # ---- inspection ----------------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    @property
    def violations(self) -> list[str]:
        """Contract violations, as `"METHOD /path?query: message"`."""
        with self._lock:
            return list(self._violations)

    @property
    def unhandled(self) -> list[str]:
        """`"METHOD /path"` of requests no fake route handled (answered 404)."""
        with self._lock:
            return list(self._unhandled)

    @property
    def rate_remaining(self) -> int:
        """Points left this hour to the fake's own token."""
        with self._lock:
            return self.state.budget.remaining

    def rate_remaining_of(self, login: str) -> int:
        """Points left this hour to `login`, the user of a GitHub App user token."""
        with self._lock:
            return self.user_budget(login).remaining

    def usage(self) -> dict[str, Usage]:
        """What each user's authenticated requests cost since the start (or `reset_usage`), by
        login: the fake's own token counts as `token_user`, a user token as its user."""
        with self._lock:
            return {login: Usage(**vars(u)) for login, u in self._usage.items()}

    def reset_usage(self) -> None:
        """Start counting `usage()` afresh (the budgets themselves are left as they are)."""
        with self._lock:
            self._usage.clear()

    def reset_requests(self) -> None:
        """Forget recorded requests, violations and unhandled routes."""
        with self._lock:
            self._requests.clear()
            self._violations.clear()
            self._unhandled.clear()

    def issues(self, repository: str | None = None) -> list[dict[str, Any]]:
        """Issues of the repository (default: the fake's own); `created_with` is the token
        that created one through the API (None for issues made with `add_issue_from_web`)."""
        keys = ("number", "title", "body", "state", "created_at", "updated_at", "closed_at")
        with self._lock:
            state = self._repository(repository)
            return [
                {
                    **{k: issue[k] for k in keys},
                    "labels": list(issue["labels"]),
                    "user": issue["user"],
                    "pull_request": issue["pull_request"],
                    "comments": len(state.comments[issue["number"]]),
                    "created_with": issue.get("created_with"),
                }
                for issue in sorted(state.issues.values(), key=lambda i: i["number"])
            ]

    def comments(self, number: int, repository: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._repository(repository).comments[number]]

    def labels(self, repository: str | None = None) -> list[str]:
        with self._lock:
            return [label["name"] for label in self._repository(repository).labels.values()]

    def files(self, repository: str | None = None) -> dict[str, bytes]:
        with self._lock:
            return dict(self._repository(repository).files)

    def wait_for_request(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        timeout: float = 10.0,
        *,
        start: int = 0,
    ) -> Recorded:
        """First recorded request (from index `start` of `requests`) matching; waits for one.

        A request is recorded the moment it arrives, before delays/holds and before it is
        answered, so this is the hook for "act while the request is in flight".
        """
        rule = Delay(0, method, path_contains)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for rec in self._requests[start:]:
                    if rule.matches(rec):
                        return rec
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method or '*'} request containing {path_contains!r}")
                self._cond.wait(left)

    # ---- state as seen on github.com -------------------------------------------------------
    def set_association(self, login: str, association: str = "COLLABORATOR") -> None:
        """How GitHub relates `login` to the repository (e.g. invite them as a collaborator)."""
        with self._lock:
            self.state.associations[login.lower()] = association

    def add_issue_from_web(
        self,
        title: str,
        body: str | None = "",
        labels: tuple[str, ...] | list[str] = (),
        user: str = "alice",
        pull_request: bool = False,
        *,
        repository: str | None = None,
    ) -> int:
        """An issue (or pull request) created on github.com in the fake's repository (or in
        `repository`, one `add_repository` added); unknown labels are created."""
        with self._lock:
            state = self._repository(repository)
            for name in labels:
                if name.lower() not in state.labels:
                    state.add_label(name)
            names = [state.labels[n.lower()]["name"] for n in labels]
            return state.new_issue(title, body, names, user, pull_request)["number"]

    def issue_json(self, number: int, repository: str | None = None) -> dict[str, Any]:
        """The issue as the API renders it (and as an `issues` webhook event carries it)."""
        with self._lock:
            state = self._repository(repository)
            return state.issue_json(state.issues[number])

    def edit_issue_from_web(self, number: int, **fields: Any) -> None:
        """Change fields of an issue: title, body, state, labels, user, locked, created_at, ...

        `updated_at` is bumped unless given. Closing/reopening sets `closed_at`.
        """
        with self._lock:
            issue = self.state.issues[number]
            unknown = set(fields) - set(issue) - {"labels"}
            if unknown:
                raise ValueError(f"unknown issue fields: {sorted(unknown)}")
            if "labels" in fields:
                for name in fields["labels"]:
                    if name.lower() not in self.state.labels:
                        self.state.add_label(name)
                fields["labels"] = [self.state.labels[n.lower()]["name"] for n in fields["labels"]]
            if fields.get("state") in ("open", "closed") and fields["state"] != issue["state"]:
                closed = fields["state"] == "closed"
                issue["closed_at"] = now_iso() if closed else None
                issue["state_reason"] = "completed" if closed else "reopened"
            issue.update(fields)
            if "updated_at" not in fields:
                issue["updated_at"] = now_iso()

    def add_label(self, name: str, color: str = "ededed", description: str | None = None) -> None:
        with self._lock:
            self.state.add_label(name, color, description)

    def put_file_from_web(self, path: str, content: bytes | str) -> None:
        """A commit of one file on the default branch, made outside the bot."""
        data = content.encode() if isinstance(content, str) else content
        with self._lock:
            self.state.git.commit_files({path.strip("/"): data}, f"Add {path}")

    def branch_history(self, branch: str = "main") -> list[dict[str, Any]]:
        """The branch's commits, newest first: sha, message, parents and changed paths."""
        with self._lock:
            git = self.state.git
            out = []
            for sha in git.history(branch):
                commit = git.commits[sha]
                tree = git.trees[commit["tree"]]
                before = (
                    git.trees[git.commits[commit["parents"][0]]["tree"]]
                    if commit["parents"]
                    else {}
                )
                changed = sorted(p for p, b in tree.items() if before.get(p) != b)
                out.append(
                    {
                        "sha": sha,
                        "message": commit["message"],
                        "parents": list(commit["parents"]),
                        "paths": changed,
                    }
                )
            return out

    # ---- faults ----------------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 502, *, commit: bool = False) -> None:
        """The next `n` requests to write or issue endpoints answer `status` (GitHub error JSON).

        With `commit=True` an issue or comment creation among them is still performed before
        failing (the "502 but it was created" case).
        """
        with self._lock:
            self._fail = [n, status, commit]

    def secondary_rate_limit(self, next_n: int = 1, retry_after: int = 1) -> None:
        """The next `next_n` write/issue requests get GitHub's secondary-rate-limit 403."""
        with self._lock:
            self._secondary = [next_n, retry_after]

    def drop_after_create(self, n: int = 1, *, record_after: float = 0.0) -> None:
        """The next `n` issue creations happen, but the connection is closed without an answer.
        With `record_after`, the connection is closed at once and the issue appears that many
        seconds later (GitHub finishing a creation after failing to answer)."""
        with self._lock:
            self._drops = n
            self._record_after = record_after

    def delay(
        self, seconds: float, method: str | None = None, path_contains: str | None = None
    ) -> None:
        """Hold matching requests `seconds` before answering. `seconds <= 0` removes the rule."""
        with self._lock:
            self._delays = [
                d for d in self._delays if (d.method, d.path_contains) != (method, path_contains)
            ]
            if seconds > 0:
                self._delays.append(Delay(seconds, method, path_contains))

    def hold_creates(self) -> None:
        """Issue and comment creations wait (recorded, unanswered) until `release_creates()`.

        Held creations complete when released even if their client has gone away, as GitHub
        would finish a request it fully received; `stop()` releases them first.
        """
        self._set_released(False)

    def release_creates(self) -> None:
        self._set_released(True)

    def hold_ref_updates(self) -> None:
        """Branch moves (`PATCH .../git/refs/...`) wait, recorded and unanswered, until
        `release_ref_updates()`; like held creations they complete even if the client left."""
        self._set_released(False, self._refs_released)

    def release_ref_updates(self) -> None:
        self._set_released(True, self._refs_released)

    def _set_released(self, released: bool, event: asyncio.Event | None = None) -> None:
        event = self._released if event is None else event

        async def apply() -> None:
            event.set() if released else event.clear()

        if self._server is None:
            event.set() if released else event.clear()
        else:
            self._server.call(apply())

    def protect_branch(self, branch: str = "main", how: str = "ruleset") -> None:
        """Refuse moves of `branch`: a ruleset (409 "Repository rule violations found") or a
        classic branch protection (422 "Protected branch update failed")."""
        if how not in ("ruleset", "protection"):
            raise ValueError(how)
        with self._lock:
            self.state.protected[branch] = how

    def set_mode(
        self,
        *,
        token_revoked: bool | None = None,
        repo_missing: bool | None = None,
        issues_disabled: bool | None = None,
        read_only: bool | None = None,
        unknown_labels: str | None = None,
        down: bool | None = None,
    ) -> None:
        """Switch modes; arguments left as None keep their current value.

        token_revoked: every request 401 "Bad credentials". repo_missing: 404 on /repos/{o}/{r}.
        issues_disabled: 410 "Issues are disabled for this repo" on issue endpoints.
        read_only: 403 "Resource not accessible by personal access token" on writes.
        unknown_labels: "reject" (422, default) or "create" (create them, color ededed).
        down: every request 503 "Service Unavailable" (an outage).
        """
        if unknown_labels not in (None, "reject", "create"):
            raise ValueError(unknown_labels)
        changes = {
            "token_revoked": token_revoked,
            "repo_missing": repo_missing,
            "issues_disabled": issues_disabled,
            "read_only": read_only,
            "unknown_labels": unknown_labels,
            "down": down,
        }
        with self._lock:
            for name, value in changes.items():
                if value is not None:
                    setattr(self.state, name, value)

    def set_rate_limit(
        self, remaining: int, limit: int = 5000, reset_in: int = 3600, *, login: str | None = None
    ) -> None:
        """Set the primary ("core") rate limit of the fake's token (or of the user `login` of the
        app's user tokens); at 0 requests get 403 "API rate limit exceeded"."""
        with self._lock:
            budget = self.state.budget if login is None else self.user_budget(login)
            budget.limit, budget.remaining = limit, remaining
            budget.reset = int(time.time()) + reset_in

    def set_token_expiration(self, value: str | None) -> None:
        """Answer as GitHub does for an expiring token: `GitHub-Authentication-Token-Expiration`
        (e.g. "2026-12-20 10:00:00 UTC") on every answer to the token; None: a token without
        expiry (no header)."""
        with self._lock:
            self.state.token_expiration = value

    def clear_faults(self) -> None:
        """Undo every fault, mode and delay (state and recordings are kept)."""
        self.release_creates()
        self.release_ref_updates()
        with self._lock:
            self._fail, self._secondary, self._drops, self._delays = [0, 502, False], [0, 1], 0, []
        self.set_mode(
            token_revoked=False,
            repo_missing=False,
            issues_disabled=False,
            read_only=False,
            down=False,
        )
