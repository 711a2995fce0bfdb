"""Replies to interactions that always fit Discord's limits and ping nobody."""

from __future__ import annotations

from typing import Any

import discord

from bot.limits import DISCORD_CONTENT, cut, embed_fits, encodable, fit_embed_data

NO_MENTIONS = discord.AllowedMentions.none()


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """The embed within Discord's limits however it was assembled (see `fit_embed_data`)."""
    data = embed.to_dict()
    if embed_fits(data):  # type: ignore[arg-type]
        return embed
    fitted = fit_embed_data(data)  # type: ignore[arg-type]
    return embed if fitted == data else discord.Embed.from_dict(fitted)


def fit_message(content: str | None, kwargs: dict[str, Any]) -> str | None:
    """The content cut to Discord's 2,000 characters, and the embeds in `kwargs` fitted."""
    if kwargs.get("embed") is not None:
        kwargs["embed"] = fit_embed(kwargs["embed"])
    if kwargs.get("embeds"):
        kwargs["embeds"] = [fit_embed(embed) for embed in kwargs["embeds"]]
    return cut(encodable(content), DISCORD_CONTENT) if content is not None else None


async def reply(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer ephemerally whether or not the interaction was already acknowledged; the reply
    is made to fit Discord's limits."""
    kwargs.setdefault("ephemeral", True)
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    content = fit_message(content, kwargs)
    if interaction.response.is_done():
        await interaction.followup.send(content, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)
