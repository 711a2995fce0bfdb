"""The physical reference of the throughput rows: a bare discord.py bot that answers every
interaction with one fixed ephemeral reply and does nothing else (no store, no checks, no
command tree). It syncs a `/draft` command of the same shape as diary-bot's, so the fake
Discord dispatches the bench's commands to it exactly as it does to diary-bot.

Run by the bench as `python -m bench.bare_bot` with the same environment as the bot
(`DISCORD_TOKEN`, `DISCORD_GUILD_ID`, and the fakes' sitecustomize); bench-only."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import discord

REPLY = "ok"
STRING, INTEGER = 3, 4


def _option(name: str, kind: int, required: bool = False) -> dict[str, Any]:
    return {"type": kind, "name": name, "description": name, "required": required}


def _sub(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "name": name, "description": name, "options": list(options)}


DRAFT = {
    "type": 1,
    "name": "draft",
    "description": "draft",
    "options": [
        _sub("new", _option("title", STRING), _option("body", STRING)),
        _sub("append", _option("text", STRING, True), _option("draft", INTEGER)),
        _sub("list"),
        _sub("show", _option("draft", INTEGER)),
        _sub("publish", _option("draft", INTEGER), _option("labels", STRING)),
    ],
}


class BareBot(discord.Client):
    """Intents as diary-bot's (guilds only); one reply per interaction."""

    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents)
        self.guild_id = guild_id

    async def setup_hook(self) -> None:
        assert self.application_id is not None
        await self.http.bulk_upsert_guild_commands(self.application_id, self.guild_id, [DRAFT])

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(REPLY, ephemeral=True)


async def _main() -> None:
    bot = BareBot(int(os.environ["DISCORD_GUILD_ID"]))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(_main())
