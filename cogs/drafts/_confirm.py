"""Confirming a deletion: Delete / Cancel buttons that tell the truth.

The buttons are `ConfirmButton`s (a `DynamicItem` registered at setup) whose custom_id carries
the draft, the member and the moment the confirmation expires, so a press is answered the same
way whether the bot restarted meanwhile or not; a press after that moment deletes nothing and
says so. While the bot runs, `ConfirmDelete` (a view with a timeout of DELETE_CONFIRM_SECONDS)
greys the buttons out when the confirmation expires, so they do not look alive."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import aiohttp
import discord

from bot.client import NO_MENTIONS, report_error
from bot.errors import UserFacingError
from bot.limits import REPLY_TITLE, cut
from cogs._common import Interaction, OwnerOnly, check_writer, owner_of, tr

log = logging.getLogger(__name__)

TEMPLATE = (
    r"diary:draft-delete:(?P<action>confirm|cancel):(?P<draft>\d+):(?P<owner>\d+):(?P<until>\d+)"
)
_STYLES = {"confirm": discord.ButtonStyle.danger, "cancel": discord.ButtonStyle.secondary}
_LABELS = {"confirm": "button.delete", "cancel": "button.cancel"}


def custom_id(action: str, draft_id: int, owner_id: int, until: int) -> str:
    return f"diary:draft-delete:{action}:{draft_id}:{owner_id}:{until}"


def _button(
    action: str, draft_id: int, owner_id: int, until: int, label: str, *, disabled: bool = False
) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=label,
        style=_STYLES[action],
        custom_id=custom_id(action, draft_id, owner_id, until),
        disabled=disabled,
    )


def _expired_view(
    interaction: Interaction, draft_id: int, owner_id: int, until: int
) -> discord.ui.View:
    """The two buttons greyed out (a view discord.py does not keep)."""
    view = discord.ui.View(timeout=None)
    for action in ("confirm", "cancel"):
        label = tr(interaction, _LABELS[action])
        view.add_item(_button(action, draft_id, owner_id, until, label, disabled=True))
    view.stop()
    return view


class ConfirmDelete(discord.ui.View):
    """Delete / Cancel for the member who asked; greys them out when they expire. Presses are
    answered by `ConfirmButton` (also after a restart), not by this view."""

    def __init__(self, interaction: Interaction, draft_id: int) -> None:
        seconds = interaction.client.services.drafts.delete_confirm_seconds
        super().__init__(timeout=seconds)
        self._interaction = interaction
        self._draft_id = draft_id
        self._owner_id = interaction.user.id
        self._until = int(time.time()) + seconds
        # Set once sent: which message holds the buttons, and whether it is the response.
        self.message_id: int | None = None
        self.sent_as_response = False
        for action in ("confirm", "cancel"):
            label = tr(interaction, _LABELS[action])
            self.add_item(ConfirmButton(action, draft_id, self._owner_id, self._until, label))

    async def on_timeout(self) -> None:
        """Grey the buttons out, unless a press already answered the confirmation."""
        interaction = self._interaction
        if self.message_id is None or interaction.client.is_closed():
            return
        try:
            if self.sent_as_response:
                message: discord.Message = await interaction.original_response()
            else:
                message = await interaction.followup.fetch_message(self.message_id)
            if not _still_asking(message):
                return
            await message.edit(
                content=tr(interaction, "draft.delete_expired", id=self._draft_id),
                view=_expired_view(interaction, self._draft_id, self._owner_id, self._until),
                allowed_mentions=NO_MENTIONS,
            )
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.info("could not grey out an expired delete confirmation: %r", error)


def _still_asking(message: discord.Message) -> bool:
    """Whether the message still shows live confirmation buttons (no press answered it)."""
    return any(
        isinstance(child, discord.Button)
        and (child.custom_id or "").startswith("diary:draft-delete:")
        and not child.disabled
        for row in message.components
        if isinstance(row, discord.ActionRow)
        for child in row.children
    )


class ConfirmButton(OwnerOnly, discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(
        self, action: str, draft_id: int, owner_id: int, until: int, label: str = ""
    ) -> None:
        super().__init__(_button(action, draft_id, owner_id, until, label or action))
        self.action = action
        self.draft_id = draft_id
        self.owner_id = owner_id
        self.until = until

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> ConfirmButton:
        return cls(
            match["action"],
            int(match["draft"]),
            int(match["owner"]),
            int(match["until"]),
            item.label or "",
        )

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        try:
            if self.action == "confirm":
                await check_writer(interaction)
            await self._answer(interaction)
        except Exception as error:  # discord.py would only log it; the member deserves an answer
            await report_error(interaction, error)

    async def _answer(self, interaction: Interaction) -> None:
        if self.action == "cancel":
            text = tr(interaction, "draft.delete_cancelled")
        elif time.time() > self.until:
            text = tr(interaction, "draft.delete_expired", id=self.draft_id)
        else:
            try:
                deleted = await interaction.client.services.drafts.delete(
                    owner_of(interaction), self.draft_id
                )
            except UserFacingError as error:  # deleted or published meanwhile: say so
                text = tr(interaction, error.key, **error.values)
            else:
                text = tr(
                    interaction,
                    "draft.deleted",
                    id=deleted.id,
                    title=cut(deleted.title, REPLY_TITLE),
                )
        await interaction.response.edit_message(
            content=text, embed=None, view=None, allowed_mentions=NO_MENTIONS
        )
