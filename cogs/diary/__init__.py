"""Server settings commands."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs.diary._cog import DiaryCog


async def setup(bot: DiaryBot) -> None:
    await bot.add_cog(DiaryCog(bot))
