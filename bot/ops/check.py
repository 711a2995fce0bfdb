"""`diary-bot check`: is everything in place for the bot to work? One line per check, ✓ or ✗,
and for each ✗ what to do. Exit status 0 only if nothing failed. Never prints a token."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.connection_settings import ConnectionSettings
from bot.ops.check_app import check_app
from bot.ops.check_discord import check_discord
from bot.ops.check_github import check_github
from bot.ops.report import Outcome, Report, failed, passed
from bot.settings import Settings
from bot.store import Store
from bot.store.export import DatabaseInfo, inspect_database

EXIT_OK = 0
EXIT_FAILED = 1


async def run_check(
    settings: Settings,
    out: TextIO = sys.stdout,
    connections: ConnectionSettings | None = None,
) -> int:
    """Run every check against the real services; the exit status."""
    connections = connections or ConnectionSettings()
    report = Report(out, (*settings.secrets(), *connections.secrets()))
    report.section("Configuration")
    report.add(passed("configuration", _configuration(settings)))
    database = await inspect_database(settings.database_path)
    channels = await _announcement_channels(settings, database)
    await check_discord(settings, channels, report)
    await check_github(settings, report)
    await check_app(connections, settings.github_api_url, settings.database_path, report)
    report.section("Database")
    report.add(_database(database))
    report.summary()
    return EXIT_FAILED if report.failures else EXIT_OK


def _configuration(settings: Settings) -> str:
    optional = [
        f"ANNOUNCE_CHANNEL_ID {settings.announce_channel_id or 'not set'}",
        "DISCORD_GUILD_ID "
        + (", ".join(map(str, settings.discord_guild_ids)) or "not set (every server)"),
        f"POLL_INTERVAL {settings.poll_interval:g} s" if settings.poll_interval else "watcher off",
        f"LOG_FORMAT {settings.log_format}",
    ]
    return "required variables set, every value well-formed (" + "; ".join(optional) + ")"


async def _announcement_channels(
    settings: Settings, database: DatabaseInfo
) -> list[tuple[int, str]]:
    """Every channel the bot may announce in: the default and each server's choice."""
    channels: dict[int, str] = {}
    if settings.announce_channel_id is not None:
        channels[settings.announce_channel_id] = "ANNOUNCE_CHANNEL_ID"
    # Only a current database is opened (opening never migrates it then).
    if database.exists and database.writable and database.schema_version == database.latest_version:
        store = await Store.open(settings.database_path)
        try:
            for guild in await store.settings.list_guild_settings():
                if guild.announce_channel_id is not None:
                    channels.setdefault(
                        guild.announce_channel_id, f"/diary-admin config in server {guild.guild_id}"
                    )
        finally:
            await store.close()
    return list(channels.items())


def _database(info: DatabaseInfo) -> Outcome:
    what = f"database {info.path}"
    ownership = "the bot's user needs write access to the file and its folder"
    if not info.exists:
        if info.writable:
            return passed(what, "does not exist yet; diary-bot creates it at start")
        return failed(what, "its folder is not writable", f"create the folder; {ownership}")
    if not info.writable:
        return failed(what, f"cannot be opened for writing ({info.error})", ownership)
    version = f"schema version {info.schema_version}"
    if info.schema_version > info.latest_version:
        return failed(
            what,
            f"{version} is newer than this diary-bot knows ({info.latest_version})",
            "run the newer diary-bot that wrote it, or restore a backup",
        )
    if info.schema_version < info.latest_version:
        return passed(
            what, f"writable; {version}, migrated to {info.latest_version} at the next start"
        )
    return passed(what, f"writable; {version} (current)")
