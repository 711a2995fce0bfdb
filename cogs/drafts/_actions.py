"""What the /draft commands and the preview's buttons do; shared so both behave the same."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord

from bot.client import NO_MENTIONS, fit_message, reply
from bot.errors import UserFacingError
from bot.limits import DISCORD_CONTENT, MODAL_TEXT_INPUT, REPLY_TITLE, cut
from bot.models import Draft, JobState, PublishJob
from bot.services.images import Upload
from bot.services.preview import DraftPreview
from bot.services.publishing import TOKEN_REJECTED, Author
from cogs._common import Interaction, check_owner, check_writer, owner_of, tr
from cogs._editors import Submission
from cogs.drafts import _modals, _render
from cogs.drafts._confirm import ConfirmDelete
from cogs.drafts._previews import Previews
from cogs.drafts._views import PreviewViews, long_edit_view, preview_view

log = logging.getLogger(__name__)

# How long the reply to a publish waits before saying that GitHub is slow, and how long it
# keeps waiting after that (interaction tokens last 15 minutes).
PUBLISH_REPLY_WAIT = 20.0
PUBLISH_LATE_WAIT = 12 * 60.0


async def show(
    interaction: Interaction, draft: Draft, heading_key: str, *, update: bool = False
) -> None:
    """The preview of a draft just written, with its buttons; `update` replaces the message
    the button was on."""
    shown = await interaction.client.services.drafts.preview_of(draft)
    await present(interaction, shown, heading_key, update=update)


async def present(
    interaction: Interaction, shown: DraftPreview, heading_key: str, *, update: bool = False
) -> None:
    """A draft's preview with its buttons (see `show`)."""
    draft = shown.draft
    text = tr(interaction, heading_key, id=draft.id)
    embed = _render.preview(interaction, shown)
    view = preview_view(interaction, draft, _preview_views(interaction))
    if update and not interaction.response.is_done():
        await interaction.response.edit_message(
            content=cut(text, DISCORD_CONTENT), embed=embed, view=view, allowed_mentions=NO_MENTIONS
        )
        if view is not None:
            _remember(interaction, draft.id, None)  # the button's message is "@original"
    elif view is None:  # published or being published: no buttons (discord.py wants none)
        await reply(interaction, text, embed=embed)
    else:
        kwargs: dict[str, Any] = {"embed": embed, "view": view}
        content = fit_message(text, kwargs)
        if interaction.response.is_done():
            sent = await interaction.followup.send(
                content, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True, **kwargs
            )
            _remember(interaction, draft.id, sent.id)
        else:
            await interaction.response.send_message(
                content, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs
            )
            _remember(interaction, draft.id, None)


def _previews(interaction: Interaction) -> Previews | None:
    """The drafts feature's record of recent previews (the cog holds it)."""
    previews = getattr(interaction.client.get_cog("DraftCog"), "previews", None)
    return previews if isinstance(previews, Previews) else None


def _preview_views(interaction: Interaction) -> PreviewViews | None:
    """The drafts feature's previews' views, built once each (the cog holds them)."""
    views = getattr(interaction.client.get_cog("DraftCog"), "preview_views", None)
    return views if isinstance(views, PreviewViews) else None


def _remember(interaction: Interaction, draft_id: int, message_id: int | None) -> None:
    previews = _previews(interaction)
    if previews is not None:
        previews.add(draft_id, interaction, message_id)


async def retire_previews(interaction: Interaction, draft_id: int | None) -> None:
    """Take the buttons away from the published draft's recent previews."""
    previews = _previews(interaction)
    if previews is not None and draft_id is not None:
        await previews.retire(draft_id)


async def publish(
    interaction: Interaction,
    draft_id: int | None,
    labels: str | None,
    when: str | None = None,
    *,
    preview: bool = False,
) -> None:
    """Defer, queue the publish job (or join it), and report how it ended; with `when`,
    only store the schedule. From a `preview`'s button, the preview loses its buttons at
    once and gets them back only if the draft is still unpublished at the end."""
    if not preview:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _publish(interaction, draft_id, labels, when)
        return
    await interaction.response.edit_message(view=None)
    try:
        await _publish(interaction, draft_id, labels, when)
    finally:
        await _refresh_buttons(interaction, draft_id)


