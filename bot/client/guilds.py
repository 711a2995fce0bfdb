"""The servers this bot serves (DISCORD_GUILD_ID): others are refused and left. And what
the services ask Discord about servers: members, channels, a server's language."""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.errors import NotAllowed
from bot.services.access import AccessUnknown, MemberFacts

log = logging.getLogger(__name__)

PUBLIC_BOT_WARNING = (
    "the application is public and DISCORD_GUILD_ID is not set: anyone can add this bot to "
    'their server and write to the diary. Turn "Public Bot" off (Developer Portal → your '
    "application → Bot → Public Bot), or set DISCORD_GUILD_ID to the servers it serves"
)


class ServedGuilds:
    """Mixed into DiaryBot (which gives `services`, `guilds`, `get_guild`, `get_channel`,
    `application`): the allow-list, and the MemberLookup and ChannelDirectory ports."""

    async def _served_only(self, interaction: discord.Interaction) -> bool:
        """The gate until the cogs install theirs: interactions from servers this bot does not
        serve are refused (autocomplete: no choices)."""
        if self.services.access.serves(interaction.guild_id):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
            return False
        raise NotAllowed("error.server_not_served")

    async def member_facts(self, guild_id: int, user_id: int) -> MemberFacts | None:
        """MemberLookup port: the member as Discord knows them now (asked, not cached: without
        the members intent no role change or departure is ever sent)."""
        guild = self.get_guild(guild_id)
        if guild is None:
            return None  # the bot is not in that server
        if guild.unavailable:
            raise AccessUnknown("server unavailable")
        try:
            member = await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise AccessUnknown(type(error).__name__) from None
        return MemberFacts(
            guild_id=guild_id,
            user_id=user_id,
            role_ids=frozenset(role.id for role in member.roles),
            manage_guild=member.guild_permissions.manage_guild,
        )

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d server(s)",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )
        for guild in self.guilds:
            await self._leave_if_not_served(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._leave_if_not_served(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._leave_if_not_served(guild)

    async def _leave_if_not_served(self, guild: discord.Guild) -> None:
        """With DISCORD_GUILD_ID set, the bot stays only in the servers listed there."""
        if self.services.access.serves(guild.id):
            return
        log.warning("leaving server %r (%d): it is not in DISCORD_GUILD_ID", guild.name, guild.id)
        try:
            await guild.leave()
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.warning(
                "could not leave server %d (%r); its interactions are refused", guild.id, error
            )

    def _warn_if_public(self) -> None:
        """Without DISCORD_GUILD_ID the bot serves every server that adds it: say so if
        anyone may add it."""
        application = self.application
        if application is not None and application.bot_public:
            log.warning(PUBLIC_BOT_WARNING)

    async def language_of_channel(self, channel_id: int) -> str | None:
        """The language of posts no member triggered in this channel: the server's language
        (/diary-admin config language:), else the preferred locale of a Community server."""
        guild = getattr(self.get_channel(channel_id), "guild", None)
        if guild is None:
            return None
        settings = await self.services.server_settings.get(guild.id)
        return settings.language or str(guild.preferred_locale)

    # ChannelDirectory port
    def guild_ids(self) -> list[int]:
        return [guild.id for guild in self.guilds]

    def guild_of_channel(self, channel_id: int) -> int | None:
        channel = self.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        return guild.id if guild is not None else None
