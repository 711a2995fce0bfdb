"""The bot: start-up (translations, cogs, command sync, workers), health, and a shutdown that
lets replies under way finish. What it does for the services is in `guilds` and `posting`."""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import discord
from discord.ext import commands

from bot import startup
from bot.app import Services
from bot.client.commands_tree import (
    DiaryTranslator,
    DiaryTree,
    InteractionGate,
    KeyValues,
    sync_commands_if_changed,
)
from bot.client.guilds import ServedGuilds
from bot.client.posting import Posting
from bot.client.replies import NO_MENTIONS
from bot.errors import LoginRejected
from bot.health import Heartbeat

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.drafts", "cogs.entries", "cogs.diary")
# On shutdown, how long replies under way may take; within the 10 s a service manager allows.
INTERACTION_GRACE_SECONDS = 3.0
# Names discord.py gives the tasks that run interaction handlers (editors are answered by
# `on_interaction` listeners, which run as event tasks).
INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-modal-dispatch",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
    "discord.py: on_interaction",
)


class DiaryBot(ServedGuilds, Posting, commands.Bot):
    """The bot: it implements the services' Discord ports, and holds the services built for it."""

    def __init__(
        self,
        services: Callable[[DiaryBot], Services],
        *,
        command_hashes: KeyValues,
        guild_ids: tuple[int, ...] = (),
        heartbeat_file: Path | None = None,
        service_env: Mapping[str, str] | None = None,
    ) -> None:
        """`services` wires the services and workers with this bot as their Discord ports
        (once, here). `command_hashes`: where the synced commands' fingerprint is kept.
        `service_env`: the service manager's variables (NOTIFY_SOCKET, WATCHDOG_USEC)."""
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles of our servers; nothing privileged
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=DiaryTree,
            allowed_mentions=NO_MENTIONS,
        )
        self._guild_ids = guild_ids  # the servers served (commands synced there); () = all
        self._command_hashes = command_hashes
        self._stopping = asyncio.Event()
        self._heartbeat = Heartbeat(self.healthy, heartbeat_file, env=service_env or {})
        # Decides whether an application command (or its autocomplete) runs; see DiaryTree.
        self.gate: InteractionGate = self._served_only
        self.services = services(self)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's event dispatch, minus the `interaction` event of everything but modal
        submissions: those are all the cogs' `on_interaction` listeners handle (editors,
        cogs/_editors.py), and dispatching it would start a task per listener for every
        command and button press (commands and buttons reach their handlers without it)."""
        if event_name == "interaction" and not _is_modal_submission(args):
            return
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        # Runs again when a start-up attempt failed after logging in (network lost while
        # syncing): what is already done is not done twice.
        if self.tree.translator is None:
            await self.tree.set_translator(DiaryTranslator())
        for extension in EXTENSIONS:
            if extension not in self.extensions:
                await self.load_extension(extension)
        if self._guild_ids:
            for guild_id in self._guild_ids:
                await sync_commands_if_changed(self, self._command_hashes, guild_id)
        else:
            self._warn_if_public()
            await sync_commands_if_changed(self, self._command_hashes, None)
        self.services.start()
        self._heartbeat.start()

    def healthy(self) -> bool:
        """Connected to the gateway (ready, with a measured latency) and every worker runs."""
        return (
            self.is_ready()
            and not self.is_closed()
            and math.isfinite(self.latency)
            and self.services.alive()
        )

    async def serve(self, token: str, *, retry_cap: float = startup.MAX_RETRY_SECONDS) -> None:
        """Log in (waiting while Discord cannot be reached) and run until closed;
        LoginRejected when Discord refuses the token."""
        # Importing the feature packages is the longest stretch of start-up without a yield
        # (50-150 ms): done here, before logging in, nothing runs on the loop yet (inside
        # setup_hook the stall monitor and the login's own tasks waited for it);
        # load_extension then finds them imported.
        for extension in EXTENSIONS:
            importlib.import_module(extension)
        try:
            async with self:
                logged_in = await startup.until_reachable(
                    lambda: self.login(token),
                    host=urlsplit(discord.http.Route.BASE).hostname or "discord.com",
                    cap=retry_cap,
                    stopped=self._stopping,
                    server_errors=(discord.DiscordServerError,),
                )
                if logged_in and not self.is_closed():
                    # discord.py's gateway connection reconnects by itself from here on.
                    await self.connect(reconnect=True)
        except discord.LoginFailure:
            raise LoginRejected from None

    async def close(self) -> None:
        """Stop taking work, let interactions in flight answer (briefly), stop the workers,
        then disconnect."""
        self._stopping.set()
        await self._heartbeat.stop()
        await _finish_interactions(INTERACTION_GRACE_SECONDS)
        await self.services.stop()
        await super().close()


async def _finish_interactions(seconds: float) -> None:
    """Wait for discord.py's tasks that handle interactions (commands, autocomplete, buttons,
    modals), so replies already under way are not cut off by the closing HTTP session."""
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current and task.get_name().startswith(INTERACTION_TASKS)
    ]
    if running:
        await asyncio.wait(running, timeout=seconds)


def _is_modal_submission(args: tuple[Any, ...]) -> bool:
    interaction = args[0] if args else None
    return getattr(interaction, "type", None) is discord.InteractionType.modal_submit
