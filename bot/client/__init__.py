"""The Discord side of the bot (the only package besides cogs/ that imports discord):

- `diary_bot`: DiaryBot, its start-up, health and shutdown;
- `commands_tree`: the gate every command passes, translations, syncing only on change;
- `error_route`: the one error route (`report_error`);
- `replies`: replies that fit Discord's limits and ping nobody;
- `guilds`: the servers served (DISCORD_GUILD_ID), members and channels for the services;
- `posting`: announcements and reminders posted with their stored nonces.
"""

from __future__ import annotations

from bot.client.commands_tree import DiaryTranslator
from bot.client.diary_bot import EXTENSIONS, INTERACTION_TASKS, DiaryBot
from bot.client.error_route import report_error
from bot.client.replies import NO_MENTIONS, fit_embed, fit_message, reply

__all__ = [
    "EXTENSIONS",
    "INTERACTION_TASKS",
    "NO_MENTIONS",
    "DiaryBot",
    "DiaryTranslator",
    "fit_embed",
    "fit_message",
    "reply",
    "report_error",
]
