"""Editors (modals) whose submissions survive restarts and waiting.

A modal's custom_id carries what it belongs to
(`diary:editor:<kind>:<target>:<owner>:<revision>:<offset>`), and the modal is sent already
stopped, so discord.py keeps no handler for it in memory: every submission, however late and
whichever process receives it, is routed from that custom_id by a cog's `on_interaction`
listener. So an editor has no client-side timeout and nothing to lose.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from bot.client import report_error
from bot.limits import (
    GITHUB_TITLE,
    MODAL_TEXT_INPUT,
    MODAL_TITLE,
    TEXT_INPUT_LABEL,
    TEXT_INPUT_PLACEHOLDER,
    cut,
)
from cogs._common import Interaction, tr

log = logging.getLogger(__name__)

TITLE_FIELD = "title"
BODY_FIELD = "body"
_CUSTOM_ID = re.compile(
    r"diary:editor:(?P<kind>[a-z_]{1,20}):(?P<target>\d{1,20}):(?P<owner>\d{1,20}):(?P<revision>\d{1,20}):(?P<offset>\d{1,20})"
)
# A modal holds at most five inputs, each in a row or a label: a few levels are all there is.
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Submission:
    """A submitted editor: what it was opened for and what was typed."""

    kind: str
    target: int  # a draft id or an entry number; 0 for none
    owner_id: int
    revision: int  # the draft's revision when the editor opened (0 when not about a draft)
    offset: int  # where in the body the editor's text starts (editing the end of a long draft)
    fields: Mapping[str, str]

    @property
    def title(self) -> str:
        return self.fields.get(TITLE_FIELD, "")

    @property
    def body(self) -> str:
        return self.fields.get(BODY_FIELD, "")


def custom_id(kind: str, target: int, owner_id: int, revision: int = 0, offset: int = 0) -> str:
    """The custom_id of an editor of `kind` for `target`, opened by `owner_id`."""
    return f"diary:editor:{kind}:{target}:{owner_id}:{revision}:{offset}"


def editor(
    interaction: Interaction,
    heading: str,
    route: str,
    *,
    title: str | None = None,
    body: str = "",
    body_key: str = "modal.body_label",
) -> discord.ui.Modal:
    """A modal with a multi-line text (and a title line unless `title` is None), stopped
    before it is sent so its submission is routed by `route` alone."""
    modal = discord.ui.Modal(title=cut(heading, MODAL_TITLE), timeout=None, custom_id=route)
    if title is not None:
        modal.add_item(
            discord.ui.TextInput(
                label=cut(tr(interaction, "modal.title_label"), TEXT_INPUT_LABEL),
                custom_id=TITLE_FIELD,
                default=title or None,
                required=False,
                max_length=GITHUB_TITLE,
                placeholder=cut(tr(interaction, "modal.title_placeholder"), TEXT_INPUT_PLACEHOLDER),
            )
        )
    modal.add_item(
        discord.ui.TextInput(
            label=cut(tr(interaction, body_key), TEXT_INPUT_LABEL),
            custom_id=BODY_FIELD,
            style=discord.TextStyle.paragraph,
            default=body or None,
            required=True,
            max_length=MODAL_TEXT_INPUT,
        )
    )
    modal.stop()  # discord.py stores only unfinished modals; ours are routed by custom_id
    return modal


def submission(interaction: Interaction, kinds: Iterable[str]) -> Submission | None:
    """The editor submission this interaction is, if it is one of `kinds`."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return None
    data: dict[str, Any] = dict(interaction.data or {})
    match = _CUSTOM_ID.fullmatch(str(data.get("custom_id", "")))
    if match is None or match["kind"] not in kinds:
        return None
    fields: dict[str, str] = {}
    _collect(data.get("components") or [], fields, 0)
    return Submission(
        kind=match["kind"],
        target=int(match["target"]),
        owner_id=int(match["owner"]),
        revision=int(match["revision"]),
        offset=int(match["offset"]),
        fields=fields,
    )


def _collect(components: Iterable[Any], fields: dict[str, str], depth: int) -> None:
    """Text inputs' values by custom_id, in action rows or labels."""
    if depth > _MAX_DEPTH:
        return
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("type") == discord.ComponentType.text_input.value:
            fields[str(component.get("custom_id"))] = str(component.get("value") or "")
        _collect(component.get("components") or [], fields, depth + 1)
        inner = component.get("component")
        if isinstance(inner, dict):
            _collect([inner], fields, depth + 1)


async def refused(interaction: Interaction, editor: Submission, error: Exception) -> None:
    """The submission could not be saved (the draft was published or deleted meanwhile, the
    member lost the author role...): say why, and hand back what was typed as a file, so
    nothing written in an editor is lost."""
    await report_error(interaction, error)
    text = f"{editor.title}\n\n{editor.body}" if editor.title.strip() else editor.body
    if not text.strip() or interaction.client.is_closed():
        return
    try:
        await interaction.followup.send(
            tr(interaction, "editor.text_kept"),
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename="diary-text.md"),
            ephemeral=True,
        )
    except (discord.HTTPException, aiohttp.ClientError, OSError) as failure:
        log.warning("could not hand back the text of interaction %s: %r", interaction.id, failure)
