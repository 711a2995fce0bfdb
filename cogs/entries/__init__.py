"""Commands for published entries."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs._common import install_gate
from cogs.entries._cog import EntryCog


async def setup(bot: DiaryBot) -> None:
    install_gate(bot)
    await bot.add_cog(EntryCog(bot))
