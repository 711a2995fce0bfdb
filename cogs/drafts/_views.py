"""Buttons: confirming a deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.client import report_error
from cogs._common import Interaction, tr


class ConfirmDelete(discord.ui.View):
    """Delete / Cancel, for the member who asked only; times out after two minutes."""

    def __init__(
        self, interaction: Interaction, on_confirm: Callable[[Interaction], Awaitable[None]]
    ) -> None:
        super().__init__(timeout=120)
        self._owner_id = interaction.user.id
        self._on_confirm = on_confirm
        self.confirm.label = tr(interaction, "button.delete")
        self.cancel.label = tr(interaction, "button.cancel")

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        if interaction.user.id != self._owner_id:
            await interaction.response.send_message(
                tr(interaction, "error.not_yours"), ephemeral=True
            )
            return False
        return True

    @discord.ui.button(style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        self.stop()
        await self._on_confirm(interaction)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=tr(interaction, "draft.delete_cancelled"), view=None
        )

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[ConfirmDelete]
    ) -> None:
        await report_error(interaction, error)
