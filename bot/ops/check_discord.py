"""The Discord part of `diary-bot check`: the token, the development server and every
announcement channel the bot will post in."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ops.discord_probe import (
    BotIdentity,
    DiscordProbe,
    ProbeError,
    permission_names,
    required_permissions,
)
from bot.ops.report import Outcome, Report, failed, passed, skipped, warned
from bot.settings import Settings

TOKEN_FIX = "Developer Portal → your application → Bot → Reset Token; put it in DISCORD_TOKEN"
NETWORK_FIX = "check this machine's network, DNS and firewall (HTTPS to discord.com)"


async def check_discord(
    settings: Settings, channels: Sequence[tuple[int, str]], report: Report
) -> None:
    """Check the token, DISCORD_GUILD_ID (or, without it, that the bot is not public) and
    `channels` ((id, where it is configured))."""
    report.section("Discord")
    async with DiscordProbe(settings.discord_token) as probe:
        try:
            me = await probe.login()
        except ProbeError as error:
            report.add(_token_failure(error))
            report.add(skipped("announcement channel", "not checked without a working token"))
            return
        report.add(passed("Discord token", f"valid (bot {me.name}, id {me.id})"))
        for guild_id in settings.discord_guild_ids:
            report.add(await _served_server(probe, guild_id))
        if not settings.discord_guild_ids:
            report.add(await _public_bot(probe))
        if not channels:
            report.add(
                skipped(
                    "announcement channel",
                    "none set, so new entries are not announced (set ANNOUNCE_CHANNEL_ID, "
                    "or /diary-admin config announce_channel in the server)",
                )
            )
        for channel_id, source in channels:
            report.add(await _channel(probe, me, channel_id, source))


def _token_failure(error: ProbeError) -> Outcome:
    if error.kind == "unauthorized":
        return failed("Discord token", f"rejected ({error.detail})", TOKEN_FIX)
    if error.kind == "unreachable":
        return failed("Discord", f"no answer ({error.detail})", NETWORK_FIX)
    return failed("Discord token", f"could not be checked ({error.detail})", NETWORK_FIX)


async def _public_bot(probe: DiscordProbe) -> Outcome:
    what = "who may add the bot"
    try:
        public = await probe.application_public()
    except ProbeError as error:
        return failed(what, f"could not be checked ({error.detail})", NETWORK_FIX)
    if public:
        return warned(
            what,
            "anyone: the application is public and DISCORD_GUILD_ID is not set, so any server "
            "that adds the bot can write to the diary",
            'Developer Portal → your application → Bot → turn "Public Bot" off, or set '
            "DISCORD_GUILD_ID to the servers the bot serves",
        )
    return passed(what, 'only you ("Public Bot" is off); the bot serves every server it is in')


async def _served_server(probe: DiscordProbe, guild_id: int) -> Outcome:
    what = f"server {guild_id} (DISCORD_GUILD_ID)"
    try:
        name = await probe.guild_name(guild_id)
    except ProbeError as error:
        if error.kind in ("not_found", "forbidden"):
            return failed(
                what,
                f"the bot is not a member ({error.detail})",
                "add the bot with the link from `diary-bot invite`, or correct DISCORD_GUILD_ID",
            )
        return failed(what, f"could not be checked ({error.detail})", NETWORK_FIX)
    return passed(what, f"the bot is a member of {name}")


async def _channel(probe: DiscordProbe, me: BotIdentity, channel_id: int, source: str) -> Outcome:
    what = f"announcement channel {channel_id} ({source})"
    needed = ", ".join(label for label, _ in required_permissions())
    try:
        access = await probe.channel_access(channel_id, me.id)
    except ProbeError as error:
        if error.kind == "not_found":
            return failed(
                what,
                f"Discord knows no such channel ({error.detail})",
                f"copy the channel's id again (Developer Mode on, right-click the channel → "
                f"Copy Channel ID) and set it in {source}",
            )
        if error.kind == "forbidden":
            return failed(
                what,
                f"the bot cannot see it ({error.detail})",
                f"add the bot to that server (`diary-bot invite`) and allow it {needed} "
                "in the channel",
            )
        return failed(what, f"could not be checked ({error.detail})", NETWORK_FIX)
    what = f"announcement channel #{access.name} ({channel_id}, {source})"
    if access.kind is None:
        return failed(
            what, "not a text or announcement channel", f"choose a text channel in {source}"
        )
    if access.missing:
        lacking = ", ".join(access.missing)
        return failed(
            what,
            f"in {access.guild_name} the bot lacks {lacking}",
            f"channel settings → Permissions: allow {lacking} for the bot's role "
            f"({me.name}) or the bot itself",
        )
    return passed(
        what, f"in {access.guild_name}: {', '.join(permission_names(access.permissions))}"
    )
