"""/diary: help, stats and connecting one's own repository, for every member (settings live
in /diary-admin, `_admin.py`)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, DiaryBot
from bot.services.access import Need
from cogs._common import ACCESS, Interaction, tr
from cogs._text import cmd
from cogs.diary._connect import ConnectCommands
from cogs.diary._rhythm import stats_embed, year_file


@app_commands.guild_only()
class DiaryCog(
    ConnectCommands,
    commands.GroupCog,
    group_name=cmd("cmd.diary"),
    group_description=cmd("cmd.diary.desc"),
):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services

    @app_commands.command(
        name=cmd("cmd.diary.help"),
        description=cmd("cmd.diary.help.desc"),
        extras={ACCESS: Need.SERVE.value},
    )
    async def help(self, interaction: Interaction) -> None:
        await interaction.response.send_message(
            embed=discord.Embed(
                title=tr(interaction, "help.title"), description=tr(interaction, "help.body")
            ),
            ephemeral=True,
        )

    @app_commands.command(name=cmd("cmd.diary.stats"), description=cmd("cmd.diary.stats.desc"))
    @app_commands.rename(member=cmd("opt.member"))
    @app_commands.describe(member=cmd("opt.member.desc"))
    async def stats(self, interaction: Interaction, member: discord.Member | None = None) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        # Rendering the calendar runs in a worker thread that may wait behind GitHub calls.
        await interaction.response.defer(ephemeral=True, thinking=True)
        overview = await self.services.rhythm.overview(interaction.guild_id, target.id)
        if overview.stats.entries == 0:
            name = discord.utils.escape_markdown(target.display_name)
            await interaction.followup.send(
                tr(interaction, "stats.none", name=name),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        await interaction.followup.send(
            embed=stats_embed(interaction, target.display_name, overview.stats),
            file=year_file(interaction, target.display_name, overview),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
