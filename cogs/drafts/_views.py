"""Views: the preview's buttons (confirming a deletion is in `_confirm`)."""

from __future__ import annotations

from collections.abc import Iterable

import discord

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
