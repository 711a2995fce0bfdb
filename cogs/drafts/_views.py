"""Views: the preview's buttons (confirming a deletion is in `_confirm`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import discord

from bot import i18n
from bot.models import Draft, JobState
from bot.services.preview import has_links
from cogs._common import Interaction, tr
from cogs.drafts._custom_ids import button

VIEWS_KEPT = 512  # previews' views kept for sending again (a few KB each)


class PreviewViews:
    """Preview views already built, by what they show: language, buttons, draft and owner.
    A member working on a draft gets the same buttons on preview after preview; building
    them (a View, a Button each) cost more than the rest of rendering the preview. A view
    is stopped before it is kept, and a stopped view is only read when sent (discord.py
    neither keeps nor changes it), so the same one can be sent again."""

    def __init__(self, limit: int = VIEWS_KEPT) -> None:
        self._views: OrderedDict[tuple[object, ...], discord.ui.View] = OrderedDict()
        self._limit = limit

    def buttons(
        self, interaction: Interaction, draft: Draft, actions: Sequence[str]
    ) -> discord.ui.View:
        """The view with `actions`' buttons for `draft`, built the first time it is asked."""
        language = i18n.language_of(str(interaction.locale))
        key = (language, tuple(actions), draft.id, interaction.user.id)
        view = self._views.get(key)
        if view is None:
            view = _buttons(interaction, draft, actions)
            self._views[key] = view
            if len(self._views) > self._limit:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return view


def preview_view(
    interaction: Interaction, draft: Draft, views: PreviewViews | None = None
) -> discord.ui.View | None:
    """Publish / Edit / Delete (and Escape links when there are any) for an unpublished draft;
    from `views` when given."""
    if draft.is_published or draft.job_state is JobState.PENDING:
        return None
    actions = ["publish", "edit", "delete"]
    if has_links(draft.body):
        actions.append("escape")
    if views is not None:
        return views.buttons(interaction, draft, actions)
    return _buttons(interaction, draft, actions)


def long_edit_view(interaction: Interaction, draft: Draft) -> discord.ui.View:
    """For drafts longer than a modal holds: edit the last part."""
    return _buttons(interaction, draft, ["tail"])


def _buttons(interaction: Interaction, draft: Draft, actions: Sequence[str]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in actions:
        label = tr(interaction, f"button.{action}")
        view.add_item(button(action, draft.id, interaction.user.id, label))
    # DraftButton, registered at setup, answers these custom_ids. A stopped view is sent as it
    # is, but discord.py does not keep it, so nothing is held in memory per preview.
    view.stop()
    return view
