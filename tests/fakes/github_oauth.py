"""GitHub App user sign-in for the GitHub fake: the device flow and the refresh grant of
github.com's `/login` endpoints, user access tokens with expiry, and app installations.

Pure data and handlers, no HTTP and no locking: `github_web.py` serves the `/login` endpoints on
the fake's web base URL (github.com's counterpart, separate from the API base) and
`FakeGitHub` checks user tokens on the API and serves `/user/installations...` from here.

What GitHub documents and the fake does ("Generating a user access token for a GitHub App"):

* `POST /login/device/code` (`client_id`) answers `device_code`, `user_code`, `verification_uri`,
  `expires_in` (900) and `interval` (5).
* `POST /login/oauth/access_token` with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
  answers, with HTTP 200 in every case, either a token or an `error`: `authorization_pending`
  (not approved yet), `slow_down` (polled sooner than `interval` after the previous poll: the
  interval grows by 5 seconds and the answer carries the new `interval`), `expired_token` (the
  device code is older than `expires_in`), `access_denied` (the person cancelled),
  `incorrect_device_code`, `incorrect_client_credentials`, `unsupported_grant_type`. A device
  code gives one token; polling again after that answers `incorrect_device_code`.
* With `grant_type=refresh_token` (`client_id`, `client_secret`, `refresh_token`) it answers a new
  access token and a new refresh token; the old refresh token stops working
  (`bad_refresh_token`), and so does one that is expired or revoked.
* Tokens: `ghu_...` access tokens expiring after 8 hours (`expires_in` 28800), `ghr_...` refresh
  tokens after 6 months (`refresh_token_expires_in` 15811200); an expired or revoked access token
  gets 401 "Bad credentials" from the API.
* Answers are form-encoded unless the request accepts `application/json`. Parameters are read
  from the query string and from a form or JSON body.

These endpoints are not in GitHub's OpenAPI description (it covers api.github.com only), so
requests to them are not contract-checked; the API routes `/user/installations` and
`/user/installations/{installation_id}/repositories` are.

Choices where GitHub documents nothing: an unknown `client_id` at `/login/device/code` gets a 404
with a JSON `{"error": "Not Found"}`; `device_flow_disabled` is answered there with HTTP 200 like
the other errors.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_DOC = "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app"
_DEVICE_DOC = "https://docs.github.com/developers/apps/authorizing-oauth-apps"
_DESCRIPTIONS = {
    "authorization_pending": "The authorization request is still pending.",
    "slow_down": "Too many requests have been made in the same timeframe.",
    "expired_token": "The device code has expired.",
    "access_denied": "The authorization request was denied.",
    "incorrect_device_code": "The device_code provided is not valid.",
    "incorrect_client_credentials": "The client_id and/or client_secret passed are incorrect.",
    "unsupported_grant_type": "The grant type is not supported.",
    "bad_refresh_token": "The refresh token passed is incorrect or expired.",
    "device_flow_disabled": "Device Flow must be explicitly enabled for this App",
}
_ANCHORS = {
    "authorization_pending": "authorization-pending",
    "slow_down": "slow-down",
    "expired_token": "expired-token",
    "access_denied": "access-denied",
    "incorrect_device_code": "incorrect-device-code",
    "incorrect_client_credentials": "incorrect-client-credentials",
    "unsupported_grant_type": "unsupported-grant-type",
    "device_flow_disabled": "device-flow-disabled",
}


class OAuthError(Exception):
    """An OAuth answer with `error` (HTTP 200 unless `status` says otherwise)."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.status = status
        self.payload: dict[str, Any] = {"error": error}
        if error in _DESCRIPTIONS:
            self.payload["error_description"] = _DESCRIPTIONS[error]
            self.payload["error_uri"] = f"{_DEVICE_DOC}#{_ANCHORS.get(error, 'error-codes')}"
        self.payload.update(extra)


@dataclass
class Device:
    device_code: str
    user_code: str
    expires_at: float
    interval: int
    last_poll: float | None = None
    state: str = "pending"  # pending, approved, denied, used
    login: str | None = None


