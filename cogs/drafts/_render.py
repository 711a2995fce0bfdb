"""How drafts look in Discord."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.byte_sizes import format_size
from bot.client import fit_embed
from bot.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    EMBED_TOTAL,
    LIST_TITLE,
    cut,
)
from bot.models import Draft, DraftImage, JobState, Revision, Schedule, ScheduleState
from bot.services.preview import DraftPreview
from bot.services.publishing import CANCELLED, GAVE_UP
from cogs._common import Interaction, tr

LIST_LINE_TITLE = 60
HISTORY_EXCERPT = 60
IMAGES_FIELD = 600  # well inside a field, so the body keeps most of the embed's 6,000
PREVIEW_NOTE_ROOM = 200  # a long body is cut this far inside the description's limit


def status(interaction: Interaction, draft: Draft, schedule: Schedule | None = None) -> str:
    """One short phrase; with its `schedule`, a scheduled draft says when (Discord markup)."""
    if draft.is_published:
        return tr(interaction, "draft.status_published", number=draft.issue_number)
    if draft.job_state is JobState.PENDING:
        if draft.job_error_key:  # an attempt failed: it is retrying
            return tr(interaction, "draft.status_retrying")
        return tr(interaction, "draft.status_publishing")
    if schedule is not None and schedule.state is ScheduleState.PENDING:
        when = discord.utils.format_dt(schedule.due_at, "f")
        return tr(interaction, "draft.status_scheduled", when=when)
    if draft.job_state is JobState.FAILED:
        if draft.job_error_key == CANCELLED:
            return tr(interaction, "draft.status_cancelled")
        if draft.job_error_key == GAVE_UP:
            return tr(interaction, "draft.status_gave_up")
        return tr(interaction, "draft.status_failed")
    if schedule is not None and schedule.state is ScheduleState.FAILED:
        return tr(interaction, "draft.status_schedule_failed")
    return tr(interaction, "draft.status_draft")


def preview(interaction: Interaction, shown: DraftPreview) -> discord.Embed:
    """The draft close to how the blog will show it: title, body, labels, images, warnings;
    the body gets what the rest leaves of Discord's 6,000 characters per embed."""
    draft, images, schedule = shown.draft, shown.images, shown.schedule
    embed = discord.Embed(
        title=cut(draft.title, EMBED_TITLE),
        url=draft.issue_url,
        timestamp=draft.updated_at,
        colour=discord.Colour.green() if draft.is_published else discord.Colour.light_grey(),
    )
    if draft.labels:
        embed.add_field(
            name=tr(interaction, "draft.labels"),
            value=cut(", ".join(draft.labels), EMBED_FIELD_VALUE),
        )
    if images:
        embed.add_field(
            name=f"{tr(interaction, 'draft.images')} ({len(images)})",
            value=_lines_within(_image_lines(interaction, images), IMAGES_FIELD),
            inline=False,
        )
    if schedule is not None and not draft.is_published and draft.job_state is not JobState.PENDING:
        _add_schedule_field(interaction, embed, schedule)
    warnings = [tr(interaction, w.key, **w.values) for w in shown.warnings]
    if warnings:
        embed.add_field(
            name=tr(interaction, "draft.warnings"),
            value=cut("\n".join(f"⚠️ {w}" for w in warnings), EMBED_FIELD_VALUE),
            inline=False,
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
    embed.description = _body_within(
        interaction, draft, min(EMBED_DESCRIPTION, EMBED_TOTAL - len(embed))
    )
    return fit_embed(embed)


def _body_within(interaction: Interaction, draft: Draft, room: int) -> str:
    """The body, or its start and a note saying it was cut, in at most `room` characters."""
    body = draft.body or tr(interaction, "draft.body_empty_hint")
    if len(body) <= min(room, EMBED_DESCRIPTION - PREVIEW_NOTE_ROOM):
        return body
    note = "\n" + tr(interaction, "draft.preview_cut", length=len(draft.body))
    return cut(body, min(room, EMBED_DESCRIPTION - PREVIEW_NOTE_ROOM) - len(note)) + note


def _add_schedule_field(interaction: Interaction, embed: discord.Embed, schedule: Schedule) -> None:
    if schedule.state is ScheduleState.PENDING:
        when = discord.utils.format_dt(schedule.due_at, "f")
        value = tr(interaction, "draft.scheduled_value", when=when)
    elif schedule.state is ScheduleState.FAILED:
        error = interaction.client.services.scheduling.error_for(schedule)
        reason = tr(interaction, error.key, **error.values)
        value = tr(interaction, "draft.schedule_failed_value", reason=reason)
    else:
        return
    embed.add_field(
        name=tr(interaction, "draft.scheduled"), value=cut(value, EMBED_FIELD_VALUE), inline=False
    )


def _image_lines(interaction: Interaction, images: Sequence[DraftImage]) -> list[str]:
    return [
        tr(
            interaction,
            "draft.image_line",
            number=number,
            name=discord.utils.escape_markdown(cut(image.filename, LIST_TITLE)),
            size=format_size(image.size),
        )
        for number, image in enumerate(images, 1)
    ]


def _lines_within(lines: list[str], limit: int = EMBED_DESCRIPTION) -> str:
    """Whole lines only, as many as fit."""
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > limit:
            break
        text += line + "\n"
    return text


def listing(
    interaction: Interaction,
    drafts: list[Draft],
    total: int,
    schedules: Mapping[int, Schedule] | None = None,
) -> discord.Embed:
    """One line per draft: id, title, length, last change, status (with its schedule)."""
    lines = [
        tr(
            interaction,
            "draft.list_line",
            id=draft.id,
            title=discord.utils.escape_markdown(cut(draft.title, LIST_LINE_TITLE)),
            length=len(draft.body),
            updated=discord.utils.format_dt(draft.updated_at, "R"),
            status=status(interaction, draft, (schedules or {}).get(draft.id)),
        )
        for draft in drafts
    ]
    if total > len(drafts):
        lines.append(tr(interaction, "draft.list_more", count=total - len(drafts)))
    return discord.Embed(
        title=tr(interaction, "draft.list_title"), description=_lines_within(lines)
    )


def history(interaction: Interaction, draft: Draft, revisions: list[Revision]) -> discord.Embed:
    """Recent revisions, newest first: when, what kind of change, length, a glimpse."""
    lines = []
    for revision in revisions:
        glimpse = " ".join(revision.body[-HISTORY_EXCERPT:].split())
        line = tr(
            interaction,
            "history.line",
            when=discord.utils.format_dt(revision.created_at, "R"),
            reason=tr(interaction, f"history.reason_{revision.reason}"),
            length=len(revision.body),
            glimpse=discord.utils.escape_markdown(glimpse) or "—",
        )
        lines.append(
            f"~~{line}~~ ({tr(interaction, 'history.undone')})" if revision.undone else line
        )
    return discord.Embed(
        title=cut(tr(interaction, "history.title", id=draft.id, title=draft.title), EMBED_TITLE),
        description=_lines_within(lines) or tr(interaction, "history.empty"),
    )
