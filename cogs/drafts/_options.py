"""The `draft` option of every /draft command: a draft's number, offered by title as the
member types."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.limits import AUTOCOMPLETE_CHOICES, CHOICE_NAME, cut
from cogs._common import Interaction, owner_of
from cogs.drafts import _render


class DraftOption(app_commands.Transformer):
    """A draft number, at least 1, with the member's drafts offered by title and status.
    Its autocomplete runs behind the command tree's access check, like every autocomplete:
    a member who may not write, or another server, gets no choices."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.integer

    @property
    def min_value(self) -> int:
        return 1

    async def transform(self, interaction: Interaction, value: Any) -> int:  # type: ignore[override]
        return int(value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: Interaction, value: int | float | str
    ) -> list[app_commands.Choice[int]]:
        query = str(value).lstrip("#")
        drafts = await interaction.client.services.drafts.list(owner_of(interaction), query=query)
        return [
            app_commands.Choice(
                name=cut(f"#{d.id} {d.title} · {_render.status(interaction, d)}", CHOICE_NAME),
                value=d.id,
            )
            for d in drafts[:AUTOCOMPLETE_CHOICES]
        ]


DraftId = app_commands.Transform[int, DraftOption]
