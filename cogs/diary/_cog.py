"""/diary: server settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, Denied, DiaryBot
from bot.models import GuildSettings
from cogs._common import Interaction, tr


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DiaryCog(commands.GroupCog, group_name="diary", group_description="Diary settings"):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services

    @app_commands.command(name="config", description="Show or change this server's diary settings")
    @app_commands.describe(
        announce_channel="Channel where new entries are announced",
        author_role="Role whose members may draft and publish",
    )
    async def config(
        self,
        interaction: Interaction,
        announce_channel: discord.TextChannel | None = None,
        author_role: discord.Role | None = None,
    ) -> None:
        # default_permissions only sets what Discord shows; admins can change it, so check again.
        permissions = interaction.permissions
        if not permissions.manage_guild:
            raise Denied("error.manage_guild_required")
        assert interaction.guild_id is not None
        store = self.services.store
        if announce_channel is not None or author_role is not None:
            changes: dict[str, int] = {}
            if announce_channel is not None:
                changes["announce_channel_id"] = announce_channel.id
            if author_role is not None:
                changes["author_role_id"] = author_role.id
            now = discord.utils.utcnow()
            settings = await store.update_guild_settings(interaction.guild_id, now, **changes)
            heading = tr(interaction, "config.saved")
        else:
            settings = await store.get_guild_settings(interaction.guild_id)
            heading = tr(interaction, "config.current")
        channel = await self.services.announcements.channel_for_guild(interaction.guild_id)
        await interaction.response.send_message(
            f"{heading}\n{describe(interaction, settings, channel)}",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


def describe(interaction: Interaction, settings: GuildSettings, channel_id: int | None) -> str:
    none = tr(interaction, "config.none")
    role = (
        f"<@&{settings.author_role_id}>"
        if settings.author_role_id
        else tr(interaction, "config.role_default")
    )
    return tr(
        interaction,
        "config.summary",
        channel=f"<#{channel_id}>" if channel_id else none,
        role=role,
        timezone=settings.timezone,
    )
