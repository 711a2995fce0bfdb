"""Cog-level tests: the real bot in this process, with real services on a temporary database,
connected to the local fake Discord (and the fake GitHub). Each test builds a real
`discord.Interaction` from the payload the fake would send (as discord.py's own
tests/test_app_commands_invoke.py does) and runs it through the command tree; replies go over
HTTP to the fake, which records and checks them. No subprocess, no gateway round trip per
command: much faster than tests/e2e, which keeps the end-to-end paths."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
from discord import app_commands

from bot import i18n
from bot.__main__ import compose
from bot.client import INTERACTION_TASKS, DiaryBot
from bot.services.clock import Clock, SystemClock
from bot.services.connections import ConnectionService
from bot.settings import Settings
from tests.fakes.discord_interactions import Interaction as Recorded
from tests.fakes.discord_server import FakeDiscord, patch_discord_py


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """The local Discord, holding interactions for the test to run instead of sending them."""
    with FakeDiscord(settle=0) as fake, patch_discord_py(fake):
        fake.gateway_delivery = False
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)
    assert fake.unknown_routes == [], fake.unknown_routes


@pytest.fixture
def clock() -> Clock:
    """The services' clock (a test module may override it with a fake one)."""
    return SystemClock()


@pytest.fixture
def connections() -> ConnectionService | None:
    """Members' connections as the operator set them up: by default no GitHub App (a test
    module overrides this fixture to enable them)."""
    return None


@pytest.fixture
async def bot(store, fake_discord, fake_github, clock, connections) -> AsyncIterator[DiaryBot]:
    """The bot wired by bot/__main__.py's `compose`, as `diary-bot` wires it, with the test's
    collaborators (its clock and connections, the local GitHub, no pause between writes);
    logged in (commands synced, workers running) and connected to the fake's gateway (so
    servers, roles and channels are cached)."""
    world = fake_discord.world
    settings = Settings(
        discord_token=fake_discord.token,
        github_token="ghp_test",
        github_repository="alice/diary",
        github_api_url=fake_github.url,
        announce_channel_id=int(world.channel_ids["announcements"]),
        discord_guild_ids=(int(world.guild_id),),
    )
    services = compose(settings, store, clock, connections, seconds_between_writes=0)
    client = DiaryBot(services, command_hashes=store.settings, guild_ids=settings.discord_guild_ids)
    await client.login(fake_discord.token)
    connection = asyncio.create_task(client.connect(reconnect=False))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection, 5)


class Driver:
    """Runs interactions, built from the fake's payloads, through the bot's command tree."""

    def __init__(self, bot: DiaryBot, fake: FakeDiscord) -> None:
        self.bot = bot
        self.fake = fake

    async def slash(
        self,
        user: str,
        command: str,
        subcommand: str | None = None,
        options: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
        focused: str | None = None,
        channel: str = "writing",
    ) -> Recorded:
        """Run a slash command (or with `focused`, its autocomplete) to its end; the fake's
        record of it holds every reply."""
        recorded = self.fake.slash(
            user,
            command,
            subcommand,
            options,
            locale=locale,
            focused=focused,
            channel=channel,
            force=True,
        )
        await self.run(recorded)
        return recorded

    async def message_menu(self, user: str, name: str, message_id: str) -> Recorded:
        """Run a message context-menu command on a stored message to its end."""
        recorded = self.fake.message_command(user, name, message_id, force=True)
        await self.run(recorded)
        return recorded

    async def press(self, user: str, custom_id: str, message_id: str, **kw: Any) -> Recorded:
        """Press a button on a stored message, as the gateway would deliver it, to its end."""
        recorded = self.fake.button(user, custom_id, message_id, **kw)
        await self.deliver(recorded)
        return recorded

    async def submit(self, user: str, custom_id: str, fields: dict[str, Any]) -> Recorded:
        """Submit an editor (modal) by its custom_id, to its end."""
        recorded = self.fake.modal_submit(user, custom_id, fields)
        await self.deliver(recorded)
        return recorded

    async def deliver(self, *recorded: Recorded) -> None:
        """Hand interactions to discord.py as the gateway does (buttons to the view store,
        editors to the `on_interaction` listeners), all at once, and wait for their tasks."""
        before = asyncio.all_tasks()
        for each in recorded:
            self.bot._connection.parse_interaction_create(each.payload)  # type: ignore[arg-type]
        handling = [
            task
            for task in asyncio.all_tasks() - before
            if task.get_name().startswith(INTERACTION_TASKS)
        ]
        if handling:
            await asyncio.wait(handling, timeout=10)

    async def run(self, recorded: Recorded) -> None:
        """Build the `discord.Interaction` from its payload and let the tree handle it."""
        interaction = discord.Interaction(data=recorded.payload, state=self.bot._connection)
        try:  # as discord.py's CommandTree._from_interaction runs it
            await self.bot.tree._call(interaction)
        except app_commands.AppCommandError as error:
            await self.bot.tree._dispatch_error(interaction, error)


@pytest.fixture
def drive(bot, fake_discord) -> Driver:
    return Driver(bot, fake_discord)


def en(key: str, **values: Any) -> str:
    """The English catalogue's text, as a reply should show it."""
    return i18n.t("en-US", key, **values)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label → custom_id in a message."""
    return {
        item["label"]: item["custom_id"]
        for row in message.get("components", [])
        for item in row.get("components", [])
        if item.get("type") == 2
    }
