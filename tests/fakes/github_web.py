"""The github.com side of the GitHub fake: the `/login` endpoints of a GitHub App's user sign-in,
served on their own port (`FakeGitHub.web_url`, the counterpart of https://github.com, separate
from the API base `FakeGitHub.url`), and the controls a test uses to play the person.

    fake = FakeGitHub().start()
    fake.oauth.add_installation("bob", ["bob/diary"], users={"bob": "push"})
    ... the bot asks for a device code and polls ...
    fake.oauth.approve(user_code, "bob")   # or deny(), expire_device(), slow_down_next()

See `github_oauth.py` for what the endpoints answer. Requests are recorded in `requests`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict

from tests.fakes.github_http import Recorded
from tests.fakes.github_oauth import Installation, OAuthError, OAuthState, encode_answer
from tests.fakes.server_thread import ServerThread


class GitHubWeb:
    """github.com's sign-in endpoints for one GitHub App, sharing the API fake's lock."""

    def __init__(self, lock: threading.RLock, state: OAuthState) -> None:
        self._lock = lock
        self.state = state
        self._requests: list[Recorded] = []
        self._server: ServerThread | None = None
        self._installation_ids = 31000000
        self._refreshes_go = threading.Event()
        self._refreshes_go.set()
        #: Refresh grants answered by GitHub (new tokens issued, the old refresh token retired)
        #: whose answer is being held back (see `hold_refreshes`).
        self.refreshes_held = 0

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._server = ServerThread(self._make_app).start()

    def stop(self) -> None:
        self._refreshes_go.set()
        if self._server is not None:
            self._server.stop()
            if not self._server.loop.is_running():
                self._server.loop.close()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeGitHub is not started")
        return self._server.url

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/login/device/code", self._device_code)
        app.router.add_post("/login/oauth/access_token", self._access_token)
        app.router.add_get("/login/device", self._device_page)
        app.router.add_get("/apps/{slug}", self._install_page)
        app.router.add_get("/apps/{slug}/installations/new", self._install_page)
        return app

    # ---- inspection ----------------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        """Requests to the web host (`/login/...`), in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def issued_tokens(self) -> list[str]:
        """User access tokens issued so far (device and refresh grants), oldest first."""
        with self._lock:
            return list(self.state.issued)

    def login_for(self, token: str) -> str | None:
        """The login a live user access token belongs to (None: unknown, expired or revoked)."""
        with self._lock:
            return self.state.login_for(token)

    def live_refresh_tokens(self, login: str) -> list[str]:
        with self._lock:
            return [
                t
                for t, held in self.state.refresh_tokens.items()
                if held.login == login and not held.revoked
            ]

    # ---- what the person and the app's owner do on github.com ----------------------------
    @contextmanager
    def _locked(self) -> Iterator[OAuthState]:
        with self._lock:
            yield self.state

    def approve(self, user_code: str, login: str) -> None:
        """The person signed in as `login` enters `user_code` and authorizes the app."""
        with self._locked() as state:
            device = state.find_device(user_code)
            device.state, device.login = "approved", login

    def grant(self, login: str) -> dict[str, Any]:
        """Tokens for `login` as a completed sign-in would give them (the access token endpoint's
        answer: `access_token`, `refresh_token`, their lives), without the device flow: for
        setting up many connected members at once."""
        with self._locked() as state:
            return state.issue(login)

    def deny(self, user_code: str) -> None:
        """The person cancels the authorization (the next poll gets `access_denied`)."""
        with self._locked() as state:
            state.find_device(user_code).state = "denied"

    def expire_device(self, user_code: str) -> None:
        """The device code runs out (the next poll gets `expired_token`)."""
        with self._locked() as state:
            state.find_device(user_code).expires_at = state.now() - 1

    def slow_down_next(self, n: int = 1) -> None:
        """The next `n` device-grant polls get `slow_down` (interval + 5) whatever their timing."""
        with self._locked() as state:
            state.forced_slow_downs = n

    def pending_user_codes(self) -> list[str]:
        with self._locked() as state:
            return [d.user_code for d in state.devices.values() if d.state == "pending"]

    def expire_token(self, token: str) -> None:
        """The user access token reaches its 8 hours (the API answers 401 from now on)."""
        with self._locked() as state:
            state.tokens[token].expires_at = state.now() - 1

    def revoke(self, login: str) -> None:
        """The person revokes the app's authorization: every token and refresh token dies."""
        with self._locked() as state:
            for held in (*state.tokens.values(), *state.refresh_tokens.values()):
                if held.login == login:
                    held.revoked = True

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (token, refresh-token and device-code expiry)."""
        with self._locked() as state:
            state.offset += seconds

    def add_installation(
        self,
        account: str,
        repositories: list[str],
        users: dict[str, str],
        selection: str = "selected",
    ) -> int:
        """Install the app on `account`'s `repositories` ("owner/name"); `users` maps each login
        that can see the installation to its permission there ("admin", "push" or "pull")."""
        if any(p not in ("admin", "push", "pull") for p in users.values()):
            raise ValueError(users)
        with self._locked() as state:
            self._installation_ids += 1
            iid = self._installation_ids
            state.installations[iid] = Installation(
                iid,
                account,
                list(repositories),
                {k.lower(): v for k, v in users.items()},
                selection,
            )
            return iid

    def hold_refreshes(self, hold: bool = True) -> None:
        """While held, a refresh grant is carried out (new tokens issued, the refresh token
        sent retired) but its answer waits: the moment a client can die having spent its
        refresh token without learning the new one. `hold_refreshes(False)` lets answers go."""
        if hold:
            self._refreshes_go.clear()
        else:
            self._refreshes_go.set()

    def remove_installation(self, installation_id: int) -> None:
        with self._locked() as state:
            del state.installations[installation_id]

    # ---- handlers ------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, str], Recorded]:
        body = await request.read()
        rec = Recorded(
            request.method, request.path, request.query_string, CIMultiDict(request.headers), body
        )
        with self._lock:
            self._requests.append(rec)
        params = dict(request.query)
        kind = request.content_type
        if kind == "application/json" and body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                params.update({k: str(v) for k, v in parsed.items()})
        elif kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params, rec

    def _answer(
        self, request: web.Request, rec: Recorded, payload: dict, status: int
    ) -> web.Response:
        text, kind = encode_answer(payload, request.headers.get("Accept", ""))
        rec.status = status
        return web.Response(status=status, text=text, content_type=kind, charset="utf-8")

    async def _device_code(self, request: web.Request) -> web.Response:
        params, rec = await self._params(request)
        with self._lock:
            try:
                payload, status = self.state.device_code(params, self.url), 200
            except OAuthError as err:
                payload, status = err.payload, err.status
        return self._answer(request, rec, payload, status)

    async def _access_token(self, request: web.Request) -> web.Response:
        params, rec = await self._params(request)
        with self._lock:
            try:
                payload, status = self.state.access_token(params), 200
            except OAuthError as err:
                payload, status = err.payload, err.status
            held = not self._refreshes_go.is_set() and params.get("grant_type") == "refresh_token"
            if held:
                self.refreshes_held += 1
        if held:  # the tokens are rotated; the answer waits
            await asyncio.to_thread(self._refreshes_go.wait)
            with self._lock:
                self.refreshes_held -= 1
        return self._answer(request, rec, payload, status)

    async def _device_page(self, request: web.Request) -> web.Response:
        return web.Response(text="<h1>Device Activation</h1>", content_type="text/html")

    async def _install_page(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        if slug != self.state.slug:
            raise web.HTTPNotFound()
        return web.Response(text=f"<h1>Install {slug}</h1>", content_type="text/html")
