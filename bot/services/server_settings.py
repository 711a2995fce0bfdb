"""Server settings that /diary-admin config changes, checked before they are stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import InvalidInput
from bot.limits import GITHUB_TITLE, MODAL_TEXT_INPUT, clean_text, encodable
from bot.models import GuildSettings
from bot.services.bylines import BYLINE_NAME, BYLINE_TEMPLATE
from bot.services.clock import Clock
from bot.services.store_ports import GuildSettingsRecords

CLEAR = "-"  # typed as a value, removes the setting
TITLE_FORMAT_MAX = 100  # characters of the strftime pattern /diary-admin config takes
LANGUAGES = ("ja", "en")  # of posts no member triggered


def check_timezone(name: str) -> str:
    """An IANA time zone name such as Asia/Tokyo."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("error.bad_timezone", name=name[:60]) from None
    return name


def check_title_format(pattern: str, clock: Clock) -> str:
    """A strftime pattern whose result today is a usable title."""
    pattern = encodable(pattern)
    try:
        sample = clock.now().strftime(pattern).strip()
    except ValueError:
        sample = ""
    if not sample or len(sample) > GITHUB_TITLE or "\n" in pattern:
        raise InvalidInput("error.bad_title_format", pattern=pattern[:60])
    return pattern


def check_byline(template: str) -> str:
    """One line, up to BYLINE_TEMPLATE characters, naming the author with {display_name}."""
    text = clean_text(template).strip()
    if "\n" in text or len(text) > BYLINE_TEMPLATE or BYLINE_NAME not in text:
        raise InvalidInput("error.bad_byline", limit=BYLINE_TEMPLATE)
    return text


def check_body_template(template: str) -> str:
    """Text a new draft starts with; `\\n` typed in a slash option means a new line."""
    text = clean_text(template.replace("\\n", "\n"))
    if len(text) > MODAL_TEXT_INPUT:
        raise InvalidInput("error.body_template_too_long", limit=MODAL_TEXT_INPUT, length=len(text))
    return text


def _id_or_clear(value: int | str) -> int | None:
    """A channel or role id, or None for CLEAR."""
    if value == CLEAR:
        return None
    return int(value)


async def _no_channel(guild_id: int) -> int | None:
    return None


class ServerSettingsService:
    def __init__(
        self,
        settings: GuildSettingsRecords,
        clock: Clock,
        *,
        channel_for_guild: Callable[[int], Awaitable[int | None]] = _no_channel,
    ) -> None:
        """`channel_for_guild`: where a server's announcements go (its own channel, else the
        default one when it is in that server)."""
        self._settings = settings
        self._clock = clock
        self._channel_for_guild = channel_for_guild

    async def configure(self, guild_id: int, **options: Any) -> tuple[GuildSettings, int | None]:
        """`update` (same options), then the settings with the announcement channel in effect
        (what /diary-admin config shows)."""
        settings = await self.update(guild_id, **options)
        return settings, await self._channel_for_guild(guild_id)

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (defaults when none were stored)."""
        return await self._settings.get_guild_settings(guild_id)

    async def update(
        self,
        guild_id: int,
        *,
        announce_channel_id: int | str | None = None,
        author_role_id: int | str | None = None,
        timezone: str | None = None,
        title_format: str | None = None,
        body_template: str | None = None,
        byline: str | None = None,
        language: str | None = None,
        first_language: str | None = None,
    ) -> GuildSettings:
        """Store the options given (checked first; `-` (CLEAR) clears a setting: the channel
        then falls back to the default one, the role to Manage Server). `first_language`, the
        language of the admin configuring, becomes the server's language if it has none yet."""
        changes: dict[str, Any] = {}
        if language is not None:
            if language not in LANGUAGES:
                raise InvalidInput("error.bad_language", languages=", ".join(LANGUAGES))
            changes["language"] = language
        if first_language is not None and first_language in LANGUAGES:
            changes["first_language"] = first_language
        if announce_channel_id is not None:
            changes["announce_channel_id"] = _id_or_clear(announce_channel_id)
        if author_role_id is not None:
            changes["author_role_id"] = _id_or_clear(author_role_id)
        if timezone is not None:
            changes["timezone"] = "UTC" if timezone == CLEAR else check_timezone(timezone.strip())
        if title_format is not None:
            changes["title_format"] = (
                None if title_format == CLEAR else check_title_format(title_format, self._clock)
            )
        if body_template is not None:
            changes["body_template"] = (
                None if body_template == CLEAR else check_body_template(body_template)
            )
        if byline is not None:
            changes["byline"] = None if byline == CLEAR else check_byline(byline)
        if not changes:
            return await self._settings.get_guild_settings(guild_id)
        if set(changes) == {"first_language"}:
            current = await self._settings.get_guild_settings(guild_id)
            if current.language is not None:  # nothing to write: the common case
                return current
        return await self._settings.update_guild_settings(guild_id, self._clock.now(), **changes)
