"""Entry point and composition root: `python -m bot` or `diary-bot`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from dotenv import load_dotenv

from bot.connection_settings import ConnectionSettings
from bot.errors import ConfigError, LoginRejected
from bot.health import STALE_AFTER_SECONDS
from bot.settings import README_HINT, Settings

if TYPE_CHECKING:
    from bot.app import Services
    from bot.client import DiaryBot
    from bot.services.clock import Clock, SystemClock
    from bot.services.connections import ConnectionService
    from bot.store import Store

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_LOGIN = 1
EXIT_IN_USE = 1

# A part of the configuration (Settings, ConnectionSettings) read by _config_or_exit.
ConfigT = TypeVar("ConfigT")


async def run(settings: Settings, connections: ConnectionSettings | None = None) -> int:
    """Run the bot while holding the database's lock (see `bot.store.lock`); the exit status."""
    from bot.store.lock import DatabaseInUse, hold_database

    try:
        with hold_database(settings.database_path):
            return await _serve(settings, connections or ConnectionSettings())
    except DatabaseInUse:
        log.error(
            "%s is in use by another diary-bot (or a restore): only one may use it at a time.",
            settings.database_path,
        )
        return EXIT_IN_USE


async def _serve(settings: Settings, connections: ConnectionSettings) -> int:
    """Open the store, wire services and the client, run until stopped; the exit status."""
    from bot.client import DiaryBot
    from bot.health import heartbeat_file
    from bot.services.clock import SystemClock
    from bot.startup import retry_cap
    from bot.store import Store

    store = await Store.open(settings.database_path)
    # Announcements from before migration 0022 were all of the server diary.
    await store.watching.claim_server_diary(settings.github_repository)
    clock = SystemClock()
    diaries = _connection_service(settings, connections, store, clock)
    bot = DiaryBot(
        compose(settings, store, clock, diaries),
        command_hashes=store.settings,
        guild_ids=settings.discord_guild_ids,
        heartbeat_file=heartbeat_file(os.environ),
        service_env={
            name: os.environ[name]
            for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC")
            if name in os.environ
        },
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        await bot.serve(settings.discord_token, retry_cap=retry_cap(os.environ))
    except LoginRejected:
        log.error("Discord rejected DISCORD_TOKEN: reset the bot token in the developer portal.")
        return EXIT_LOGIN
    finally:
        await store.close()
        log.info("stopped")
    return 0


def compose(
    settings: Settings,
    store: Store,
    clock: Clock,
    diaries: ConnectionService | None = None,
    *,
    seconds_between_writes: float | None = None,
) -> Callable[[DiaryBot], Services]:
    """The one composition of the bot, used by `diary-bot` and by the cog tests alike: the
    GitHub gateways (the server diary's, and members' own with their tokens, sharing its
    PyGithub threads) and, for a client (their Discord ports), the services and workers.
    `diaries`: members' connections (None: none, as without the GitHub App);
    `seconds_between_writes`: GitHub's pause between writes (None: the gateway's own)."""
    from bot.app import Services
    from bot.github_gateway import GitHubGateway
    from bot.github_gateways import Credentials, GatewayPool
    from bot.services.connections import ConnectionService

    pacing = (
        {} if seconds_between_writes is None else {"seconds_between_writes": seconds_between_writes}
    )
    gateway = GitHubGateway(
        settings.github_token, settings.github_repository, settings.github_api_url, **pacing
    )
    if diaries is None:
        diaries = ConnectionService(store.connections, clock)

    def member_gateway(repository: str, credentials: Credentials) -> GitHubGateway:
        """A member's own repository, with their user token; PyGithub threads shared."""
        return GitHubGateway(
            None,
            repository,
            settings.github_api_url,
            credentials=credentials,
            threads=gateway.threads,
            **pacing,
        )

    gateways = GatewayPool(
        gateway,
        settings.github_repository,
        member_gateway if diaries.enabled else None,
        diaries if diaries.enabled else None,
    )

    def services(client: DiaryBot) -> Services:
        """The services and workers, with the client as their Discord ports."""
        return Services.build(
            settings,
            store,
            gateway,
            client,
            client,
            clock,
            ready=client.wait_until_ready,
            members=client.member_facts,
            connections=diaries,
            gateways=gateways,
        )

    return services


def _connection_service(
    settings: Settings, connections: ConnectionSettings, store: Store, clock: SystemClock
) -> ConnectionService:
    """Members' own diaries: enabled only with the GitHub App's client id and the key."""
    from bot.github_sign_in import GitHubSignIn
    from bot.services.connections import ConnectionService
    from bot.token_cipher import TokenCipher

    if not connections.enabled:
        return ConnectionService(store.connections, clock)
    assert connections.client_id is not None and connections.encryption_key is not None
    sign_in = GitHubSignIn(
        connections.client_id,
        connections.client_secret,
        connections.web_url,
        settings.github_api_url,
    )
    return ConnectionService(
        store.connections,
        clock,
        sign_in,
        TokenCipher(connections.encryption_key),
        install_url=connections.install_url,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Load `.env`, then run the bot (no subcommand) or one of the `diary-bot` subcommands."""
    args = _parser().parse_args(argv)
    load_env_file()
    load_credentials(os.environ)
    from bot.logs import setup_logging

    if args.command in ("backup", "export", "import", "restore"):
        setup_logging("WARNING", ())
        database = args.database or _database_path(os.environ)
        sys.exit(asyncio.run(_database_command(args.command, database, args.path)))
    if args.command == "health":
        from bot.health import heartbeat_file, run_health

        sys.exit(run_health(heartbeat_file(os.environ), args.max_age))
    if args.command == "invite":
        from bot.ops.invite import run_invite

        token = os.environ.get("DISCORD_TOKEN", "").strip() or None
        setup_logging("WARNING", (token,) if token else ())
        sys.exit(asyncio.run(run_invite(token, args.client_id)))
    if args.command == "keygen":
        from bot.token_cipher import new_key

        print(new_key())
        sys.exit(0)
    settings = _config_or_exit(Settings.from_env)
    connections = _config_or_exit(ConnectionSettings.from_env)
    if args.command == "check":
        from bot.ops.check import run_check

        setup_logging("WARNING", (*settings.secrets(), *connections.secrets()), settings.log_format)
        sys.exit(asyncio.run(run_check(settings, connections=connections)))
    setup_logging(
        settings.log_level,
        (*settings.secrets(), *connections.secrets()),
        settings.log_format,
        discord_wire=settings.log_discord_wire,
    )
    sys.exit(asyncio.run(run(settings, connections)))


# systemd credentials (LoadCredential=NAME:PATH in deploy/diary-bot.service) by variable.
CREDENTIALS = {
    "DISCORD_TOKEN": "discord-token",
    "GITHUB_TOKEN": "github-token",
    "WEBHOOK_SECRET": "webhook-secret",
    "GITHUB_APP_CLIENT_SECRET": "github-app-client-secret",
    "TOKEN_ENCRYPTION_KEY": "token-encryption-key",
}


def load_credentials(env: MutableMapping[str, str]) -> None:
    """Fill secrets that are not set from systemd's credentials ($CREDENTIALS_DIRECTORY)."""
    directory = env.get("CREDENTIALS_DIRECTORY", "").strip()
    if not directory:
        return
    for variable, name in CREDENTIALS.items():
        path = Path(directory) / name
        if not env.get(variable, "").strip() and path.is_file():
            env[variable] = path.read_text("utf-8").strip()


def load_env_file() -> None:
    """Load `.env` from the working directory only, as the README says: not from beside this
    file (site-packages once installed) nor from a parent folder (a stray `/.env` under systemd
    or Docker must not configure the bot). Real environment variables win."""
    load_dotenv(Path.cwd() / ".env", override=False)


def _config_or_exit(read: Callable[[Mapping[str, str]], ConfigT]) -> ConfigT:
    """One part of the configuration read from the environment, or exit 2 with one line per
    problem."""
    try:
        return read(os.environ)
    except ConfigError as error:
        print("diary-bot cannot start; the configuration has problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"Set them in the environment or in a .env file. {README_HINT}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def _database_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("DATABASE_PATH", "").strip() or Settings.database_path)


async def _database_command(command: str, database: Path, path: Path) -> int:
    if command == "backup":
        from bot.ops.backup import run_backup

        return await run_backup(database, path)
    if command == "restore":
        from bot.ops.restore import run_restore

        return await run_restore(database, path)
    from bot.ops.export import run_export, run_import

    if command == "export":
        return await run_export(database, path)
    return await run_import(database, path)


def _version() -> str:
    """The installed package's version (the source tree's, when run uninstalled)."""
    try:
        return metadata.version("diary-bot")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diary-bot",
        usage="%(prog)s [-h] [COMMAND] [ARGS]",
        description="Run the diary bot (no command), or one of the commands below. "
        "Configuration comes from the environment and a .env file (see README.md).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "check",
        help="check the configuration, tokens, permissions and database; exit 0 if all pass",
    )
    health = commands.add_parser(
        "health",
        help="exit 0 if the running bot's heartbeat (HEARTBEAT_FILE) is fresh, else 1",
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=STALE_AFTER_SECONDS,
        help=f"seconds after which the heartbeat is stale (default {STALE_AFTER_SECONDS:g})",
    )
    commands.add_parser(
        "keygen", help="print a new TOKEN_ENCRYPTION_KEY (seals members' GitHub tokens)"
    )
    invite = commands.add_parser("invite", help="print the link that adds the bot to a server")
    invite.add_argument(
        "--client-id", type=int, help="the application id (else asked from Discord)"
    )
    for name, help_text, path_help in (
        ("backup", "copy the database safely while the bot runs", "file or folder to write"),
        (
            "restore",
            "put a backup in place of the database (the bot must be stopped)",
            "backup file to restore",
        ),
        ("export", "write every draft as Markdown plus one JSON file", "new or empty folder"),
        ("import", "load an export into a new, empty database", "folder written by export"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "path",
            type=Path,
            metavar={"backup": "PATH", "restore": "BACKUP"}.get(name, "DIR"),
            help=path_help,
        )
        command.add_argument("--database", type=Path, help="database file (default: DATABASE_PATH)")
    return parser


if __name__ == "__main__":
    main()
