"""/entry: published entries — list them, edit one, add to one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import DiaryBot, reply
from bot.errors import UserFacingError
from bot.limits import (
    AUTOCOMPLETE_CHOICES,
    CHOICE_NAME,
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    LIST_TITLE,
    MODAL_TEXT_INPUT,
    OPTION_TEXT,
    REPLY_TITLE,
    cut,
)
from bot.models import Entry, JobState
from bot.services.entries import MayChange, split_marker
from bot.services.publishing import TOKEN_REJECTED
from cogs._common import Interaction, check_owner, check_writer, owner_of, tr
from cogs._editors import custom_id, editor, refused, submission
from cogs._text import cmd

# A modal must be the first answer, within Discord's 3 s: the entry is fetched with less.
FETCH_FOR_MODAL_SECONDS = 2.0
# The kinds of editors this cog answers.
KINDS = ("entry_edit", "entry_add")
# How long `/entry add` waits for its comment before saying it is saved and will follow.
ADD_REPLY_WAIT = 20.0


@app_commands.guild_only()
class EntryCog(
    commands.GroupCog, group_name=cmd("cmd.entry"), group_description=cmd("cmd.entry.desc")
):
    def __init__(self, bot: DiaryBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def _quickly(self, checking: Awaitable[MayChange]) -> MayChange:
        """A check that must answer with a modal, within Discord's 3 s."""
        try:
            return await asyncio.wait_for(checking, FETCH_FOR_MODAL_SECONDS)
        except TimeoutError:
            raise UserFacingError("error.github_slow_for_editor") from None

    @app_commands.command(name=cmd("cmd.entry.list"), description=cmd("cmd.entry.list.desc"))
    async def list_(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        listing = await self.services.entries.recent(owner_of(interaction))
        if not listing.entries:
            key = "entry.list_empty_diary" if listing.repository else "entry.list_empty"
            await reply(interaction, tr(interaction, key, repository=listing.repository))
            return
        lines = [
            tr(
                interaction,
                "entry.list_line",
                number=entry.number,
                title=discord.utils.escape_markdown(cut(entry.title, LIST_TITLE)),
                url=url,
                when=discord.utils.format_dt(entry.created_at, "d"),
            )
            for entry, url in zip(listing.entries, listing.urls, strict=True)
        ]
        title = (
            tr(interaction, "entry.list_title_diary", repository=listing.repository)
            if listing.repository
            else tr(interaction, "entry.list_title")
        )
        embed = discord.Embed(
            title=cut(title, EMBED_TITLE), description=cut("\n".join(lines), EMBED_DESCRIPTION)
        )
        await reply(interaction, embed=embed)

    @app_commands.command(name=cmd("cmd.entry.edit"), description=cmd("cmd.entry.edit.desc"))
    @app_commands.rename(number=cmd("opt.number"))
    @app_commands.describe(number=cmd("opt.number.desc"))
    async def edit(self, interaction: Interaction, number: app_commands.Range[int, 1]) -> None:
        manage_guild = interaction.permissions.manage_guild
        entries = self.services.entries
        checked = await self._quickly(
            entries.to_edit(owner_of(interaction), number, manage_guild=manage_guild)
        )
        entry = checked.entry
        assert entry is not None
        text, _ = split_marker(entry.body)
        if len(text) > MODAL_TEXT_INPUT:
            raise UserFacingError(
                "error.entry_too_long_for_editor", limit=MODAL_TEXT_INPUT, url=entry.url
            )

        route = custom_id("entry_edit", number, interaction.user.id, checked.stamp)
        heading = tr(interaction, "modal.entry_heading")
        modal = editor(interaction, heading, route, title=entry.title, body=text)
        await interaction.response.send_modal(modal)

    @app_commands.command(name=cmd("cmd.entry.add"), description=cmd("cmd.entry.add.desc"))
    @app_commands.rename(number=cmd("opt.number"), text=cmd("opt.text"))
    @app_commands.describe(number=cmd("opt.number.desc"), text=cmd("opt.addendum.desc"))
    async def add(
        self,
        interaction: Interaction,
        number: app_commands.Range[int, 1],
        text: app_commands.Range[str, 1, OPTION_TEXT] | None = None,
    ) -> None:
        if text is None:  # a multi-line editor: slash command options hold one line
            owner = owner_of(interaction)
            checked = await self._quickly(
                self.services.entries.check_may_change(
                    owner.guild_id,
                    owner.user_id,
                    number,
                    manage_guild=interaction.permissions.manage_guild,
                )
            )
            route = custom_id("entry_add", number, interaction.user.id, checked.stamp)
            heading = tr(interaction, "modal.entry_add_heading", number=number)
            modal = editor(interaction, heading, route, body_key="modal.append_label")
            await interaction.response.send_modal(modal)
            return
        await self._add(interaction, number, text)

    async def _add(
        self, interaction: Interaction, number: int, text: str, stamp: int | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        job = await self.services.entries.add(
            owner_of(interaction),
            number,
            text,
            manage_guild=interaction.permissions.manage_guild,
            stamp=stamp,
            wait=ADD_REPLY_WAIT,
        )
        if job.state is JobState.PENDING:
            key = "entry.add_saved"
            if job.error_key == TOKEN_REJECTED:
                # Whose token: the member's own (connect again) or the server's (the operator).
                own = job.target is not None
                key = "entry.add_connect_again" if own else "entry.add_token_rejected"
            await reply(interaction, tr(interaction, key, number=number))
            return
        await reply(interaction, tr(interaction, "entry.added", number=number, url=job.comment_url))

    async def _save_edit(
        self, interaction: Interaction, number: int, title: str, body: str, stamp: int
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        saved = await self.services.entries.save_edit(
            owner_of(interaction),
            number,
            title,
            body,
            manage_guild=interaction.permissions.manage_guild,
            stamp=stamp,
        )
        await reply(interaction, tr(interaction, "entry.edited", **_values(saved)))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """Submissions of entry editors, routed by their custom_id (see cogs/_editors.py)."""
        found = submission(interaction, KINDS)
        if found is None:
            return
        try:
            check_owner(interaction, found.owner_id)
            await check_writer(interaction)  # the one access check: editors skip the tree's
            if found.kind == "entry_add":
                await self._add(interaction, found.target, found.body, found.revision)
            else:
                await self._save_edit(
                    interaction, found.target, found.title, found.body, found.revision
                )
        except Exception as error:  # a listener's errors would only be logged
            await refused(interaction, found, error)

    @edit.autocomplete("number")
    @add.autocomplete("number")
    async def number_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        try:
            listing = await asyncio.wait_for(
                self.services.entries.recent(owner_of(interaction)), 2.0
            )
        except (TimeoutError, UserFacingError):
            return []
        needle = current.strip().lstrip("#").lower()
        return [
            app_commands.Choice(name=cut(f"#{e.number} {e.title}", CHOICE_NAME), value=e.number)
            for e in listing.entries
            if needle in f"{e.number} {e.title.lower()}"
        ][:AUTOCOMPLETE_CHOICES]


def _values(entry: Entry) -> dict[str, object]:
    return {"number": entry.number, "title": cut(entry.title, REPLY_TITLE), "url": entry.url}
