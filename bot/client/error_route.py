"""The one error route: every failure of a command, button or editor is answered here."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord import app_commands

from bot import i18n
from bot.client.replies import reply
from bot.errors import UserFacingError

log = logging.getLogger(__name__)


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """The one error route: a localized, ephemeral explanation; a traceback in the log only
    for errors we did not expect."""
    original: BaseException = error
    # discord.py wraps what a command, transformer or check raised: answer the cause.
    while isinstance(original, app_commands.AppCommandError) and original.__cause__ is not None:
        original = original.__cause__
    locale = str(interaction.locale)
    if interaction.client.is_closed():
        # Shutting down: the HTTP session is gone, and the interaction will expire unanswered.
        log.warning("interaction %s interrupted by shutdown: %r", interaction.id, original)
        return
    if isinstance(original, UserFacingError):
        text = i18n.t(locale, original.key, **original.values)
        log.info("user-facing error for %s: %s", interaction.user.id, original.key)
    elif isinstance(original, app_commands.NoPrivateMessage):
        text = i18n.t(locale, "error.guild_only")
    else:
        log.error("unexpected error in interaction %s", interaction.id, exc_info=original)
        text = i18n.t(locale, "error.unexpected")
    try:
        await reply(interaction, text)
    except (discord.HTTPException, aiohttp.ClientError, OSError, RuntimeError) as failure:
        # Expired interaction, Discord unreachable, or the session closing under a shutdown.
        log.warning(
            "could not deliver the error message for interaction %s: %r", interaction.id, failure
        )
