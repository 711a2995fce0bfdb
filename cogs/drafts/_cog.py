"""/draft: write a diary entry a little at a time, then publish it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import DiaryBot, reply
from bot.errors import NotAllowed
from bot.limits import (
    AUTOCOMPLETE_CHOICES,
    CHOICE_NAME,
    CHOICE_VALUE,
    GITHUB_TITLE,
    OPTION_TEXT,
    REPLY_TITLE,
    cut,
)
from bot.services.draft_files import check_upload
from bot.services.images import ALT_MAX, EXTENSIONS
from cogs._common import Interaction, owner_of, tr
from cogs._editors import refused, submission
from cogs._text import cmd
from cogs.drafts import _actions, _modals, _render
from cogs.drafts._options import DraftId
from cogs.drafts._previews import Previews
from cogs.drafts._views import PreviewViews

DRAFT = {"draft": cmd("opt.draft.desc")}
IMAGE_SUFFIXES = {f".{ext}" for ext in EXTENSIONS.values()} | {".jpeg"}


def _looks_like_image(attachment: discord.Attachment) -> bool:
    """Which files of a message to take as images: what they are is then judged by content."""
    suffix = PurePosixPath(attachment.filename).suffix.lower()
    return (attachment.content_type or "").startswith("image/") or suffix in IMAGE_SUFFIXES


@app_commands.guild_only()
class DraftCog(
    commands.GroupCog, group_name=cmd("cmd.draft"), group_description=cmd("cmd.draft.desc")
):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services
        # Recent previews with buttons, so publishing takes those buttons away.
        self.previews = Previews()
        # The previews' buttons, built once for each draft, member and language.
        self.preview_views = PreviewViews()
        # Context menus cannot be declared in a cog class; register one by hand.
        self.menu = app_commands.guild_only(
            app_commands.ContextMenu(name=cmd("menu.add_to_draft"), callback=self.add_message)
        )
        bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def add_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Add to diary draft": the message's text and images go to the current
        draft, or start one. Discord includes the message (text and attachments) in the
        interaction, so no message-content intent is needed. Only the member's own messages:
        another's words do not go into someone else's public diary."""
        if message.author.id != interaction.user.id:
            raise NotAllowed("error.not_your_message")
        owner = owner_of(interaction)
        images = [a for a in message.attachments if _looks_like_image(a)]
        await self.services.images.check_message(owner, [(a.filename, a.size) for a in images])
        if images:  # downloading can outlast Discord's 3 seconds
            await interaction.response.defer(ephemeral=True, thinking=True)
        draft, created = await self.services.images.add_message(
            owner, message.content, await _actions.download(images)
        )
        await _actions.show(interaction, draft, "draft.created" if created else "draft.appended")

    @app_commands.command(name=cmd("cmd.draft.new"), description=cmd("cmd.draft.new.desc"))
    @app_commands.rename(title=cmd("opt.title"), body=cmd("opt.body"))
    @app_commands.describe(title=cmd("opt.title.desc"), body=cmd("opt.body.desc"))
    async def new(
        self,
        interaction: Interaction,
        title: app_commands.Range[str, 1, GITHUB_TITLE] | None = None,
        body: app_commands.Range[str, 1, OPTION_TEXT] | None = None,
    ) -> None:
        owner = owner_of(interaction)
        if body is None:
            settings = await self.services.server_settings.get(owner.guild_id)
            editor = _modals.new_editor(interaction, title or "", settings.body_template or "")
            await interaction.response.send_modal(editor)
            return
        draft = await self.services.drafts.create(owner, title, body)
        await _actions.show(interaction, draft, "draft.created")

    @app_commands.command(name=cmd("cmd.draft.append"), description=cmd("cmd.draft.append.desc"))
    @app_commands.rename(text=cmd("opt.text"), draft=cmd("opt.draft"))
    @app_commands.describe(text=cmd("opt.text.desc"), **DRAFT)
    async def append(
        self,
        interaction: Interaction,
        text: app_commands.Range[str, 1, OPTION_TEXT] | None = None,
        draft: DraftId | None = None,
    ) -> None:
        owner = owner_of(interaction)
        if text is None:  # a multi-line editor: slash command options hold one line
            found = await self.services.drafts.writable(owner, draft)
            await interaction.response.send_modal(_modals.append_editor(interaction, found))
            return
        updated = await self.services.drafts.append(owner, draft, text)
        await _actions.show(interaction, updated, "draft.appended")

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """Submissions of draft editors, routed by their custom_id (see cogs/_editors.py)."""
        editor = submission(interaction, _modals.KINDS)
        if editor is None:
            return
        try:
            await _actions.submitted(interaction, editor)
        except Exception as error:  # a listener's errors would only be logged
            await refused(interaction, editor, error)

    @app_commands.command(name=cmd("cmd.draft.attach"), description=cmd("cmd.draft.attach.desc"))
    @app_commands.rename(image=cmd("opt.image"), draft=cmd("opt.draft"), alt=cmd("opt.alt"))
    @app_commands.describe(image=cmd("opt.image.desc"), alt=cmd("opt.alt.desc"), **DRAFT)
    async def attach(
        self,
        interaction: Interaction,
        image: discord.Attachment,
        draft: DraftId | None = None,
        alt: app_commands.Range[str, 1, ALT_MAX] | None = None,
    ) -> None:
        owner = owner_of(interaction)
        images = self.services.images
        # Sizes are checked as Discord declares them, before anything is downloaded.
        target = await images.check_attach(owner, draft, [(image.filename, image.size)])
        await interaction.response.defer(ephemeral=True, thinking=True)
        (upload,) = await _actions.download([image])
        saved = await images.attach_uploads(
            owner, target.id, [replace(upload, alt=alt or upload.alt)]
        )
        await _actions.show(interaction, saved, "draft.image_attached")

    @app_commands.command(name=cmd("cmd.draft.list"), description=cmd("cmd.draft.list.desc"))
    async def list_(self, interaction: Interaction) -> None:
        listed = await self.services.drafts.listing(owner_of(interaction))
        if not listed.drafts:
            await reply(interaction, tr(interaction, "draft.list_empty"))
            return
        embed = _render.listing(interaction, listed.drafts, listed.total, listed.schedules)
        await reply(interaction, embed=embed)

    @app_commands.command(name=cmd("cmd.draft.show"), description=cmd("cmd.draft.show.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def show(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        shown = await self.services.drafts.preview(owner_of(interaction), draft)
        await _actions.present(interaction, shown, "draft.shown")

    @app_commands.command(name=cmd("cmd.draft.edit"), description=cmd("cmd.draft.edit.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def edit(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        await _actions.edit(interaction, draft)

    @app_commands.command(name=cmd("cmd.draft.delete"), description=cmd("cmd.draft.delete.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(draft=cmd("opt.draft_required.desc"))
    async def delete(self, interaction: Interaction, draft: DraftId) -> None:
        await _actions.confirm_delete(interaction, draft)

    @app_commands.command(name=cmd("cmd.draft.publish"), description=cmd("cmd.draft.publish.desc"))
    @app_commands.rename(draft=cmd("opt.draft"), labels=cmd("opt.labels"), when=cmd("opt.when"))
    @app_commands.describe(labels=cmd("opt.labels.desc"), when=cmd("opt.when.desc"), **DRAFT)
    async def publish(
        self,
        interaction: Interaction,
        draft: DraftId | None = None,
        labels: str | None = None,
        when: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await _actions.publish(interaction, draft, labels, when)

    @app_commands.command(
        name=cmd("cmd.draft.unschedule"), description=cmd("cmd.draft.unschedule.desc")
    )
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(draft=cmd("opt.draft_scheduled.desc"))
    async def unschedule(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        await _actions.unschedule(interaction, draft)

    @app_commands.command(name=cmd("cmd.draft.cancel"), description=cmd("cmd.draft.cancel.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def cancel(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        job, found = await self.services.publishing.cancel(owner_of(interaction), draft)
        await reply(
            interaction,
            tr(interaction, "publish.cancelled", id=found.id, title=cut(job.title, REPLY_TITLE)),
        )

    @app_commands.command(name=cmd("cmd.draft.labels"), description=cmd("cmd.draft.labels.desc"))
    @app_commands.rename(labels=cmd("opt.labels"), draft=cmd("opt.draft"))
    @app_commands.describe(labels=cmd("opt.labels_set.desc"), **DRAFT)
    async def labels(
        self, interaction: Interaction, labels: str, draft: DraftId | None = None
    ) -> None:
        saved = await self.services.publishing.set_labels(owner_of(interaction), draft, labels)
        await _actions.show(interaction, saved, "draft.labels_set")

    @app_commands.command(name=cmd("cmd.draft.history"), description=cmd("cmd.draft.history.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def history(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        found, revisions = await self.services.drafts.history(owner_of(interaction), draft)
        await reply(interaction, embed=_render.history(interaction, found, revisions))

    @app_commands.command(name=cmd("cmd.draft.undo"), description=cmd("cmd.draft.undo.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def undo(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        restored = await self.services.drafts.undo(owner_of(interaction), draft)
        await _actions.show(interaction, restored, "draft.undone")

    @app_commands.command(name=cmd("cmd.draft.export"), description=cmd("cmd.draft.export.desc"))
    @app_commands.rename(draft=cmd("opt.draft"))
    @app_commands.describe(**DRAFT)
    async def export(self, interaction: Interaction, draft: DraftId | None = None) -> None:
        found, text = await self.services.drafts.export(owner_of(interaction), draft)
        data = text.encode("utf-8")
        await reply(
            interaction,
            tr(interaction, "draft.exported", id=found.id),
            file=_actions.as_file(data, _actions.attachment_name(found)),
        )

    @app_commands.command(name=cmd("cmd.draft.import"), description=cmd("cmd.draft.import.desc"))
    @app_commands.rename(file=cmd("opt.file"), draft=cmd("opt.draft"))
    @app_commands.describe(file=cmd("opt.file.desc"), **DRAFT)
    async def import_(
        self, interaction: Interaction, file: discord.Attachment, draft: DraftId | None = None
    ) -> None:
        check_upload(file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        (upload,) = await _actions.download([file])
        saved = await self.services.drafts.import_file(
            owner_of(interaction), draft, upload.filename, upload.data
        )
        await _actions.show(interaction, saved, "draft.imported")

    @publish.autocomplete("labels")
    @labels.autocomplete("labels")
    async def labels_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = await self.services.labels.suggest(
            current, AUTOCOMPLETE_CHOICES, owner=owner_of(interaction)
        )
        return [
            app_commands.Choice(name=cut(s, CHOICE_NAME), value=s[:CHOICE_VALUE])
            for s in suggestions
            if len(s) <= CHOICE_VALUE
        ]
