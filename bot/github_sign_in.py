"""Gateway for a GitHub App's user sign-in: the device flow and refresh grant on github.com's
`/login/oauth` endpoints, and the repositories a user token may write to through the app's
installations (`GET /user/installations`, `GET /user/installations/{id}/repositories`).

Plain `requests` in worker threads: PyGithub has no device flow, and the two API listings are
read here beside it so the tokens never pass through another module. Bounded retries on
transient failures; tokens are sent in bodies and headers only, never in URLs or logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from bot.errors import GitHubError
from bot.sign_in_records import (
    DeviceCode,
    DeviceWait,
    RefreshRejected,
    SignInRefused,
    TokenGrant,
    TokenRejected,
)
from bot.threads import run_in_thread

log = logging.getLogger(__name__)
T = TypeVar("T")

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ATTEMPTS = 3  # per call, on connection failures and 5xx answers
TIMEOUT = 10.0  # seconds per request
MAX_PAGES = 10  # of 100 installations, and of 100 repositories per installation
_THREADS = 4


class _Transient(Exception):
    pass


class GitHubSignIn:
    """The app's client id and secret, github.com's base URL (`web_url`) and the API's."""

    def __init__(
        self, client_id: str, client_secret: str | None, web_url: str, api_url: str
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._web_url = web_url.rstrip("/")
        self._api_url = api_url.rstrip("/")
        self._slots = asyncio.Semaphore(_THREADS)

    async def _call(self, work: Callable[[], T]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await run_in_thread(work, name="github-sign-in", slots=self._slots)
            except _Transient as failure:
                if attempt == ATTEMPTS:
                    raise GitHubError(
                        "connect.unreachable", transient=True, detail=str(failure)
                    ) from None
                log.info("GitHub sign-in: %s; attempt %d of %d", failure, attempt, ATTEMPTS)
                await asyncio.sleep(attempt)
        raise AssertionError("unreachable")

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            answer = requests.post(
                f"{self._web_url}{path}",
                data=form,
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise _Transient(type(error).__name__) from None
        if answer.status_code >= 500:
            raise _Transient(f"HTTP {answer.status_code}")
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise SignInRefused(f"HTTP {answer.status_code}")
        if answer.status_code != 200 and "error" not in payload:
            raise SignInRefused(f"HTTP {answer.status_code}")
        return payload

    async def request_device_code(self) -> DeviceCode:
        """Start the device flow (`POST /login/device/code`)."""
        payload = await self._call(
            lambda: self._post("/login/device/code", {"client_id": self._client_id})
        )
        if "error" in payload:
            raise SignInRefused(str(payload["error"])[:100])
        try:
            return DeviceCode(
                device_code=str(payload["device_code"]),
                user_code=str(payload["user_code"]),
                verification_uri=str(payload["verification_uri"]),
                expires_in=int(payload["expires_in"]),
                interval=int(payload.get("interval", 5)),
            )
        except (KeyError, TypeError, ValueError):
            raise SignInRefused("malformed device code answer") from None

    async def poll_device(self, device_code: str) -> TokenGrant | DeviceWait:
        """One poll of the device grant: a token, or why not yet (or not at all)."""
        form = {"client_id": self._client_id, "device_code": device_code}
        form["grant_type"] = DEVICE_GRANT
        payload = await self._call(lambda: self._post("/login/oauth/access_token", form))
        if "error" in payload:
            interval = payload.get("interval")
            return DeviceWait(
                str(payload["error"])[:100], int(interval) if isinstance(interval, int) else None
            )
        return _grant(payload)

    async def refresh(self, refresh_token: str) -> TokenGrant:
        """New tokens for a refresh token (which GitHub then retires)."""
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret or "",
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        payload = await self._call(lambda: self._post("/login/oauth/access_token", form))
        error = payload.get("error")
        if error == "bad_refresh_token":
            raise RefreshRejected(error)
        if error is not None:
            raise SignInRefused(str(error)[:100])
        return _grant(payload)

    async def app_page_exists(self, slug: str) -> bool:
        """Whether github.com has the public page of the app `slug` (`/apps/<slug>`, which
        GitHub answers with 404 for no such app). No token is sent."""

        def work() -> bool:
            try:
                answer = requests.get(
                    f"{self._web_url}/apps/{slug}",
                    allow_redirects=False,
                    timeout=TIMEOUT,
                )
            except requests.RequestException as error:
                raise _Transient(type(error).__name__) from None
            if answer.status_code >= 500:
                raise _Transient(f"HTTP {answer.status_code}")
            return answer.status_code < 400

        return await self._call(work)

    def _get(self, token: str, path: str, params: dict[str, str] | None) -> requests.Response:
        try:
            answer = requests.get(
                path if path.startswith("http") else f"{self._api_url}{path}",
                params=params,
                headers={
                    "Accept": "application/vnd.github+json",
                    "Authorization": f"Bearer {token}",
                    "X-GitHub-Api-Version": "2022-11-28",
                },
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise _Transient(type(error).__name__) from None
        if answer.status_code == 401:
            raise TokenRejected("401")
        if answer.status_code >= 500:
            raise _Transient(f"HTTP {answer.status_code}")
        if answer.status_code != 200:
            raise GitHubError("connect.unreachable", detail=f"HTTP {answer.status_code}")
        return answer

    def _pages(self, token: str, path: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = path
        params: dict[str, str] | None = {"per_page": "100"}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            answer = self._get(token, url, params)
            found = answer.json().get(key)
            items.extend(item for item in found or [] if isinstance(item, dict))
            url, params = answer.links.get("next", {}).get("url"), None
        return items

    async def login(self, access_token: str) -> str:
        """The login of the user a token belongs to (`GET /user`)."""
        answer = await self._call(lambda: self._get(access_token, "/user", None))
        return str(answer.json()["login"])

    async def pushable_repositories(self, access_token: str) -> list[str]:
        """`owner/name` of each repository of the app's installations the user can push to."""

        def work() -> list[str]:
            names: dict[str, None] = {}
            for installation in self._pages(access_token, "/user/installations", "installations"):
                path = f"/user/installations/{int(installation['id'])}/repositories"
                for repo in self._pages(access_token, path, "repositories"):
                    if (repo.get("permissions") or {}).get("push"):
                        names[str(repo["full_name"])] = None
            return sorted(names, key=str.lower)

        return await self._call(work)


def _grant(payload: dict[str, Any]) -> TokenGrant:
    def seconds(name: str) -> int | None:
        value = payload.get(name)
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else None

    token = payload.get("access_token")
    if not isinstance(token, str) or not token:
        raise SignInRefused("no access_token in the answer")
    refresh = payload.get("refresh_token")
    return TokenGrant(
        access_token=token,
        expires_in=seconds("expires_in"),
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        refresh_token_expires_in=seconds("refresh_token_expires_in"),
    )
