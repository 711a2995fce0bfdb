"""Drafting commands."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs._common import install_gate
from cogs.drafts._buttons import DraftButton
from cogs.drafts._cog import DraftCog
from cogs.drafts._confirm import ConfirmButton


async def setup(bot: DiaryBot) -> None:
    install_gate(bot)
    bot.add_dynamic_items(DraftButton, ConfirmButton)
    await bot.add_cog(DraftCog(bot))
