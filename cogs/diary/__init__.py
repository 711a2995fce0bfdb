"""/diary (help, stats) and /diary-admin (settings, reminder, status)."""

from __future__ import annotations

from bot.client import DiaryBot
from cogs._common import install_gate
from cogs.diary._admin import DiaryAdminCog
from cogs.diary._cog import DiaryCog


async def setup(bot: DiaryBot) -> None:
    install_gate(bot)
    await bot.add_cog(DiaryCog(bot))
    await bot.add_cog(DiaryAdminCog(bot))
