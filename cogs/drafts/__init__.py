"""Drafting commands."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs.drafts._cog import DraftCog


async def setup(bot: DiaryBot) -> None:
    await bot.add_cog(DraftCog(bot))
