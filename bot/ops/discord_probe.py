"""Discord's REST API for the set-up commands (`diary-bot check`, `diary-bot invite`).

This is the one module outside cogs/ and the client that imports discord: the set-up commands
run without a gateway connection, and discord.py's own `HTTPClient` gives them Discord's
rate-limit handling and its `Route.BASE`, exactly as the bot uses it. Nothing here raises a
discord.py exception to its callers: failures become `ProbeError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
import discord
from discord.http import HTTPClient

T = TypeVar("T")
REQUEST_TIMEOUT = 30.0

# What the bot needs in an announcement channel, by discord.py's flag names.
REQUIRED_FLAGS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)
ANNOUNCEMENT_CHANNEL_TYPES = {0: "text", 5: "announcement"}
_MEMBER_OVERWRITE = 1


def required_permissions() -> list[tuple[str, int]]:
    """The permissions the bot needs, as (name shown in Discord, bit value)."""
    return [(label, getattr(discord.Permissions, flag).flag) for flag, label in REQUIRED_FLAGS]


def oauth_url(client_id: int, permissions: int, scopes: tuple[str, ...]) -> str:
    """Discord's OAuth2 link that adds the application with `permissions` (discord.py's own)."""
    return discord.utils.oauth_url(
        client_id, permissions=discord.Permissions(permissions), scopes=scopes
    )


def permission_names(value: int) -> list[str]:
    """Names of the required permissions that `value` grants."""
    return [label for label, bit in required_permissions() if value & bit]


def channel_permissions(
    guild: Mapping[str, Any],
    member: Mapping[str, Any],
    channel: Mapping[str, Any],
    user_id: int,
    now: datetime | None = None,
) -> int:
    """A member's permissions in a guild channel, computed as Discord documents it: @everyone
    and the member's roles; everything for the owner or an Administrator; then the channel's
    @everyone overwrite, the member's role overwrites together, the member's own overwrite;
    then timeouts and the implicit rules (no View Channel → nothing; no Send Messages → no
    Embed Links, attachments or mentions of everyone)."""
    everything = discord.Permissions.all().value
    if int(guild["owner_id"]) == user_id:
        return everything
    guild_id = int(guild["id"])
    role_permissions = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
    member_roles = {int(role_id) for role_id in member.get("roles", [])}
    value = role_permissions.get(guild_id, 0)
    for role_id in member_roles:
        value |= role_permissions.get(role_id, 0)
    if value & discord.Permissions.administrator.flag:
        return everything
    overwrites = {
        (int(item["id"]), int(item.get("type", 0))): item
        for item in channel.get("permission_overwrites") or []
    }
    permissions = discord.Permissions(value)
    everyone = overwrites.get((guild_id, 0))
    if everyone is not None:
        permissions.handle_overwrite(int(everyone["allow"]), int(everyone["deny"]))
    allow = deny = 0
    for (target, kind), item in overwrites.items():
        if kind == 0 and target in member_roles and target != guild_id:
            allow |= int(item["allow"])
            deny |= int(item["deny"])
    permissions.handle_overwrite(allow, deny)
    own = overwrites.get((user_id, _MEMBER_OVERWRITE))
    if own is not None:
        permissions.handle_overwrite(int(own["allow"]), int(own["deny"]))
    timeout = member.get("communication_disabled_until")
    if timeout and datetime.fromisoformat(timeout) > (now or datetime.now(UTC)):
        permissions.value &= discord.Permissions(view_channel=True, read_message_history=True).value
    if not permissions.send_messages:
        permissions.send_tts_messages = False
        permissions.mention_everyone = False
        permissions.embed_links = False
        permissions.attach_files = False
    if not permissions.view_channel:
        permissions.value &= ~discord.Permissions.all_channel().value
    return permissions.value


class ProbeError(Exception):
    """A Discord request failed. `kind`: unauthorized, not_found, forbidden, unreachable or
    http; `code` is Discord's JSON error code when it sent one."""

    def __init__(self, kind: str, detail: str, *, status: int = 0, code: int = 0) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.code = code


@dataclass(frozen=True)
class BotIdentity:
    id: int
    name: str


@dataclass(frozen=True)
class ChannelAccess:
    channel_id: int
    name: str
    kind: str | None  # "text" / "announcement", None for any other type
    guild_id: int
    guild_name: str
    permissions: int
    missing: tuple[str, ...]  # required permissions the bot lacks there


class DiscordProbe:
    """Discord's REST API with the bot token; use as `async with DiscordProbe(token) as p`."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._http: HTTPClient | None = None
        self._guilds: dict[int, dict[str, Any]] = {}
        self._members: dict[tuple[int, int], dict[str, Any]] = {}

    async def __aenter__(self) -> DiscordProbe:
        self._http = HTTPClient(asyncio.get_running_loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def http(self) -> HTTPClient:
        assert self._http is not None, "use DiscordProbe as an async context manager"
        return self._http

    async def login(self) -> BotIdentity:
        """Check the token (`GET /users/@me`); the bot user it belongs to."""
        data = await self._call(self.http.static_login(self._token))
        return BotIdentity(int(data["id"]), str(data["username"]))

    async def application_id(self) -> int:
        """The application's id (`GET /oauth2/applications/@me`), the OAuth2 client id."""
        data = await self._call(self.http.application_info())
        return int(data["id"])

    async def guild_name(self, guild_id: int) -> str:
        """The server's name; fails if the bot is not a member."""
        guild, _ = await self._guild_and_member(guild_id, None)
        return str(guild.get("name", guild_id))

    async def channel_access(self, channel_id: int, bot_id: int) -> ChannelAccess:
        """What the bot may do in a channel: `GET /channels/{id}`, then the server's roles and
        the bot's member object, from which its permissions there are computed."""
        channel = await self._call(self.http.get_channel(channel_id))
        kind = ANNOUNCEMENT_CHANNEL_TYPES.get(int(channel.get("type", -1)))
        guild_id = int(channel.get("guild_id") or 0)
        if not guild_id:
            return ChannelAccess(channel_id, str(channel.get("name", "")), None, 0, "", 0, ())
        guild, member = await self._guild_and_member(guild_id, bot_id)
        value = channel_permissions(guild, member, channel, bot_id)
        missing = tuple(label for label, bit in required_permissions() if not value & bit)
        return ChannelAccess(
            channel_id,
            str(channel.get("name", "")),
            kind,
            guild_id,
            str(guild.get("name", "")),
            value,
            missing,
        )

    async def _guild_and_member(
        self, guild_id: int, bot_id: int | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if guild_id not in self._guilds:
            guild = await self._call(self.http.get_guild(guild_id, with_counts=False))
            self._guilds[guild_id] = dict(guild)
        member: dict[str, Any] = {}
        if bot_id is not None:
            if (guild_id, bot_id) not in self._members:
                found = await self._call(self.http.get_member(guild_id, bot_id))
                self._members[guild_id, bot_id] = dict(found)
            member = self._members[guild_id, bot_id]
        return self._guilds[guild_id], member

    @staticmethod
    async def _call(request: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(request, REQUEST_TIMEOUT)
        except discord.LoginFailure:
            raise ProbeError("unauthorized", "401 Unauthorized", status=401) from None
        except discord.NotFound as error:
            raise _probe_error("not_found", error) from None
        except discord.Forbidden as error:
            raise _probe_error("forbidden", error) from None
        except discord.HTTPException as error:
            raise _probe_error("http", error) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise ProbeError("unreachable", type(error).__name__) from None


def _probe_error(kind: str, error: discord.HTTPException) -> ProbeError:
    detail = f"{error.status} {error.text}".strip()
    return ProbeError(kind, detail, status=error.status, code=error.code)