@dataclass
class UserToken:
    login: str
    expires_at: float
    revoked: bool = False


@dataclass
class Installation:
    id: int
    account: str
    repositories: list[str]  # "owner/name"
    users: dict[str, str]  # login (lower case) -> "admin", "push" or "pull" on its repositories
    selection: str = "selected"


@dataclass
class OAuthState:
    """The GitHub App (`client_id`, `client_secret`, `slug`), its device codes, user tokens and
    installations. Times come from `clock` plus `offset` (`advance()` moves time forward)."""

    client_id: str = "Iv23liFAKEclient01"
    client_secret: str = "fake-client-secret"
    slug: str = "diary-bot-app"
    app_id: int = 424242
    device_ttl: int = 900
    interval: int = 5
    slow_down_step: int = 5
    token_ttl: int = 28800
    refresh_ttl: int = 15811200
    device_flow_enabled: bool = True
    clock: Callable[[], float] = time.time
    offset: float = 0.0
    devices: dict[str, Device] = field(default_factory=dict)
    tokens: dict[str, UserToken] = field(default_factory=dict)
    refresh_tokens: dict[str, UserToken] = field(default_factory=dict)
    installations: dict[int, Installation] = field(default_factory=dict)
    forced_slow_downs: int = 0
    issued: list[str] = field(default_factory=list)  # access tokens, in the order issued

    def now(self) -> float:
        return self.clock() + self.offset

    # ---- the device flow -----------------------------------------------------------------
    def device_code(self, params: dict[str, str], web_url: str) -> dict[str, Any]:
        if params.get("client_id") != self.client_id:
            raise OAuthError("Not Found", status=404)
        if not self.device_flow_enabled:
            raise OAuthError("device_flow_disabled")
        user_code = "-".join(
            "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(4)) for _ in range(2)
        )
        device = Device(
            secrets.token_hex(20), user_code, self.now() + self.device_ttl, self.interval
        )
        self.devices[device.device_code] = device
        return {
            "device_code": device.device_code,
            "user_code": device.user_code,
            "verification_uri": f"{web_url}/login/device",
            "expires_in": self.device_ttl,
            "interval": self.interval,
        }

    def access_token(self, params: dict[str, str]) -> dict[str, Any]:
        grant = params.get("grant_type", "")
        if params.get("client_id") != self.client_id:
            raise OAuthError("incorrect_client_credentials")
        if grant == DEVICE_GRANT:
            return self._device_grant(params.get("device_code", ""))
        if grant == "refresh_token":
            if params.get("client_secret") != self.client_secret:
                raise OAuthError("incorrect_client_credentials")
            return self._refresh_grant(params.get("refresh_token", ""))
        raise OAuthError("unsupported_grant_type")

    def _device_grant(self, code: str) -> dict[str, Any]:
        device = self.devices.get(code)
        if device is None or device.state == "used":
            raise OAuthError("incorrect_device_code")
        now = self.now()
        too_soon = device.last_poll is not None and now - device.last_poll < device.interval - 0.05
        device.last_poll = now
        if now >= device.expires_at:
            raise OAuthError("expired_token")
        if self.forced_slow_downs > 0 or too_soon:
            self.forced_slow_downs = max(0, self.forced_slow_downs - 1)
            device.interval += self.slow_down_step
            raise OAuthError("slow_down", interval=device.interval)
        if device.state == "denied":
            raise OAuthError("access_denied")
        if device.state == "pending":
            raise OAuthError("authorization_pending")
        device.state = "used"
        assert device.login is not None
        return self.issue(device.login)

    def _refresh_grant(self, refresh_token: str) -> dict[str, Any]:
        held = self.refresh_tokens.pop(refresh_token, None)
        if held is None or held.revoked or self.now() >= held.expires_at:
            raise OAuthError("bad_refresh_token")
        return self.issue(held.login)

    def issue(self, login: str) -> dict[str, Any]:
        """A new access token and refresh token for `login` (the token endpoint's answer)."""
        now = self.now()
        access = "ghu_" + secrets.token_urlsafe(27)[:36]
        refresh = "ghr_" + secrets.token_urlsafe(57)[:76]
        self.tokens[access] = UserToken(login, now + self.token_ttl)
        self.refresh_tokens[refresh] = UserToken(login, now + self.refresh_ttl)
        self.issued.append(access)
        return {
            "access_token": access,
            "expires_in": self.token_ttl,
            "refresh_token": refresh,
            "refresh_token_expires_in": self.refresh_ttl,
            "scope": "",
            "token_type": "bearer",
        }

    # ---- what the person does on github.com ----------------------------------------------
    def find_device(self, user_code: str) -> Device:
        for device in self.devices.values():
            if device.user_code == user_code.upper():
                return device
        raise KeyError(f"no device code with user code {user_code!r}")

    def login_for(self, token: str) -> str | None:
        """The login a live user access token belongs to, or None."""
        held = self.tokens.get(token)
        if held is None or held.revoked or self.now() >= held.expires_at:
            return None
        return held.login

    def user_installations(self, login: str) -> list[Installation]:
        return [i for i in self.installations.values() if login.lower() in i.users]

    def permission(self, login: str, full_name: str) -> str | None:
        """The user's permission on a repository through the app's installations, or None."""
        order = {"pull": 0, "push": 1, "admin": 2}
        best = None
        for inst in self.user_installations(login):
            if full_name.lower() in (r.lower() for r in inst.repositories):
                perm = inst.users[login.lower()]
                if best is None or order[perm] > order[best]:
                    best = perm
        return best


