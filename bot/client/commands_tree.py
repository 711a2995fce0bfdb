"""The command tree: the gate every command passes, the error route, translations from the
catalogues, and syncing the commands only when they changed."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.client.error_route import report_error
from bot.errors import NotAllowed

log = logging.getLogger(__name__)

COMMANDS_HASH_KEY = "commands_hash"
MISSING_ACCESS = 50001  # Discord's code for a server the bot is not in

InteractionGate = Callable[[discord.Interaction], Awaitable[bool]]


class Gated(Protocol):
    """The client as the tree sees it: it holds the gate (see `DiaryTree`)."""

    gate: InteractionGate


class KeyValues(Protocol):
    """Where the last synced definitions' fingerprint is kept."""

    async def get_value(self, key: str) -> str | None: ...

    async def set_value(self, key: str, value: str) -> None: ...


class DiaryTranslator(app_commands.Translator):
    """Fills `name_localizations`/`description_localizations` from the catalogues."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        language = i18n.language_of(locale.value)
        if key is None or language == i18n.DEFAULT_LANGUAGE or locale.value != language:
            return None
        return i18n.catalogue(language).get(key)


class DiaryTree(app_commands.CommandTree):
    """The tree of a client that holds a `gate` (DiaryBot)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every command, context menu and autocomplete passes the client's gate (the cogs
        install the access check there: discord.py skips cogs' checks for autocomplete)."""
        client: Gated = interaction.client  # type: ignore[assignment]
        try:
            return await client.gate(interaction)
        except NotAllowed as refused:  # as a check failure, so it reaches `on_error`
            raise app_commands.CheckFailure(refused.key) from refused

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)


async def sync_commands_if_changed(
    bot: commands.Bot, store: KeyValues, guild_id: int | None
) -> None:
    """Discord rate-limits syncs: sync only when the definitions changed since last time.
    A listed server the bot is not in yet is logged and skipped (synced at a later start)."""
    guild = discord.Object(guild_id) if guild_id is not None else None
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    definitions = [command.to_dict(bot.tree) for command in bot.tree.get_commands(guild=guild)]
    fingerprint = json.dumps(
        {
            "target": guild_id,
            "application": bot.application_id,
            "commands": definitions,
            "catalogues": [i18n.catalogue(language) for language in i18n.LANGUAGES],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    key = COMMANDS_HASH_KEY if guild_id is None else f"{COMMANDS_HASH_KEY}:{guild_id}"
    if await store.get_value(key) == digest:
        log.info("application commands unchanged; not syncing")
        return
    try:
        synced = await bot.tree.sync(guild=guild)
    except discord.Forbidden as error:
        if error.code != MISSING_ACCESS:
            raise
        log.warning(
            "server %d (DISCORD_GUILD_ID): the bot is not in it, so its commands are not "
            "there yet; add the bot with the link from `diary-bot invite`, then restart",
            guild_id,
        )
        return
    await store.set_value(key, digest)
    log.info(
        "synced %d application command(s) %s",
        len(synced),
        f"to server {guild_id}" if guild else "globally",
    )
