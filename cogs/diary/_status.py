"""How `/diary-admin status` looks: one embed, in the member's language."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot import i18n
from bot.byte_sizes import format_size
from bot.services.status import FAILED_PREFIX, StatusReport
from cogs._common import Interaction, tr


def status_embed(interaction: Interaction, report: StatusReport) -> discord.Embed:
    """The report as an embed; times use Discord's own timestamp markup, which every client
    shows in its own time zone and language."""
    embed = discord.Embed(title=tr(interaction, "status.title"), colour=discord.Colour.blurple())
    embed.add_field(
        name=tr(interaction, "status.version"),
        value=tr(
            interaction,
            "status.version_value",
            version=report.version,
            uptime=_duration(interaction, report.uptime),
        ),
        inline=False,
    )
    latency = (
        tr(interaction, "status.latency_value", ms=round(report.latency * 1000))
        if report.latency is not None
        else tr(interaction, "status.latency_unknown")
    )
    embed.add_field(name=tr(interaction, "status.latency"), value=latency, inline=False)
    jobs = report.jobs
    for name, pending, retrying, failed in (
        ("status.publish", jobs.publish_pending, jobs.publish_retrying, jobs.publish_failed),
        ("status.announce", jobs.announce_pending, jobs.announce_retrying, jobs.announce_failed),
    ):
        embed.add_field(
            name=tr(interaction, name),
            value=tr(
                interaction,
                "status.jobs_value",
                pending=pending,
                retrying=retrying,
                failed=failed,
            ),
            inline=False,
        )
    embed.add_field(
        name=tr(interaction, "status.watcher"), value=_watcher(interaction, report), inline=False
    )
    embed.add_field(
        name=tr(interaction, "status.rate_limit"),
        value=_rate_limit(interaction, report),
        inline=False,
    )
    embed.add_field(
        name=tr(interaction, "status.token"), value=_token(interaction, report), inline=False
    )
    embed.add_field(
        name=tr(interaction, "status.database"),
        value=format_size(report.database_bytes),
        inline=False,
    )
    if report.token_expiring and report.token_expires_at is not None:
        # Admins are told first thing, from a week before the token stops working.
        embed.description = _token(interaction, report)
        embed.colour = discord.Colour.orange()
    return embed


def _token(interaction: Interaction, report: StatusReport) -> str:
    if report.token_expires_at is None:
        return tr(interaction, "status.token_no_expiry")
    time = int(report.token_expires_at.timestamp())
    key = "status.token_expiring" if report.token_expiring else "status.token_expires"
    return tr(interaction, key, time=time)


def _watcher(interaction: Interaction, report: StatusReport) -> str:
    watcher = report.watcher
    if not watcher.enabled:
        return tr(interaction, "status.watcher_off")
    if watcher.last_poll_at is None:
        return tr(interaction, "status.watcher_no_poll")
    return tr(
        interaction,
        "status.watcher_value",
        time=int(watcher.last_poll_at.timestamp()),
        result=_poll_result(interaction, watcher.last_result or ""),
    )


def _poll_result(interaction: Interaction, result: str) -> str:
    """The watcher's last result in the member's language."""
    if result.startswith(FAILED_PREFIX):
        key = result.removeprefix(FAILED_PREFIX).removeprefix("github.")
        reason = f"status.watcher_error.{key}"
        if reason not in i18n.catalogue("en"):
            reason = "status.watcher_error.other"
        return tr(interaction, "status.watcher_failed", reason=tr(interaction, reason))
    key = f"status.watcher_result.{result}"
    return tr(interaction, key if key in i18n.catalogue("en") else "status.watcher_result.unknown")


def _rate_limit(interaction: Interaction, report: StatusReport) -> str:
    limit = report.rate_limit
    if limit is None:
        return tr(interaction, "status.rate_limit_unknown")
    if limit.reset_at is None:
        return tr(
            interaction,
            "status.rate_limit_no_reset",
            remaining=limit.remaining,
            limit=limit.limit,
        )
    return tr(
        interaction,
        "status.rate_limit_value",
        remaining=limit.remaining,
        limit=limit.limit,
        reset=int(limit.reset_at.timestamp()),
    )


def _duration(interaction: Interaction, span: timedelta) -> str:
    minutes = max(int(span.total_seconds()) // 60, 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return tr(interaction, "status.uptime_days", days=days, hours=hours)
    if hours:
        return tr(interaction, "status.uptime_hours", hours=hours, minutes=minutes)
    return tr(interaction, "status.uptime_minutes", minutes=minutes)
