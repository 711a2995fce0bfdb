"""Configuration of members' own diaries (/diary connect): the operator's GitHub App and the
key that seals members' tokens. Read from the same environment as `Settings`; all optional."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.errors import ConfigError

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class ConnectionSettings:
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    encryption_key: str | None = field(default=None, repr=False)
    app_link: str | None = None  # https://github.com/apps/<slug>: where the app is installed
    web_url: str = "https://github.com"  # where the /login endpoints live

    @property
    def enabled(self) -> bool:
        return self.client_id is not None and self.encryption_key is not None

    @property
    def install_url(self) -> str | None:
        return None if self.app_link is None else f"{self.app_link}/installations/new"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line or a reply."""
        return tuple(s for s in (self.client_secret, self.encryption_key) if s)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ConnectionSettings:
        """Build from `env`, or raise ConfigError listing every problem at once."""
        problems: list[str] = []

        def text(name: str) -> str | None:
            return env.get(name, "").strip() or None

        def url(name: str, example: str) -> str | None:
            value = text(name)
            if value is None:
                return None
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
                problems.append(f"{name} must be an http(s) URL, e.g. {example}")
                return None
            return value.rstrip("/")

        client_id = text("GITHUB_APP_CLIENT_ID")
        if client_id is not None and not _CLIENT_ID.match(client_id):
            problems.append("GITHUB_APP_CLIENT_ID must be the app's client ID, e.g. Iv23liAbCdEf")
        secret = text("GITHUB_APP_CLIENT_SECRET")
        key = text("TOKEN_ENCRYPTION_KEY")
        if key is not None and not _valid_key(key):
            problems.append(
                "TOKEN_ENCRYPTION_KEY is not a valid key: make one with `diary-bot keygen`"
            )
        if client_id is not None and key is None:
            problems.append(
                "TOKEN_ENCRYPTION_KEY is not set: GITHUB_APP_CLIENT_ID needs it to store members' "
                "GitHub tokens encrypted (make one with `diary-bot keygen`)"
            )
        if client_id is None and secret is not None:
            problems.append("GITHUB_APP_CLIENT_SECRET is set but GITHUB_APP_CLIENT_ID is not")
        link = url("GITHUB_APP_PUBLIC_LINK", "https://github.com/apps/my-diary-bot")
        web_url = url("GITHUB_WEB_URL", "https://github.com") or cls.web_url
        if problems:
            raise ConfigError(problems)
        return cls(client_id, secret, key, link, web_url)


def _valid_key(key: str) -> bool:
    from bot.token_cipher import valid_key  # cryptography is imported only when a key is set

    return valid_key(key)
