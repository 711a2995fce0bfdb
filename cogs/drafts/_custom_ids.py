"""The preview's buttons as Discord sees them: `diary:draft:<action>:<draft>:<owner>`.

Views build plain buttons from here; `DraftButton` (a `DynamicItem` registered at setup) matches
the same custom_ids and acts on them, so the views need not know what the buttons do."""

from __future__ import annotations

from typing import Any

import discord

ACTIONS = ("publish", "edit", "delete", "escape", "tail")
TEMPLATE = rf"diary:draft:(?P<action>{'|'.join(ACTIONS)}):(?P<draft>\d+):(?P<owner>\d+)"
_STYLES = {
    "publish": discord.ButtonStyle.success,
    "edit": discord.ButtonStyle.primary,
    "delete": discord.ButtonStyle.danger,
    "escape": discord.ButtonStyle.secondary,
    "tail": discord.ButtonStyle.primary,
}


def custom_id(action: str, draft_id: int, owner_id: int) -> str:
    """The custom_id of `action` on a draft, for the member who may press it."""
    return f"diary:draft:{action}:{draft_id}:{owner_id}"


def button(action: str, draft_id: int, owner_id: int, label: str = "") -> discord.ui.Button[Any]:
    """A plain button carrying `action`'s custom_id, in that action's style."""
    return discord.ui.Button(
        label=label or action,
        style=_STYLES.get(action, discord.ButtonStyle.secondary),
        custom_id=custom_id(action, draft_id, owner_id),
    )
