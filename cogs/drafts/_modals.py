"""The editors of drafts: which modal each command opens, and the custom_id it is routed by."""

from __future__ import annotations

import discord

from bot.models import Draft
from cogs._common import Interaction, tr
from cogs._editors import custom_id, editor

# The kinds of draft editors the drafts cog answers.
KINDS = ("new", "append", "edit", "tail")


def new_editor(interaction: Interaction, title: str, body: str) -> discord.ui.Modal:
    """Title and text of a new draft."""
    route = custom_id("new", 0, interaction.user.id)
    heading = tr(interaction, "modal.new_heading")
    return editor(interaction, heading, route, title=title, body=body)


def append_editor(interaction: Interaction, draft: Draft) -> discord.ui.Modal:
    """A paragraph (or several) to add to the end of `draft`."""
    route = custom_id("append", draft.id, interaction.user.id, draft.revision)
    heading = tr(interaction, "modal.append_heading", id=draft.id)
    return editor(interaction, heading, route, body_key="modal.append_label")


def edit_editor(interaction: Interaction, draft: Draft) -> discord.ui.Modal:
    """Title and whole text of a draft that fits the editor."""
    route = custom_id("edit", draft.id, interaction.user.id, draft.revision)
    heading = tr(interaction, "modal.edit_heading")
    return editor(interaction, heading, route, title=draft.title, body=draft.body)


def tail_editor(interaction: Interaction, draft: Draft, start: int, tail: str) -> discord.ui.Modal:
    """Title and the last part of a long draft (from `start`); the head stays as it is."""
    route = custom_id("tail", draft.id, interaction.user.id, draft.revision, start)
    heading = tr(interaction, "modal.edit_tail_heading")
    return editor(interaction, heading, route, title=draft.title, body=tail)
