"""Modals for writing a new draft and editing one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.client import report_error
from bot.limits import GITHUB_TITLE, MODAL_TEXT_INPUT, MODAL_TITLE, cut
from bot.models import Draft
from cogs._common import Interaction, tr

OnSubmit = Callable[[Interaction, str, str], Awaitable[None]]


class DraftModal(discord.ui.Modal):
    """A title line and a multi-line body; `on_done` receives what was typed."""

    def __init__(
        self,
        interaction: Interaction,
        heading_key: str,
        on_done: OnSubmit,
        *,
        title: str = "",
        body: str = "",
    ) -> None:
        super().__init__(title=cut(tr(interaction, heading_key), MODAL_TITLE), timeout=900)
        self._on_done = on_done
        self.title_input: discord.ui.TextInput[DraftModal] = discord.ui.TextInput(
            label=cut(tr(interaction, "modal.title_label"), 45),
            default=title or None,
            required=False,
            max_length=GITHUB_TITLE,
            placeholder=cut(tr(interaction, "modal.title_placeholder"), 100),
        )
        self.body_input: discord.ui.TextInput[DraftModal] = discord.ui.TextInput(
            label=cut(tr(interaction, "modal.body_label"), 45),
            style=discord.TextStyle.paragraph,
            default=body or None,
            required=True,
            max_length=MODAL_TEXT_INPUT,
        )
        self.add_item(self.title_input)
        self.add_item(self.body_input)

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        await self._on_done(interaction, self.title_input.value, self.body_input.value)

    async def on_error(self, interaction: Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error)


def edit_modal(interaction: Interaction, draft: Draft, on_done: OnSubmit) -> DraftModal:
    return DraftModal(
        interaction, "modal.edit_heading", on_done, title=draft.title, body=draft.body
    )
