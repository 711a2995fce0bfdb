"""Configuration read from environment variables (the entry point loads `.env` first)."""

from __future__ import annotations

import logging
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import ConfigError

README_HINT = "See README.md, section 'Configuration'."
LOG_FORMATS = ("text", "json")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class Settings:
    discord_token: str = field(repr=False)
    github_token: str = field(repr=False)
    github_repository: str
    github_api_url: str = "https://api.github.com"
    database_path: Path = Path("diary.sqlite3")
    announce_channel_id: int | None = None
    # The servers this bot serves (DISCORD_GUILD_ID, comma-separated); empty: every server.
    discord_guild_ids: tuple[int, ...] = ()
    # Whose issues written on GitHub are entries (ANNOUNCE_AUTHORS): () = the repository's
    # owner, members and collaborators; ("*",) = everyone; else these logins.
    announce_authors: tuple[str, ...] = ()
    blog_url_template: str | None = None
    poll_interval: float = 60.0
    # Seconds Discord is trusted to match a post's nonce ("a few minutes"); past it, the bot
    # looks for the post before posting again. Lower is safer, never higher than Discord's.
    discord_nonce_window: float = 120.0
    # Seconds after an issue creation whose answer was lost before the bot looks for the
    # issue (GitHub may still be finishing it) and, if it is not there, creates it again.
    github_settle_seconds: float = 10.0
    # Seconds the Delete / Cancel buttons of a delete confirmation stay live.
    delete_confirm_seconds: int = 120
    log_level: str = "INFO"
    log_format: str = "text"
    log_discord_wire: bool = False  # discord.py's records of requests and gateway events
    wait_for_page: bool = False
    webhook_port: int | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_host: str = "127.0.0.1"
    image_path_template: str = "assets/diary/{yyyy}/{mm}/{sha256_12}.{ext}"
    image_url_template: str = "https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{path}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from `env`, or raise ConfigError listing every problem at once."""
        problems: list[str] = []

        def text(name: str, *, required: bool = False) -> str | None:
            value = env.get(name, "").strip()
            if not value:
                if required:
                    problems.append(f"{name} is not set: {_REQUIRED[name]}")
                return None
            return value

        def snowflake(name: str) -> int | None:
            value = text(name)
            if value is None:
                return None
            if not _is_snowflake(value):
                problems.append(f"{name} must be a Discord id (a number of 17 to 20 digits)")
                return None
            return int(value)

        def snowflakes(name: str) -> tuple[int, ...]:
            parts = [part.strip() for part in (text(name) or "").split(",")]
            if parts == [""]:
                return ()
            if not all(_is_snowflake(part) for part in parts):
                problems.append(
                    f"{name} must be Discord ids (numbers of 17 to 20 digits) separated by commas"
                )
                return ()
            return tuple(dict.fromkeys(int(part) for part in parts))

        discord_token = text("DISCORD_TOKEN", required=True)
        github_token = text("GITHUB_TOKEN", required=True)
        repository = text("GITHUB_REPOSITORY", required=True)
        if repository is not None and not _REPOSITORY.match(repository):
            problems.append("GITHUB_REPOSITORY must look like owner/name, e.g. alice/diary")

        api_url = text("GITHUB_API_URL") or cls.github_api_url
        parsed = urlsplit(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or re.search(r"\s", api_url):
            problems.append("GITHUB_API_URL must be an http(s) URL, e.g. https://api.github.com")

        template = text("BLOG_URL_TEMPLATE")
        if template is not None and (
            "{number}" not in template or not template.startswith(("http://", "https://"))
        ):
            problems.append(
                "BLOG_URL_TEMPLATE must be an http(s) URL containing {number}, "
                "e.g. https://me.github.io/diary/articles/{number}"
            )

        poll_interval = cls.poll_interval
        raw_poll = text("POLL_INTERVAL")
        if raw_poll is not None:
            try:
                poll_interval = float(raw_poll)
                if not math.isfinite(poll_interval) or 0 < poll_interval < 1 or poll_interval < 0:
                    raise ValueError
            except ValueError:
                problems.append("POLL_INTERVAL must be a number of seconds, at least 1, or 0 (off)")

        nonce_window = cls.discord_nonce_window
        raw_window = text("DISCORD_NONCE_WINDOW")
        if raw_window is not None:
            try:
                nonce_window = float(raw_window)
                if not math.isfinite(nonce_window) or not 0 <= nonce_window <= 300:
                    raise ValueError
            except ValueError:
                problems.append("DISCORD_NONCE_WINDOW must be a number of seconds from 0 to 300")

        settle_seconds = cls.github_settle_seconds
        raw_settle = text("GITHUB_SETTLE_SECONDS")
        if raw_settle is not None:
            try:
                settle_seconds = float(raw_settle)
                if not math.isfinite(settle_seconds) or not 0 <= settle_seconds <= 300:
                    raise ValueError
            except ValueError:
                problems.append("GITHUB_SETTLE_SECONDS must be a number of seconds from 0 to 300")

        confirm_seconds = cls.delete_confirm_seconds
        raw_confirm = text("DELETE_CONFIRM_SECONDS")
        if raw_confirm is not None:
            if raw_confirm.isdigit() and 5 <= int(raw_confirm) <= 600:
                confirm_seconds = int(raw_confirm)
            else:
                problems.append("DELETE_CONFIRM_SECONDS must be a whole number from 5 to 600")

        log_level = (text("LOG_LEVEL") or cls.log_level).upper()
        if not isinstance(logging.getLevelName(log_level), int):
            problems.append("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")

        log_format = (text("LOG_FORMAT") or cls.log_format).lower()
        if log_format not in LOG_FORMATS:
            problems.append("LOG_FORMAT must be text or json")

        raw_wire = (text("LOG_DISCORD_WIRE") or "0").lower()
        if raw_wire not in _ON + _OFF:
            problems.append("LOG_DISCORD_WIRE must be 1 (on) or 0 (off)")

        raw_wait = (text("WAIT_FOR_PAGE") or "0").lower()
        wait_for_page = raw_wait in _ON
        if raw_wait not in _ON + _OFF:
            problems.append("WAIT_FOR_PAGE must be 1 (on) or 0 (off)")
        elif wait_for_page and template is None:
            problems.append("WAIT_FOR_PAGE=1 needs BLOG_URL_TEMPLATE: the blog page to wait for")

        webhook_port = None
        raw_port = text("WEBHOOK_PORT")
        if raw_port is not None:
            if raw_port.isdigit() and 1 <= int(raw_port) <= 65535:
                webhook_port = int(raw_port)
            else:
                problems.append("WEBHOOK_PORT must be a TCP port number (1 to 65535)")
        webhook_secret = text("WEBHOOK_SECRET")
        if raw_port is not None and webhook_secret is None:
            problems.append(
                "WEBHOOK_SECRET is not set: WEBHOOK_PORT needs the secret given to GitHub's webhook"
            )
        elif webhook_secret is not None and raw_port is None:
            problems.append("WEBHOOK_SECRET is set but WEBHOOK_PORT is not: set both, or neither")
        elif webhook_secret is not None and len(webhook_secret) < 16:
            problems.append(
                "WEBHOOK_SECRET must be at least 16 characters (e.g. from openssl rand -hex 32)"
            )

        image_path = text("IMAGE_PATH_TEMPLATE") or cls.image_path_template
        problems.extend(_image_path_problems(image_path))
        image_url = text("IMAGE_URL_TEMPLATE") or cls.image_url_template
        problems.extend(_image_url_problems(image_url))

        authors = tuple(
            dict.fromkeys(part.strip() for part in (text("ANNOUNCE_AUTHORS") or "").split(","))
        )
        if authors == ("",):
            authors = ()
        elif authors != ("*",) and not all(_LOGIN.match(login) for login in authors):
            problems.append(
                "ANNOUNCE_AUTHORS must be GitHub logins separated by commas, or * for everyone"
            )

        announce = snowflake("ANNOUNCE_CHANNEL_ID")
        guilds = snowflakes("DISCORD_GUILD_ID")
        if problems:
            raise ConfigError(problems)
        assert discord_token and github_token and repository
        return cls(
            discord_token=discord_token,
            github_token=github_token,
            github_repository=repository,
            github_api_url=api_url.rstrip("/"),
            database_path=Path(text("DATABASE_PATH") or cls.database_path),
            announce_channel_id=announce,
            discord_guild_ids=guilds,
            announce_authors=authors,
            blog_url_template=template,
            poll_interval=poll_interval,
            discord_nonce_window=nonce_window,
            github_settle_seconds=settle_seconds,
            delete_confirm_seconds=confirm_seconds,
            log_level=log_level,
            log_format=log_format,
            log_discord_wire=raw_wire in _ON,
            wait_for_page=wait_for_page,
            webhook_port=webhook_port,
            webhook_secret=webhook_secret,
            webhook_host=text("WEBHOOK_HOST") or cls.webhook_host,
            image_path_template=image_path,
            image_url_template=image_url,
        )

    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line or a reply."""
        return tuple(
            secret
            for secret in (self.discord_token, self.github_token, self.webhook_secret)
            if secret
        )


def _is_snowflake(value: str) -> bool:
    return value.isascii() and value.isdigit() and 17 <= len(value) <= 20


def _placeholders(template: str) -> set[str] | None:
    """The `{names}` in a template, or None if its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def _image_path_problems(template: str) -> list[str]:
    names = _placeholders(template)
    allowed = {"yyyy", "mm", "dd", "sha256", "sha256_12", "ext"}
    hint = "e.g. assets/diary/{yyyy}/{mm}/{sha256_12}.{ext}"
    if names is None or not names <= allowed:
        known = ", ".join("{" + name + "}" for name in sorted(allowed))
        return [f"IMAGE_PATH_TEMPLATE may use only {known}: {hint}"]
    parts = template.split("/")
    if not names & {"sha256", "sha256_12"} or "ext" not in names:
        return [f"IMAGE_PATH_TEMPLATE must contain {{sha256_12}} or {{sha256}} and {{ext}}: {hint}"]
    if template.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return [f"IMAGE_PATH_TEMPLATE must be a relative path without empty, . or .. parts: {hint}"]
    return []


def _image_url_problems(template: str) -> list[str]:
    names = _placeholders(template)
    hint = "e.g. https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{path}"
    if (
        names is None
        or not names <= {"owner", "repo", "branch", "path"}
        or "path" not in names
        or not template.startswith(("https://", "http://"))
    ):
        return [
            "IMAGE_URL_TEMPLATE must be an http(s) URL containing {path} "
            f"(and optionally {{owner}}, {{repo}}, {{branch}}), {hint}"
        ]
    return []


_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off")
_REQUIRED = {
    "DISCORD_TOKEN": "the bot token from the Discord developer portal (Bot → Reset Token)",
    "GITHUB_TOKEN": "a fine-grained GitHub token with Issues read/write on the diary repository",
    "GITHUB_REPOSITORY": "the diary repository as owner/name, e.g. alice/diary",
}
