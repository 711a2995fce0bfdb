"""Views: the preview's buttons, and confirming a deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

import discord

from bot.client import report_error
from bot.models import Draft, JobState
from bot.services.preview import has_links
from cogs._common import Interaction, tr
from cogs.drafts._custom_ids import button


def preview_view(interaction: Interaction, draft: Draft) -> discord.ui.View | None:
    """Publish / Edit / Delete (and Escape links when there are any) for an unpublished draft."""
    if draft.is_published or draft.job_state is JobState.PENDING:
        return None
    actions = ["publish", "edit", "delete"]
    if has_links(draft.body):
        actions.append("escape")
    return _buttons(interaction, draft, actions)


def long_edit_view(interaction: Interaction, draft: Draft) -> discord.ui.View:
    """For drafts longer than a modal holds: edit the last part."""
    return _buttons(interaction, draft, ["tail"])


def _buttons(interaction: Interaction, draft: Draft, actions: Iterable[str]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in actions:
        label = tr(interaction, f"button.{action}")
        view.add_item(button(action, draft.id, interaction.user.id, label))
    # DraftButton, registered at setup, answers these custom_ids. A stopped view is sent as it
    # is, but discord.py does not keep it, so nothing is held in memory per preview.
    view.stop()
    return view


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