async def _refresh_buttons(interaction: Interaction, draft_id: int | None) -> None:
    """Put on the preview the buttons its draft's state allows now (none once published)."""
    if interaction.client.is_closed():
        return
    try:
        draft = await interaction.client.services.drafts.get(owner_of(interaction), draft_id)
        view = preview_view(interaction, draft, _preview_views(interaction))
        if view is not None:
            await interaction.edit_original_response(view=view)
    except (UserFacingError, discord.HTTPException) as error:
        log.info("preview of draft %s keeps no buttons: %r", draft_id, error)


async def retire_if_stale(interaction: Interaction, draft_id: int, action: str) -> bool:
    """A preview button of a draft that was deleted or published (or, except for publish,
    is being published) meanwhile: remove the preview's buttons and say what happened."""
    try:
        draft = await interaction.client.services.drafts.get(owner_of(interaction), draft_id)
    except UserFacingError:
        key, values = "button.stale_deleted", {"id": draft_id}
    else:
        if draft.is_published:
            key = "button.stale_published"
            values = {"id": draft.id, "number": draft.issue_number, "url": draft.issue_url}
        elif draft.job_state is JobState.PENDING and action != "publish":
            key, values = "button.stale_publishing", {"id": draft.id}
        else:
            return False
    await interaction.response.edit_message(view=None)
    await reply(interaction, tr(interaction, key, **values))
    return True


async def _publish(
    interaction: Interaction, draft_id: int | None, labels: str | None, when: str | None
) -> None:
    publishing = interaction.client.services.publishing
    user = interaction.user
    author = Author(name=user.display_name, avatar_url=user.display_avatar.url)
    if when is not None:
        await schedule(interaction, draft_id, when, labels, author)
        return
    job = await publishing.publish_and_wait(
        owner_of(interaction), draft_id, labels, author, PUBLISH_REPLY_WAIT
    )
    if job.state is JobState.PENDING and job.error_key == TOKEN_REJECTED:
        # Kept, waiting for a new token: waiting here would not help. Whose token: the
        # member's own (rejected even once refreshed: sign in again) or the server's.
        own = job.target is not None and job.target.member is not None
        key = "publish.member_token_rejected" if own else "publish.token_rejected"
        await reply(interaction, tr(interaction, key, id=job.draft_id))
        return
    if job.state is JobState.PENDING:
        await reply(interaction, tr(interaction, "publish.delayed", id=job.draft_id))
        job = await publishing.wait(job.id, PUBLISH_LATE_WAIT)
        if job.state is JobState.PENDING:
            return  # still going; /draft list shows how it ends
    if job.state is JobState.DONE:
        await retire_previews(interaction, job.draft_id)
    await reply(interaction, _outcome(interaction, job))


async def schedule(
    interaction: Interaction, draft_id: int | None, when: str, labels: str | None, author: Author
) -> None:
    """Store a scheduled publish and say when it will happen (and what it replaced)."""
    scheduling = interaction.client.services.scheduling
    done = await scheduling.schedule(owner_of(interaction), draft_id, when, labels, author)
    text = tr(
        interaction,
        "schedule.saved",
        id=done.draft.id,
        title=cut(done.draft.title, REPLY_TITLE),
        when=discord.utils.format_dt(done.schedule.due_at, "f"),
        local=done.local_due,
        timezone=done.timezone,
    )
    if done.replaced is not None:
        old = discord.utils.format_dt(done.replaced.due_at, "f")
        text += "\n" + tr(interaction, "schedule.replaced", when=old)
    await reply(interaction, text)


async def unschedule(interaction: Interaction, draft_id: int | None) -> None:
    """Cancel a scheduled publish."""
    scheduling = interaction.client.services.scheduling
    cancelled, draft = await scheduling.unschedule(owner_of(interaction), draft_id)
    text = tr(
        interaction,
        "schedule.cancelled",
        id=draft.id,
        title=cut(draft.title, REPLY_TITLE),
        when=discord.utils.format_dt(cancelled.due_at, "f"),
    )
    await reply(interaction, text)


