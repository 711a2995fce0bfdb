"""What a GitHub App's user sign-in hands back (device codes, token grants) and how it fails."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.errors import DiaryError


@dataclass(frozen=True)
class DeviceCode:
    """A device-flow start: the member types `user_code` at `verification_uri`."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class TokenGrant:
    """A user access token (and refresh token) for the app; expiries in seconds from now."""

    access_token: str = field(repr=False)
    expires_in: int | None
    refresh_token: str | None = field(repr=False)
    refresh_token_expires_in: int | None


@dataclass(frozen=True)
class DeviceWait:
    """A poll that got no token: `error` is GitHub's code (authorization_pending, slow_down,
    expired_token, access_denied, ...); `interval` the one to keep from now on, if given."""

    error: str
    interval: int | None = None


class TokenRejected(DiaryError):
    """GitHub answered 401 to a user access token (expired or revoked)."""


class RefreshRejected(DiaryError):
    """GitHub refused the refresh token (bad_refresh_token: revoked, expired or spent)."""


class SignInRefused(DiaryError):
    """GitHub refused the app's own credentials or grant (`error`, e.g. device_flow_disabled)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error
