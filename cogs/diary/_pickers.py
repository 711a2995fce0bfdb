"""The announcement channel and author role of /diary-admin config, typed as text so that `-` can
clear them: autocomplete offers the server's text channels and roles (the value is the id),
and a name, a mention or an id typed by hand is found too."""

from __future__ import annotations

import re
from collections.abc import Iterable

import discord
from discord import app_commands

from bot.errors import InvalidInput
from bot.limits import CHOICE_NAME
from bot.services.server_settings import CLEAR
from cogs._common import Interaction, tr

CHOICES = 25
_MENTION = re.compile(r"<(?:#|@&)(\d{1,20})>")


def resolve_channel(interaction: Interaction, text: str) -> int | str:
    """The id of the text channel `text` names, or CLEAR; InvalidInput if there is none."""
    guild = interaction.guild
    return _resolve(guild.text_channels if guild else [], text, "#", "error.unknown_channel")


def resolve_role(interaction: Interaction, text: str) -> int | str:
    """The id of the role `text` names, or CLEAR; InvalidInput if there is none."""
    guild = interaction.guild
    return _resolve(guild.roles if guild else [], text, "@", "error.unknown_role")


def _resolve(
    items: Iterable[discord.abc.Snowflake], text: str, sigil: str, unknown: str
) -> int | str:
    text = text.strip()
    if text == CLEAR:
        return CLEAR
    found = _find(items, text.removeprefix(sigil))
    if found is None:
        raise InvalidInput(unknown, name=text[:60])
    return found


def channel_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's text channels whose name holds what was typed, and `-` to clear."""
    guild = interaction.guild
    channels = guild.text_channels if guild else []
    return _choices(interaction, [(f"#{c.name}", c.id) for c in channels], current, "#")


def role_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's roles (not those of bots and integrations) matching what was typed."""
    guild = interaction.guild
    roles = [r for r in (guild.roles if guild else []) if not r.managed]
    return _choices(interaction, [(f"@{r.name}", r.id) for r in roles], current, "@")


def _find(items: Iterable[discord.abc.Snowflake], text: str) -> int | None:
    """The id of the item with this mention, id or (case-insensitively) name."""
    items = list(items)
    match = _MENTION.fullmatch(text)
    wanted = match.group(1) if match else text
    if wanted.isdigit():
        for item in items:
            if str(item.id) == wanted:
                return item.id
    folded = text.casefold()
    for item in items:
        if getattr(item, "name", "").casefold() == folded:
            return item.id
    return None


def _choices(
    interaction: Interaction, named: list[tuple[str, int]], current: str, sigil: str
) -> list[app_commands.Choice[str]]:
    needle = current.strip().removeprefix(sigil).casefold()
    clear = app_commands.Choice(name=tr(interaction, "config.clear_choice"), value=CLEAR)
    matches = [(name, i) for name, i in named if needle in name.casefold()]
    matches.sort(key=lambda item: not item[0][1:].casefold().startswith(needle))
    picked = [app_commands.Choice(name=name[:CHOICE_NAME], value=str(i)) for name, i in matches]
    return [clear, *picked][:CHOICES] if needle in ("", CLEAR) else picked[:CHOICES]
