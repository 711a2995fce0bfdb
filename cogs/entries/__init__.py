"""Commands for published entries."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs.entries._cog import EntryCog


async def setup(bot: DiaryBot) -> None:
    await bot.add_cog(EntryCog(bot))
