"""Entry point and composition root: `python -m bot` or `diary-bot`."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from dotenv import load_dotenv

from bot.errors import ConfigError
from bot.settings import README_HINT, Settings

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_LOGIN = 1


async def run(settings: Settings) -> int:
    """Open the store, wire services and the client, run until stopped; the exit status."""
    import discord

    from bot.app import Services
    from bot.client import DiaryBot
    from bot.github_gateway import GitHubGateway
    from bot.services.clock import SystemClock
    from bot.store import Store

    store = await Store.open(settings.database_path)
    bot = DiaryBot(guild_id=settings.discord_guild_id)
    gateway = GitHubGateway(
        settings.github_token, settings.github_repository, settings.github_api_url
    )
    services = Services.build(
        settings, store, gateway, bot, bot, SystemClock(), ready=bot.wait_until_ready
    )
    bot.attach(services)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(settings.discord_token)
    except discord.LoginFailure:
        log.error("Discord rejected DISCORD_TOKEN: reset the bot token in the developer portal.")
        return EXIT_LOGIN
    finally:
        await store.close()
        log.info("stopped")
    return 0


def main() -> None:
    """Load `.env`, read the configuration, and run the bot."""
    load_dotenv()
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        print("diary-bot cannot start; the configuration has problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"Set them in the environment or in a .env file. {README_HINT}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.secrets())
    sys.exit(asyncio.run(run(settings)))


if __name__ == "__main__":
    main()
