"""How reminders and stats look in Discord."""

from __future__ import annotations

import io

import discord

from bot.limits import ATTACHMENT_DESCRIPTION, EMBED_TITLE, cut
from bot.services.reminders import ReminderView
from bot.services.rhythm import Overview, Stats
from cogs._common import Interaction, tr


def reminder_summary(interaction: Interaction, view: ReminderView) -> str:
    """Channel, time, next post and the "on this day" switch of a server's reminder."""
    reminder = view.reminder
    return tr(
        interaction,
        "reminder.summary",
        channel=f"<#{reminder.channel_id}>",
        time=reminder.time_of_day,
        timezone=view.timezone,
        next=discord.utils.format_dt(view.next_at, "f"),
        on_this_day=tr(
            interaction, "reminder.on" if reminder.on_this_day else "reminder.off_value"
        ),
    )


def stats_embed(interaction: Interaction, name: str, stats: Stats) -> discord.Embed:
    """Entries, streaks, this month and the last entry, days by the server's time zone."""
    days = "stats.days"
    embed = discord.Embed(
        title=cut(
            tr(interaction, "stats.title", name=discord.utils.escape_markdown(name)), EMBED_TITLE
        ),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name=tr(interaction, "stats.entries"), value=f"{stats.entries:,}")
    embed.add_field(
        name=tr(interaction, "stats.current_streak"),
        value=tr(interaction, days, count=stats.current_streak),
    )
    embed.add_field(
        name=tr(interaction, "stats.longest_streak"),
        value=tr(interaction, days, count=stats.longest_streak),
    )
    embed.add_field(
        name=tr(interaction, "stats.this_month", month=stats.month),
        value=tr(
            interaction,
            "stats.month_value",
            entries=f"{stats.entries_this_month:,}",
            characters=f"{stats.characters_this_month:,}",
        ),
        inline=False,
    )
    if stats.last_published_at is not None:
        embed.add_field(
            name=tr(interaction, "stats.last"),
            value=discord.utils.format_dt(stats.last_published_at, "R"),
            inline=False,
        )
    embed.set_footer(text=tr(interaction, "stats.footer", timezone=stats.timezone))
    return embed


def year_file(interaction: Interaction, name: str, overview: Overview) -> discord.File:
    """The calendar of the last 12 months as an attachment, with alt text."""
    alt = tr(
        interaction,
        "stats.picture_alt",
        name=name,
        days=f"{overview.picture.active_days:,}",
        streak=overview.stats.current_streak,
        timezone=overview.stats.timezone,
    )
    return discord.File(
        io.BytesIO(overview.picture.png),
        filename="year.png",
        description=cut(alt, ATTACHMENT_DESCRIPTION),
    )
