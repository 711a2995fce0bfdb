"""How `/diary-admin status` looks: one embed, in the member's language."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot import i18n
from bot.byte_sizes import format_size
from bot.limits import EMBED_DESCRIPTION, EMBED_TOTAL
from bot.services.connection_overview import ConnectionsOverview, DiaryConnection
from bot.services.status import FAILED_PREFIX, StatusReport
from cogs._common import Interaction, tr


def status_embeds(interaction: Interaction, report: StatusReport) -> list[discord.Embed]:
    """The status embed, and the server's connected diaries in a second one when there are
    any (or members may connect): both within the 6,000 characters a message's embeds share."""
    status = status_embed(interaction, report)
    diaries = report.diaries
    if diaries is None or not (diaries.enabled or diaries.counts.connected):
        return [status]
    return [status, diaries_embed(interaction, diaries, EMBED_TOTAL - len(status))]


def diaries_embed(
    interaction: Interaction, overview: ConnectionsOverview, budget: int
) -> discord.Embed:
    """Counts first, then a line per listed diary (failing ones come first) while they fit
    `budget` characters; the diaries left out are counted in the last line."""
    embed = discord.Embed(title=tr(interaction, "status.diaries"), colour=discord.Colour.blurple())
    counts = overview.counts
    if counts.connected == 0:
        embed.description = tr(interaction, "status.diaries_none")
        return embed
    summary = tr(interaction, "status.diaries_count", count=counts.connected)
    if counts.failing:
        summary += tr(interaction, "status.diaries_failing", count=counts.failing)
        embed.colour = discord.Colour.orange()
    if counts.without_repository:
        summary += tr(interaction, "status.diaries_unchosen", count=counts.without_repository)
    room = min(EMBED_DESCRIPTION, budget - len(embed.title or ""))
    lines = [summary]
    shown = 0
    for diary in overview.diaries:
        line = _diary_line(interaction, diary)
        rest = counts.connected - shown - 1
        more = tr(interaction, "status.diaries_more", count=rest) if rest else ""
        if len("\n".join([*lines, line, more])) > room:
            break
        lines.append(line)
        shown += 1
    if counts.connected > shown:
        lines.append(tr(interaction, "status.diaries_more", count=counts.connected - shown))
    embed.description = "\n".join(lines)
    return embed


def _diary_line(interaction: Interaction, diary: DiaryConnection) -> str:
    login = discord.utils.escape_markdown(diary.login)
    if diary.repository is None:
        where = tr(interaction, "status.diary_unchosen", login=login)
    else:
        repository = discord.utils.escape_markdown(diary.repository)
        where = tr(interaction, "status.diary_repository", repository=repository, login=login)
    if diary.failure is not None:
        key = f"status.diary_failure.{diary.failure}"
        if key not in i18n.catalogue("en"):
            key = "status.diary_failure.other"
        since = int(diary.failed_at.timestamp()) if diary.failed_at else None
        state = tr(interaction, key, since=since)
    elif diary.next_refresh_at is not None:
        state = tr(interaction, "status.diary_refresh", time=int(diary.next_refresh_at.timestamp()))
    else:
        state = tr(interaction, "status.diary_no_expiry")
    return f"<@{diary.user_id}> — {where} · {state}"


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
