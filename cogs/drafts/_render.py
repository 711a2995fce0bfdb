"""How drafts look in Discord."""

from __future__ import annotations

import discord

from bot.limits import EMBED_DESCRIPTION, EMBED_TITLE, cut
from bot.models import Draft, JobState
from cogs._common import Interaction, tr

LIST_LINE_TITLE = 60


def status(interaction: Interaction, draft: Draft) -> str:
    if draft.is_published:
        return tr(interaction, "draft.status_published", number=draft.issue_number)
    if draft.job_state is JobState.PENDING:
        return tr(interaction, "draft.status_publishing")
    if draft.job_state is JobState.FAILED:
        return tr(interaction, "draft.status_failed")
    return tr(interaction, "draft.status_draft")


def preview(interaction: Interaction, draft: Draft) -> discord.Embed:
    """The draft as it will be published: title, body, labels."""
    body = draft.body or tr(interaction, "draft.body_empty_hint")
    embed = discord.Embed(
        title=cut(draft.title, EMBED_TITLE),
        url=draft.issue_url,
        description=cut(body, EMBED_DESCRIPTION),
        timestamp=draft.updated_at,
        colour=discord.Colour.green() if draft.is_published else discord.Colour.light_grey(),
    )
    if draft.labels:
        embed.add_field(
            name=tr(interaction, "draft.labels"), value=cut(", ".join(draft.labels), 1024)
        )
    embed.set_footer(
        text=tr(
            interaction,
            "draft.footer",
            id=draft.id,
            length=len(draft.body),
            status=status(interaction, draft),
        )
    )
    return embed


def listing(interaction: Interaction, drafts: list[Draft], total: int) -> discord.Embed:
    """One line per draft: id, title, length, last change, status."""
    lines = [
        tr(
            interaction,
            "draft.list_line",
            id=draft.id,
            title=discord.utils.escape_markdown(cut(draft.title, LIST_LINE_TITLE)),
            length=len(draft.body),
            updated=discord.utils.format_dt(draft.updated_at, "R"),
            status=status(interaction, draft),
        )
        for draft in drafts
    ]
    if total > len(drafts):
        lines.append(tr(interaction, "draft.list_more", count=total - len(drafts)))
    description = ""
    for line in lines:  # whole lines only
        if len(description) + len(line) + 1 > EMBED_DESCRIPTION:
            break
        description += line + "\n"
    return discord.Embed(title=tr(interaction, "draft.list_title"), description=description)
