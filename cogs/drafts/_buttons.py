"""The preview's buttons. They are `DynamicItem`s: custom_ids carry the draft and its owner,
so they keep working after a restart, and anyone else who presses one is told it is not theirs."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.client import report_error
from bot.models import Draft, JobState
from bot.services.preview import has_links
from cogs._common import Interaction, tr

ACTIONS = ("publish", "edit", "delete", "escape", "tail")
_STYLES = {
    "publish": discord.ButtonStyle.success,
    "edit": discord.ButtonStyle.primary,
    "delete": discord.ButtonStyle.danger,
    "escape": discord.ButtonStyle.secondary,
    "tail": discord.ButtonStyle.primary,
}


class DraftButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"diary:draft:(?P<action>[a-z]+):(?P<draft>\d+):(?P<owner>\d+)",
):
    def __init__(self, action: str, draft_id: int, owner_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=_STYLES.get(action, discord.ButtonStyle.secondary),
                custom_id=f"diary:draft:{action}:{draft_id}:{owner_id}",
            )
        )
        self.action = action
        self.draft_id = draft_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> DraftButton:
        return cls(match["action"], int(match["draft"]), int(match["owner"]), item.label or "")

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        if interaction.user.id != self.owner_id or self.action not in ACTIONS:
            await interaction.response.send_message(
                tr(interaction, "error.not_yours"), ephemeral=True
            )
            return False
        return True

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        from cogs.drafts import _actions  # the actions render previews with these buttons

        handlers = {
            "publish": lambda: _actions.publish(interaction, self.draft_id, None),
            "edit": lambda: _actions.edit(interaction, self.draft_id),
            "delete": lambda: _actions.confirm_delete(interaction, self.draft_id),
            "escape": lambda: _actions.escape(interaction, self.draft_id),
            "tail": lambda: _actions.edit_tail(interaction, self.draft_id),
        }
        try:
            await handlers[self.action]()
        except Exception as error:  # discord.py would only log it; the member deserves an answer
            await report_error(interaction, error)


def _button(interaction: Interaction, action: str, draft: Draft) -> DraftButton:
    return DraftButton(action, draft.id, interaction.user.id, tr(interaction, f"button.{action}"))


def preview_view(interaction: Interaction, draft: Draft) -> discord.ui.View | None:
    """Publish / Edit / Delete (and Escape links when there are any) for an unpublished draft."""
    if draft.is_published or draft.job_state is JobState.PENDING:
        return None
    view = discord.ui.View(timeout=None)
    for action in ("publish", "edit", "delete"):
        view.add_item(_button(interaction, action, draft))
    if has_links(draft.body):
        view.add_item(_button(interaction, "escape", draft))
    return view


def long_edit_view(interaction: Interaction, draft: Draft) -> discord.ui.View:
    """For drafts longer than a modal holds: edit the last part."""
    view = discord.ui.View(timeout=None)
    view.add_item(_button(interaction, "tail", draft))
    return view