def _outcome(interaction: Interaction, job: PublishJob) -> str:
    if job.state is JobState.DONE:
        number, issue_url = job.issue_number, job.issue_url or ""
        repository = job.target.repository if job.target is not None else None
        announcements = interaction.client.services.announcements
        blog_url = announcements.entry_url(number or 0, issue_url, repository)
        if blog_url != issue_url:  # BLOG_URL_TEMPLATE: the page readers will see
            return tr(
                interaction, "publish.done_blog", number=number, url=blog_url, issue=issue_url
            )
        return tr(interaction, "publish.done", number=number, url=issue_url)
    error = interaction.client.services.publishing.error_for(job)
    return tr(interaction, error.key, **error.values)


async def edit(interaction: Interaction, draft_id: int | None) -> None:
    """A modal with the title and body; a body too long for it gets other ways to edit."""
    found = await interaction.client.services.drafts.writable(owner_of(interaction), draft_id)
    if len(found.body) > MODAL_TEXT_INPUT:
        await reply(
            interaction,
            tr(interaction, "edit.too_long", limit=MODAL_TEXT_INPUT, length=len(found.body)),
            view=long_edit_view(interaction, found),
        )
        return
    await interaction.response.send_modal(_modals.edit_editor(interaction, found))


async def edit_tail(interaction: Interaction, draft_id: int) -> None:
    """Edit only the last part of a long draft; the rest stays as it is."""
    found, start, tail = await interaction.client.services.drafts.tail(
        owner_of(interaction), draft_id
    )
    await interaction.response.send_modal(_modals.tail_editor(interaction, found, start, tail))


async def submitted(interaction: Interaction, editor: Submission) -> None:
    """Save what a draft editor holds, however long ago (or before which restart) it opened."""
    check_owner(interaction, editor.owner_id)
    await check_writer(interaction)
    services = interaction.client.services
    owner = owner_of(interaction)
    if editor.kind == "new":
        draft = await services.drafts.create(owner, editor.title, editor.body)
        await show(interaction, draft, "draft.created")
    elif editor.kind == "append":
        await show(
            interaction,
            await services.drafts.append(owner, editor.target, editor.body),
            "draft.appended",
        )
    else:
        saved, changed = await services.drafts.save_editor(
            owner,
            editor.target,
            editor.revision,
            editor.title,
            editor.body,
            tail_from=editor.offset if editor.kind == "tail" else None,
        )
        await show(interaction, saved, "draft.saved_over_change" if changed else "draft.edited")


async def confirm_delete(interaction: Interaction, draft_id: int | None) -> None:
    """Ask first; `ConfirmButton` deletes on the button."""
    found = await interaction.client.services.drafts.get(owner_of(interaction), draft_id)
    text = tr(interaction, "draft.delete_confirm", id=found.id, title=cut(found.title, REPLY_TITLE))
    view = ConfirmDelete(interaction, found.id)
    if interaction.response.is_done():
        sent = await interaction.followup.send(
            text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )
        view.message_id = sent.id
    else:
        response = await interaction.response.send_message(
            text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.message_id, view.sent_as_response = response.message_id, True


async def escape(interaction: Interaction, draft_id: int) -> None:
    """Turn @name and #123 into plain text, as a new revision."""
    saved = await interaction.client.services.drafts.escape(owner_of(interaction), draft_id)
    await show(interaction, saved, "draft.escaped", update=True)


async def download(attachments: Sequence[discord.Attachment]) -> list[Upload]:
    """The files, read now (their URLs expire); Discord's alt text comes along."""
    uploads = []
    for attachment in attachments:
        try:
            data = await attachment.read()
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
            # Expired or deleted, or the CDN out of reach: the member can attach it again.
            raise UserFacingError("error.image_download", name=attachment.filename) from error
        uploads.append(Upload(attachment.filename, data, attachment.description))
    return uploads


def attachment_name(draft: Draft) -> str:
    return f"draft-{draft.id}.md"


def as_file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)
