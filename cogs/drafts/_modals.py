"""The editors of drafts: which modal each command opens, and the custom_id it is routed by."""

from __future__ import annotations

import discord

from bot.limits import MODAL_TEXT_INPUT
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


def tail_editor(interaction: Interaction, draft: Draft, head: str, tail: str) -> discord.ui.Modal:
    """Title and the last part of a long draft; the head stays as it is."""
    route = custom_id("tail", draft.id, interaction.user.id, draft.revision, len(head))
    heading = tr(interaction, "modal.edit_tail_heading")
    return editor(interaction, heading, route, title=draft.title, body=tail)


def split_tail(body: str, limit: int = MODAL_TEXT_INPUT) -> tuple[str, str]:
    """(head, tail): the tail fits the modal and starts at a paragraph or line if it can."""
    start = len(body) - limit
    for separator in ("\n\n", "\n"):
        cut_at = body.find(separator, start)
        if cut_at >= 0:
            return body[: cut_at + len(separator)], body[cut_at + len(separator) :]
    return body[:start], body[start:]
