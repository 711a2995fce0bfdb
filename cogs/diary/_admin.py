"""/diary-admin: the server's diary settings, its daily reminder and the bot's status. The
group has `default_permissions` Manage Server, so Discord shows it only to members who have it
(a server may grant it to others in its integration settings: the access check still asks for
Manage Server)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.client import NO_MENTIONS, DiaryBot
from bot.limits import CHOICE_VALUE, MODAL_TEXT_INPUT, cut
from bot.models import GuildSettings
from bot.services.access import Need
from bot.services.bylines import BYLINE_TEMPLATE
from bot.services.reminders import is_off
from bot.services.server_settings import TITLE_FORMAT_MAX
from cogs._common import ACCESS, Interaction, tr
from cogs._text import cmd
from cogs.diary._pickers import channel_choices, resolve_channel, resolve_role, role_choices
from cogs.diary._rhythm import reminder_summary
from cogs.diary._status import status_embeds

TIMEZONE_CHOICES = 25
TEMPLATE_SHOWN = 1_000  # of a body template of up to 4,000 characters, in the config summary


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DiaryAdminCog(
    commands.GroupCog,
    group_name=cmd("cmd.diary_admin"),
    group_description=cmd("cmd.diary_admin.desc"),
    group_extras={ACCESS: Need.MANAGE.value},
):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services

    @app_commands.command(
        name=cmd("cmd.diary_admin.config"), description=cmd("cmd.diary_admin.config.desc")
    )
    @app_commands.rename(
        announce_channel=cmd("opt.announce_channel"),
        author_role=cmd("opt.author_role"),
        timezone=cmd("opt.timezone"),
        title_format=cmd("opt.title_format"),
        body_template=cmd("opt.body_template"),
        byline=cmd("opt.byline"),
        language=cmd("opt.language"),
    )
    @app_commands.describe(
        announce_channel=cmd("opt.announce_channel.desc"),
        author_role=cmd("opt.author_role.desc"),
        timezone=cmd("opt.timezone.desc"),
        title_format=cmd("opt.title_format.desc"),
        body_template=cmd("opt.body_template.desc"),
        byline=cmd("opt.byline.desc"),
        language=cmd("opt.language.desc"),
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name="日本語", value="ja"),
            app_commands.Choice(name="English", value="en"),
        ]
    )
    async def config(
        self,
        interaction: Interaction,
        announce_channel: app_commands.Range[str, 1, CHOICE_VALUE] | None = None,
        author_role: app_commands.Range[str, 1, CHOICE_VALUE] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        title_format: app_commands.Range[str, 1, TITLE_FORMAT_MAX] | None = None,
        body_template: app_commands.Range[str, 1, MODAL_TEXT_INPUT] | None = None,
        byline: app_commands.Range[str, 1, BYLINE_TEMPLATE] | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        options = (
            announce_channel,
            author_role,
            timezone,
            title_format,
            body_template,
            byline,
            language,
        )
        settings, channel = await self.services.server_settings.configure(
            interaction.guild_id,
            announce_channel_id=resolve_channel(interaction, announce_channel)
            if announce_channel is not None
            else None,
            author_role_id=resolve_role(interaction, author_role)
            if author_role is not None
            else None,
            timezone=timezone,
            title_format=title_format,
            body_template=body_template,
            byline=byline,
            language=language.value if language is not None else None,
            first_language=i18n.language_of(str(interaction.locale)),
        )
        changed = any(option is not None for option in options)
        heading = tr(interaction, "config.saved" if changed else "config.current")
        await interaction.response.send_message(
            f"{heading}\n{describe(interaction, settings, channel)}",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @config.autocomplete("announce_channel")
    async def channel_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return channel_choices(interaction, current)

    @config.autocomplete("author_role")
    async def role_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return role_choices(interaction, current)

    @config.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower().replace(" ", "_")
        names = sorted(zone for zone in _time_zones() if needle in zone.lower())
        names.sort(key=lambda zone: not zone.lower().startswith(needle))
        return [app_commands.Choice(name=zone, value=zone) for zone in names[:TIMEZONE_CHOICES]]

    @app_commands.command(
        name=cmd("cmd.diary_admin.status"), description=cmd("cmd.diary_admin.status.desc")
    )
    async def status(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        report = await self.services.status.report(interaction.guild_id, latency=self.bot.latency)
        await interaction.response.send_message(
            embeds=status_embeds(interaction, report),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(
        name=cmd("cmd.diary_admin.reminder"), description=cmd("cmd.diary_admin.reminder.desc")
    )
    @app_commands.rename(
        channel=cmd("opt.channel"), time=cmd("opt.time"), on_this_day=cmd("opt.on_this_day")
    )
    @app_commands.describe(
        channel=cmd("opt.channel.desc"),
        time=cmd("opt.time.desc"),
        on_this_day=cmd("opt.on_this_day.desc"),
    )
    async def reminder(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | None = None,
        time: app_commands.Range[str, 1, 20] | None = None,
        on_this_day: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        reminders = self.services.reminders
        if time is not None and is_off(time):
            text = tr(
                interaction,
                "reminder.off"
                if await reminders.turn_off(interaction.guild_id)
                else "reminder.was_off",
            )
        elif channel is None and time is None and on_this_day is None:
            view, timezone = await reminders.show(interaction.guild_id)
            if view is None:
                text = tr(interaction, "reminder.none", timezone=timezone)
            else:
                text = (
                    f"{tr(interaction, 'reminder.current')}\n{reminder_summary(interaction, view)}"
                )
        else:
            view = await reminders.configure(
                interaction.guild_id,
                channel_id=channel.id if channel else None,
                time_text=time,
                on_this_day=on_this_day,
                default_channel_id=interaction.channel_id,
                first_language=i18n.language_of(str(interaction.locale)),
            )
            text = f"{tr(interaction, 'reminder.saved')}\n{reminder_summary(interaction, view)}"
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


def describe(interaction: Interaction, settings: GuildSettings, channel_id: int | None) -> str:
    none = tr(interaction, "config.none")
    role = (
        f"<@&{settings.author_role_id}>"
        if settings.author_role_id
        else tr(interaction, "config.role_default")
    )
    return (
        tr(
            interaction,
            "config.summary",
            channel=f"<#{channel_id}>" if channel_id else none,
            role=role,
            timezone=settings.timezone,
            title_format=settings.title_format or tr(interaction, "config.title_format_default"),
            body_template=_template_shown(settings.body_template)
            if settings.body_template
            else none,
        )
        + "\n"
        + tr(
            interaction,
            "config.byline",
            byline=f"`{settings.byline}`"
            if settings.byline
            else tr(interaction, "config.byline_off"),
        )
        + "\n"
        + tr(
            interaction,
            "config.language",
            language=tr(interaction, f"config.language_{settings.language or 'unset'}"),
        )
    )


def _template_shown(template: str) -> str:
    """The body template in a code block, short enough for the summary to fit one message."""
    return "```\n" + cut(template, TEMPLATE_SHOWN).replace("```", "`\u200b``") + "\n```"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())
