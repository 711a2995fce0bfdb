"""Previews with buttons that this process sent lately, by draft, so that publishing a draft
(also with /draft publish, away from its preview) takes their buttons away. An ephemeral
message can be edited only through the interaction that sent it, and only for 15 minutes:
so each preview is kept with its interaction for 14 minutes, and at most LIMIT of them."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import aiohttp
import discord

from cogs._common import Interaction

log = logging.getLogger(__name__)

LIFETIME = 14 * 60.0  # seconds; interaction tokens last 15 minutes
LIMIT = 500


@dataclass(frozen=True)
class _Sent:
    interaction: Interaction
    message_id: int | None  # None: the interaction's own response ("@original")
    at: float


class Previews:
    """Recently sent previews with buttons; `retire` takes a draft's buttons away."""

    def __init__(self) -> None:
        self._sent: OrderedDict[tuple[int, int, int | None], _Sent] = OrderedDict()

    def add(self, draft_id: int, interaction: Interaction, message_id: int | None) -> None:
        """Remember a preview of the draft with buttons, sent through `interaction`."""
        now = time.monotonic()
        self._sent[(draft_id, interaction.id, message_id)] = _Sent(interaction, message_id, now)
        while self._sent:
            oldest = next(iter(self._sent.values()))
            if len(self._sent) <= LIMIT and now - oldest.at < LIFETIME:
                break
            self._sent.popitem(last=False)

    async def retire(self, draft_id: int) -> int:
        """Remove the buttons of the draft's recent previews; how many were edited."""
        now = time.monotonic()
        mine = [key for key in self._sent if key[0] == draft_id]
        edited = 0
        for key in mine:
            sent = self._sent.pop(key)
            if now - sent.at >= LIFETIME or sent.interaction.client.is_closed():
                continue
            try:
                if sent.message_id is None:
                    await sent.interaction.edit_original_response(view=None)
                else:
                    await sent.interaction.followup.edit_message(sent.message_id, view=None)
                edited += 1
            except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
                log.info("preview of draft %d keeps its buttons: %r", draft_id, error)
        return edited
