"""What the preview's buttons do. `DraftButton` is a `DynamicItem`: it matches the custom_ids of
`_custom_ids`, which carry the draft and its owner, so the buttons keep working after a restart,
and anyone else who presses one is told it is not theirs."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.client import report_error
from cogs._common import Interaction, OwnerOnly, check_writer
from cogs.drafts import _actions
from cogs.drafts._custom_ids import TEMPLATE, button


class DraftButton(OwnerOnly, discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, action: str, draft_id: int, owner_id: int, label: str = "") -> None:
        super().__init__(button(action, draft_id, owner_id, label))
        self.action = action
        self.draft_id = draft_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> DraftButton:
        return cls(match["action"], int(match["draft"]), int(match["owner"]), item.label or "")

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        handlers = {
            "publish": lambda: _actions.publish(interaction, self.draft_id, None, preview=True),
            "edit": lambda: _actions.edit(interaction, self.draft_id),
            "delete": lambda: _actions.confirm_delete(interaction, self.draft_id),
            "escape": lambda: _actions.escape(interaction, self.draft_id),
            "tail": lambda: _actions.edit_tail(interaction, self.draft_id),
        }
        try:
            await check_writer(interaction)  # the member may have lost the author role since
            if await _actions.retire_if_stale(interaction, self.draft_id, self.action):
                return
            await handlers[self.action]()
        except Exception as error:  # discord.py would only log it; the member deserves an answer
            await report_error(interaction, error)
