"""Drafting commands."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs.drafts._buttons import DraftButton
from cogs.drafts._cog import DraftCog


async def setup(bot: DiaryBot) -> None:
    bot.add_dynamic_items(DraftButton)
    await bot.add_cog(DraftCog(bot))