def encode_answer(payload: dict[str, Any], accept: str) -> tuple[str, str]:
    """(body, content type) of an OAuth answer, as GitHub chooses by `Accept`."""
    if "application/json" in accept.lower():
        return json.dumps(payload), "application/json"
    return urlencode({k: str(v) for k, v in payload.items()}), "application/x-www-form-urlencoded"


def installation_json(
    state: Any, oauth: OAuthState, inst: Installation, web_url: str
) -> dict[str, Any]:
    """An installation as `GET /user/installations` lists it (`state` renders the account)."""
    account = state.user_json(inst.account)
    return {
        "id": inst.id,
        "client_id": oauth.client_id,
        "account": account,
        "repository_selection": inst.selection,
        "access_tokens_url": f"{state.base_url}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{state.base_url}/installation/repositories",
        "html_url": f"{web_url}/settings/installations/{inst.id}",
        "app_id": oauth.app_id,
        "app_slug": oauth.slug,
        "target_id": account["id"],
        "target_type": "User",
        "permissions": {"contents": "write", "issues": "write", "metadata": "read"},
        "events": ["issues"],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


def repository_json(state: Any, full_name: str, permission: str) -> dict[str, Any]:
    """A repository of an installation, with the user's `permissions` on it."""
    owner, name = full_name.split("/", 1)
    out = state.repo_json(True, True)
    if full_name.lower() != f"{state.owner}/{state.repo}".lower():
        api = f"{state.base_url}/repos/{owner}/{name}"
        html = f"https://github.com/{owner}/{name}"
        out.update(
            id=state.repo_id + 1 + sum(map(ord, full_name.lower())),
            name=name,
            full_name=full_name,
            owner=state.user_json(owner),
            html_url=html,
            url=api,
            issues_url=f"{api}/issues{{/number}}",
            labels_url=f"{api}/labels{{/name}}",
            contents_url=f"{api}/contents/{{+path}}",
            pulls_url=f"{api}/pulls{{/number}}",
            comments_url=f"{api}/comments{{/number}}",
            git_url=f"git://github.com/{full_name}.git",
            clone_url=f"{html}.git",
            open_issues_count=0,
            open_issues=0,
        )
    push = permission in ("push", "admin")
    out["permissions"] = {
        "admin": permission == "admin",
        "maintain": permission == "admin",
        "push": push,
        "triage": push,
        "pull": True,
    }
    return out
