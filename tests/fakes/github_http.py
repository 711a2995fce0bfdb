"""HTTP side of the GitHub fake: the per-request pipeline of `FakeGitHub` (see its docstring
for the processing order), GitHub-style headers, ETags and rate-limit accounting."""

from __future__ import annotations

import asyncio
import hashlib
import http
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from tests.fakes import github_routes as routes
from tests.fakes.contracts import ContractChecker
from tests.fakes.github_state import DOCS, ApiError, GitHubState, RateBudget, Usage

DROPPED = 0  # `Recorded.status` of a request whose connection was closed without an answer
_RATE_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_ISSUES_DOC = "https://docs.github.com/v3/issues/"


@dataclass
class Recorded:
    method: str
    path: str  # decoded path, no query
    query: str  # raw query string
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    status: int | None = None  # None while in flight; DROPPED (0) if the connection was dropped


@dataclass
class Delay:
    seconds: float
    method: str | None
    path_contains: str | None

    def matches(self, rec: Recorded) -> bool:
        return (self.method is None or rec.method == self.method.upper()) and (
            self.path_contains is None or self.path_contains in rec.path
        )


class GitHubHttp:
    """Mixin of `FakeGitHub` holding the request pipeline; attributes are set by FakeGitHub."""

    token: str
    state: GitHubState
    repositories: dict[str, GitHubState]  # "owner/name" in lower case -> its state
    on_request: Callable[[Recorded], None] | None
    _lock: threading.RLock
    _cond: threading.Condition
    _requests: list[Recorded]
    _violations: list[str]
    _unhandled: list[str]
    _checker: ContractChecker | None
    _request_ids: int
    _fail: list[Any]
    _secondary: list[int]
    _drops: int
    _record_after: float
    _late: set[asyncio.Task[None]]
    _delays: list[Delay]
    _released: asyncio.Event
    _refs_released: asyncio.Event
    _budgets: dict[str, RateBudget]  # lower-case login of a user token -> that user's budget
    _usage: dict[str, Usage]  # login -> what that user's requests cost

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        rec = Recorded(
            request.method, request.path, request.query_string, CIMultiDict(request.headers), body
        )
        with self._cond:
            self._requests.append(rec)
            self._cond.notify_all()
        if self.on_request is not None:
            try:
                self.on_request(rec)
            except Exception as exc:  # make hook bugs visible without killing the server
                with self._lock:
                    self._violations.append(f"on_request hook raised {exc!r}")
        raw_path = request.rel_url.raw_path
        if self._checker is not None:
            problems = self._checker.check(
                request.method, raw_path, request.rel_url.raw_query_string, request.headers, body
            )
            if problems:
                where = f"{request.method} {request.path_qs}"
                with self._lock:
                    self._violations.extend(f"{where}: {p}" for p in problems)
        with self._lock:
            delays = [d.seconds for d in self._delays if d.matches(rec)]
        for seconds in delays:
            await asyncio.sleep(seconds)
        route, params = routes.match(request.method, raw_path)
        if route is not None and route.handler in (routes.create_issue, routes.create_comment):
            await self._released.wait()
        if route is not None and route.handler is routes.update_ref:
            await self._refs_released.wait()
        with self._lock:
            late = route is not None and route.handler is routes.create_issue and self._drops > 0
            late = late and self._record_after > 0
            if late:
                self._drops -= 1
                rec.status = DROPPED
        if late:
            task = asyncio.get_running_loop().create_task(
                self._record_late(request, rec, route, params, self._record_after)
            )
            self._late.add(task)
            task.add_done_callback(self._late.discard)
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        with self._lock:
            reply, drop, call = self._respond(request, rec, route, params)
            if drop:
                rec.status = DROPPED
            else:
                response = self._finish(request, route, reply, call)
                rec.status = response.status
        if drop:
            assert request.transport is not None
            request.transport.close()  # the client sees "Remote end closed connection"
            return web.Response()
        return response

    async def _record_late(
        self,
        request: web.Request,
        rec: Recorded,
        route: routes.Route | None,
        params: dict[str, str],
        seconds: float,
    ) -> None:
        """Perform a creation whose connection was dropped, `seconds` later."""
        await asyncio.sleep(seconds)
        with self._lock:
            self._respond(request, rec, route, params)
            rec.status = DROPPED

    def _respond(
        self,
        request: web.Request,
        rec: Recorded,
        route: routes.Route | None,
        params: dict[str, str],
    ) -> tuple[routes.Reply, bool, routes.Call]:
        state = self.state
        call = routes.Call(request.method, request.rel_url.raw_path, _pairs(request), params)
        try:
            self._gate(request, rec, route, call)
            assert route is not None
            reply = route.handler(call.target or state, call)
        except ApiError as err:
            return routes.Reply(err.status, err.payload, err.headers), False, call
        drop = route.handler is routes.create_issue and self._drops > 0
        self._drops -= drop
        return reply, drop, call

    def user_budget(self, login: str) -> RateBudget:
        """The primary rate limit of the user `login` acts as with a user token (GitHub's 5,000
        an hour per user, shared by all of that user's tokens), made at first use."""
        key = login.lower()
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = RateBudget()
        return budget

    def _gate(
        self, request: web.Request, rec: Recorded, route: routes.Route | None, call: routes.Call
    ) -> None:
        """Raise the ApiError that GitHub would answer before reaching the endpoint, if any."""
        state = self.state
        if state.down:
            raise ApiError(503, "Service Unavailable", DOCS)
        auth = request.headers.get("Authorization", "")
        if not auth:
            raise ApiError(401, "Requires authentication", DOCS)
        scheme, _, token = auth.partition(" ")
        # A user access token of the GitHub App (github_oauth.py) acts as its user.
        login = state.oauth.login_for(token) if token != self.token else None
        known = (token == self.token and not state.token_revoked) or login is not None
        if scheme.lower() not in ("token", "bearer") or not known:
            raise ApiError(401, "Bad credentials", DOCS)
        call.login, call.token = login, token
        call.budget = state.budget if login is None else self.user_budget(login)
        call.budget.renew_if_due(int(time.time()))
        if call.budget.remaining <= 0 and not (route and route.free):
            uid = state.user_id(login or state.token_user)
            raise ApiError(403, f"API rate limit exceeded for user ID {uid}.", _RATE_DOC)
        targeted = rec.method != "GET" or "/issues" in rec.path
        if targeted and self._fail[0] > 0:
            self._fail[0] -= 1
            status = self._fail[1]
            creates = (routes.create_issue, routes.create_comment)
            if self._fail[2] and route is not None and route.handler in creates:
                try:  # performed, then answered with the failure
                    self._gate_route(route, call, rec.body)
                    route.handler(call.target or state, call)
                except ApiError:
                    pass
            phrases = {s.value: s.phrase for s in http.HTTPStatus}
            phrase = "Server Error" if status >= 500 else phrases.get(status, "Error")
            raise ApiError(status, phrase, DOCS)
        if targeted and self._secondary[0] > 0:
            self._secondary[0] -= 1
            err = ApiError(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again. If you reach out to GitHub Support for help, please include the "
                f"request ID FAKE:{self._request_ids}.",
                f"{_RATE_DOC}#about-secondary-rate-limits",
            )
            err.headers["retry-after"] = str(self._secondary[1])
            raise err
        if route is None:
            self._unhandled.append(f"{rec.method} {rec.path}")
            raise ApiError(404, "Not Found", DOCS)
        self._gate_route(route, call, rec.body)

    def _gate_route(self, route: routes.Route, call: routes.Call, body: bytes) -> None:
        state = self.state
        if route.repo:
            full_name = f"{call.params['owner']}/{call.params['repo']}".lower()
            call.target = self.repositories.get(full_name)
            if call.target is None or call.target.repo_missing:
                raise ApiError(404, "Not Found", routes.DOC_REPO)
            state = call.target
        if route.repo and call.login is not None:
            full_name = f"{call.params['owner']}/{call.params['repo']}"
            permission = state.oauth.permission(call.login, full_name)
            if permission is None:  # not a repository of an installation the user can see
                raise ApiError(404, "Not Found", routes.DOC_REPO)
            if route.method != "GET" and permission == "pull":
                raise ApiError(403, "Resource not accessible by integration", DOCS)
        if route.issues and state.issues_disabled:
            raise ApiError(410, "Issues are disabled for this repo", _ISSUES_DOC)
        if route.method != "GET" and state.read_only:
            raise ApiError(403, "Resource not accessible by personal access token", DOCS)
        if route.method != "GET" and call.body is None:
            try:
                call.body = json.loads(body) if body.strip() else {}
            except ValueError:
                raise ApiError(400, "Problems parsing JSON", DOCS) from None
            if not isinstance(call.body, dict):
                raise ApiError(400, "Problems parsing JSON", DOCS)

    def _finish(
        self,
        request: web.Request,
        route: routes.Route | None,
        reply: routes.Reply,
        call: routes.Call,
    ) -> web.Response:
        state = self.state
        # Unauthenticated answers show the fake's own budget, untouched.
        budget: RateBudget = call.budget or state.budget
        self._request_ids += 1
        headers = {
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"FAKE:{self._request_ids}",
            **reply.headers,
        }
        text = json.dumps(reply.payload, separators=(",", ":"))
        status = reply.status
        if request.method == "GET" and status == 200:
            etag = f'W/"{hashlib.sha256(text.encode()).hexdigest()}"'
            headers.update(
                ETag=etag,
                Vary="Accept, Authorization, Cookie, X-GitHub-OTP",
                **{"Cache-Control": "private, max-age=60, s-maxage=60"},
            )
            if _etag_matches(request.headers.get("If-None-Match", ""), etag):
                status = 304
        spent = status != 304 and not (route and route.free) and budget.remaining > 0
        if spent:
            budget.remaining -= 1
        if call.budget is not None:
            usage = self._usage.setdefault(call.login or state.token_user, Usage())
            usage.requests += 1
            usage.points += spent
            usage.not_modified += status == 304
        headers.update(
            {
                "x-ratelimit-limit": str(budget.limit),
                "x-ratelimit-remaining": str(budget.remaining),
                "x-ratelimit-reset": str(budget.reset),
                "x-ratelimit-used": str(budget.limit - budget.remaining),
                "x-ratelimit-resource": "core",
            }
        )
        if state.token_expiration is not None and status != 401:
            headers["GitHub-Authentication-Token-Expiration"] = state.token_expiration
        if status == 304:
            return web.Response(status=304, headers=headers)
        return web.Response(
            status=status,
            text=text,
            content_type="application/json",
            charset="utf-8",
            headers=headers,
        )


def _pairs(request: web.Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query.items()]


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags
