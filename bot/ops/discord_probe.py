"""Discord's REST API for the set-up commands (`diary-bot check`, `diary-bot invite`).

This is the one module outside cogs/ and the client that imports discord. The set-up commands
run without a gateway connection through discord.py's public REST methods: `Client.login`
(the token, the bot user, the application), `fetch_guild`, `fetch_channel`, `fetch_member`, and
`permissions_for`, discord.py's own computation of a member's permissions in a channel.
Nothing here raises a discord.py exception to its callers: failures become `ProbeError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import discord

T = TypeVar("T")
REQUEST_TIMEOUT = 30.0

# What the bot needs in an announcement channel, by discord.py's flag names.
REQUIRED_FLAGS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    # Without it Discord lists no messages, and the bot could not find a post whose outcome
    # was unknown before posting it again.
    ("read_message_history", "Read Message History"),
)
ANNOUNCEMENT_CHANNEL_TYPES = {
    discord.ChannelType.text: "text",
    discord.ChannelType.news: "announcement",
}


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
        self._client: discord.Client | None = None
        self._guilds: dict[int, discord.Guild] = {}
        self._members: dict[tuple[int, int], discord.Member] = {}

    async def __aenter__(self) -> DiscordProbe:
        # No intents: this client never opens the gateway, it only sends REST requests.
        self._client = discord.Client(intents=discord.Intents.none())
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.close()

    @property
    def client(self) -> discord.Client:
        assert self._client is not None, "use DiscordProbe as an async context manager"
        return self._client

    async def login(self) -> BotIdentity:
        """Check the token (`Client.login`: the bot user and its application)."""
        await self._call(self.client.login(self._token))
        user = self.client.user
        assert user is not None
        return BotIdentity(user.id, user.name)

    async def application_id(self) -> int:
        """The application's id (fetched by `login`), the OAuth2 client id."""
        if self.client.application_id is None:
            return (await self._call(self.client.application_info())).id
        return self.client.application_id

    async def application_public(self) -> bool:
        """Whether anyone may add the bot to a server ("Public Bot"; fetched by `login`)."""
        application = self.client.application or await self._call(self.client.application_info())
        return application.bot_public

    async def guild_name(self, guild_id: int) -> str:
        """The server's name; fails if the bot is not a member."""
        return (await self._guild(guild_id)).name

    async def channel_access(self, channel_id: int, member_id: int) -> ChannelAccess:
        """What a member (the bot) may do in a channel, as discord.py's `permissions_for`
        computes it from the server's roles, the member and the channel's overwrites."""
        found = await self._call(self.client.fetch_channel(channel_id))
        name = str(getattr(found, "name", "") or "")
        if not isinstance(found, discord.abc.GuildChannel):
            return ChannelAccess(channel_id, name, None, 0, "", 0, ())
        guild = await self._guild(found.guild.id)
        # Fetched through the guild, the channel knows the guild's roles (fetch_channel alone
        # attaches a stub guild without them).
        channel = await self._call(guild.fetch_channel(channel_id))
        member = await self._member(guild, member_id)
        value = channel.permissions_for(member).value
        missing = tuple(label for label, bit in required_permissions() if not value & bit)
        kind = ANNOUNCEMENT_CHANNEL_TYPES.get(channel.type)
        return ChannelAccess(channel_id, channel.name, kind, guild.id, guild.name, value, missing)

    async def _guild(self, guild_id: int) -> discord.Guild:
        if guild_id not in self._guilds:
            self._guilds[guild_id] = await self._call(
                self.client.fetch_guild(guild_id, with_counts=False)
            )
        return self._guilds[guild_id]

    async def _member(self, guild: discord.Guild, member_id: int) -> discord.Member:
        if (guild.id, member_id) not in self._members:
            self._members[guild.id, member_id] = await self._call(guild.fetch_member(member_id))
        return self._members[guild.id, member_id]

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
        except discord.DiscordException as error:  # e.g. InvalidData: an unexpected answer
            raise ProbeError("http", f"{type(error).__name__}: {error}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise ProbeError("unreachable", type(error).__name__) from None


def _probe_error(kind: str, error: discord.HTTPException) -> ProbeError:
    detail = f"{error.status} {error.text}".strip()
    return ProbeError(kind, detail, status=error.status, code=error.code)
