"""/draft: write a diary entry a little at a time, then publish it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, DiaryBot
from bot.limits import CHOICE_NAME, MODAL_TEXT_INPUT, cut
from bot.models import JobState, PublishJob
from bot.services.publishing import Author
from cogs._common import Interaction, check_writer, owner_of, tr
from cogs.drafts import _render
from cogs.drafts._modals import DraftModal, edit_modal
from cogs.drafts._views import ConfirmDelete

# How long the reply to /draft publish waits before saying that GitHub is slow, and how long
# it keeps waiting after that (interaction tokens last 15 minutes).
PUBLISH_REPLY_WAIT = 20.0
PUBLISH_LATE_WAIT = 12 * 60.0

T = TypeVar("T")


def draft_option() -> Callable[[T], T]:
    """Describes the optional `draft` parameter (a fresh decorator each time: describe()
    keeps its mapping on the decorated function)."""
    return app_commands.describe(draft="Draft id (default: the one you changed last)")


@app_commands.guild_only()
class DraftCog(commands.GroupCog, group_name="draft", group_description="Write diary drafts"):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        return await check_writer(interaction)

    async def _show(self, interaction: Interaction, key: str, draft_id: int) -> None:
        draft = await self.services.drafts.get(owner_of(interaction), draft_id)
        text = tr(interaction, key, id=draft.id)
        embed = _render.preview(interaction, draft)
        if interaction.response.is_done():
            await interaction.followup.send(
                text, embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                text, embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    @app_commands.command(name="new", description="Start a new draft")
    @app_commands.describe(
        title="Title (default: today's date)", body="Text (omit to open an editor)"
    )
    async def new(
        self,
        interaction: Interaction,
        title: app_commands.Range[str, 1, 256] | None = None,
        body: app_commands.Range[str, 1, 6000] | None = None,
    ) -> None:
        owner = owner_of(interaction)
        settings = await self.services.store.get_guild_settings(owner.guild_id)

        async def create(modal_interaction: Interaction, title: str | None, body: str) -> None:
            draft = await self.services.drafts.create(
                owner, title, body, timezone=settings.timezone
            )
            await self._show(modal_interaction, "draft.created", draft.id)

        if body is None:
            modal = DraftModal(interaction, "modal.new_heading", create, title=title or "")
            await interaction.response.send_modal(modal)
            return
        await create(interaction, title, body)

    @app_commands.command(name="append", description="Add a paragraph to the end of a draft")
    @app_commands.describe(text="The paragraph to add")
    @draft_option()
    async def append(
        self,
        interaction: Interaction,
        text: app_commands.Range[str, 1, 6000],
        draft: int | None = None,
    ) -> None:
        updated = await self.services.drafts.append(owner_of(interaction), draft, text)
        await self._show(interaction, "draft.appended", updated.id)

    @app_commands.command(name="list", description="List your drafts")
    async def list_(self, interaction: Interaction) -> None:
        owner = owner_of(interaction)
        drafts = await self.services.drafts.list(owner)
        if not drafts:
            await interaction.response.send_message(
                tr(interaction, "draft.list_empty"), ephemeral=True
            )
            return
        total = await self.services.store.count_drafts(owner)
        embed = _render.listing(interaction, drafts, total)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="show", description="Show a draft as it will be published")
    @draft_option()
    async def show(self, interaction: Interaction, draft: int | None = None) -> None:
        found = await self.services.drafts.get(owner_of(interaction), draft)
        await self._show(interaction, "draft.shown", found.id)

    @app_commands.command(name="edit", description="Edit a draft's title and text")
    @draft_option()
    async def edit(self, interaction: Interaction, draft: int | None = None) -> None:
        owner = owner_of(interaction)
        found = await self.services.drafts.get(owner, draft)
        if len(found.body) > MODAL_TEXT_INPUT:
            await interaction.response.send_message(
                tr(
                    interaction,
                    "error.too_long_for_modal",
                    limit=MODAL_TEXT_INPUT,
                    length=len(found.body),
                ),
                ephemeral=True,
            )
            return

        async def save(modal_interaction: Interaction, title: str, body: str) -> None:
            await self.services.drafts.edit(owner, found.id, title=title or found.title, body=body)
            await self._show(modal_interaction, "draft.edited", found.id)

        self.services.drafts.check_writable(found)
        await interaction.response.send_modal(edit_modal(interaction, found, save))

    @app_commands.command(name="delete", description="Delete a draft (asks first)")
    @app_commands.describe(draft="Draft id")
    async def delete(self, interaction: Interaction, draft: int) -> None:
        owner = owner_of(interaction)
        found = await self.services.drafts.get(owner, draft)

        async def confirmed(button_interaction: Interaction) -> None:
            deleted = await self.services.drafts.delete(owner, found.id)
            await button_interaction.response.edit_message(
                content=tr(button_interaction, "draft.deleted", id=deleted.id, title=deleted.title),
                embed=None,
                view=None,
                allowed_mentions=NO_MENTIONS,
            )

        await interaction.response.send_message(
            tr(interaction, "draft.delete_confirm", id=found.id, title=cut(found.title, 200)),
            view=ConfirmDelete(interaction, confirmed),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="publish", description="Publish a draft as a diary entry")
    @app_commands.describe(labels="Comma-separated labels, e.g. diary,travel")
    @draft_option()
    async def publish(
        self, interaction: Interaction, draft: int | None = None, labels: str | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = interaction.user
        author = Author(name=user.display_name, avatar_url=user.display_avatar.url)
        publishing = self.services.publishing
        job, _ = await publishing.publish(owner_of(interaction), draft, labels, author)
        job = await publishing.wait(job.id, PUBLISH_REPLY_WAIT)
        if job.state is JobState.PENDING:
            await interaction.followup.send(
                tr(interaction, "publish.delayed", id=job.draft_id), ephemeral=True
            )
            job = await publishing.wait(job.id, PUBLISH_LATE_WAIT)
            if job.state is JobState.PENDING:
                return  # still going; /draft list shows how it ends
        await self._report(interaction, job)

    async def _report(self, interaction: Interaction, job: PublishJob) -> None:
        if job.state is JobState.DONE:
            text = tr(interaction, "publish.done", number=job.issue_number, url=job.issue_url)
        else:
            error = self.services.publishing.error_for(job)
            text = tr(interaction, error.key, **error.values)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @append.autocomplete("draft")
    @show.autocomplete("draft")
    @edit.autocomplete("draft")
    @delete.autocomplete("draft")
    @publish.autocomplete("draft")
    async def draft_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        drafts = await self.services.drafts.list(owner_of(interaction), query=current.lstrip("#"))
        return [
            app_commands.Choice(
                name=cut(f"#{d.id} {d.title} · {_render.status(interaction, d)}", CHOICE_NAME),
                value=d.id,
            )
            for d in drafts
        ]
