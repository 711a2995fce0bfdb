"""/diary connect and /diary disconnect: a member's own diary repository, signed in through the
operator's GitHub App with GitHub's device flow (bot/services/connections.py does the work)."""

from __future__ import annotations

import asyncio
import logging

from discord import app_commands

from bot.app import Services
from bot.client import NO_MENTIONS, reply
from bot.errors import UserFacingError
from bot.limits import CHOICE_NAME, CHOICE_VALUE, cut
from cogs._common import Interaction, owner_of, tr
from cogs._text import cmd

log = logging.getLogger(__name__)

AUTOCOMPLETE_SECONDS = 2.5  # Discord drops autocomplete answers after 3 s
CHOICES = 25
LISTED = 10  # repositories named in the "signed in" reply


class ConnectCommands:
    """Mixed into the /diary group cog (DiaryCog): its commands join that group."""

    services: Services

    @app_commands.command(name=cmd("cmd.diary.connect"), description=cmd("cmd.diary.connect.desc"))
    @app_commands.rename(repository=cmd("opt.repository"))
    @app_commands.describe(repository=cmd("opt.repository.desc"))
    async def connect(
        self, interaction: Interaction, repository: app_commands.Range[str, 1, 140] | None = None
    ) -> None:
        connections = self.services.connections
        if not connections.enabled:
            await reply(interaction, tr(interaction, "connect.disabled"))
            return
        owner = owner_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if repository is not None:
            chosen = await connections.choose(owner.guild_id, owner.user_id, repository)
            text = tr(
                interaction, "connect.chosen", repository=chosen.repository, login=chosen.login
            )
            await reply(interaction, text)
            return
        sign_in = await connections.sign_in(owner.guild_id, owner.user_id)
        await interaction.edit_original_response(
            content=tr(
                interaction,
                "connect.pending" if sign_in.joined else "connect.code",
                url=sign_in.verification_uri,
                code=sign_in.user_code,
                minutes=sign_in.minutes,
                time=int(sign_in.expires_at.timestamp()),
            ),
            allowed_mentions=NO_MENTIONS,
        )
        try:
            login = await connections.wait(sign_in)
            text = await self._signed_in(interaction, login)
        except UserFacingError as failure:
            text = tr(interaction, failure.key, **failure.values)
        await interaction.edit_original_response(
            content=cut(text, 2000), allowed_mentions=NO_MENTIONS
        )

    async def _signed_in(self, interaction: Interaction, login: str) -> str:
        owner = owner_of(interaction)
        connections = self.services.connections
        names = await connections.repositories(owner.guild_id, owner.user_id)
        if not names:
            key = "connect.no_repositories" if connections.install_url else "connect.no_repos_link"
            return tr(interaction, key, login=login, url=connections.install_url)
        listed = "\n".join(f"- `{name}`" for name in names[:LISTED])
        more = len(names) - LISTED
        if more > 0:
            listed += "\n" + tr(interaction, "connect.more", count=more)
        return tr(interaction, "connect.signed_in", login=login, repositories=listed)

    @connect.autocomplete("repository")
    async def repository_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        connections = self.services.connections
        if not connections.enabled or interaction.guild_id is None:
            return []
        try:
            names = await asyncio.wait_for(
                connections.repositories(interaction.guild_id, interaction.user.id),
                AUTOCOMPLETE_SECONDS,
            )
        except (TimeoutError, UserFacingError):
            return []
        needle = current.strip().lower()
        found = [name for name in names if needle in name.lower()]
        found.sort(key=lambda name: not name.lower().startswith(needle))
        return [
            app_commands.Choice(name=name[:CHOICE_NAME], value=name[:CHOICE_VALUE])
            for name in found[:CHOICES]
        ]

    @app_commands.command(
        name=cmd("cmd.diary.disconnect"), description=cmd("cmd.diary.disconnect.desc")
    )
    async def disconnect(self, interaction: Interaction) -> None:
        owner = owner_of(interaction)
        removed = await self.services.connections.disconnect(owner.guild_id, owner.user_id)
        await reply(
            interaction, tr(interaction, "disconnect.done" if removed else "disconnect.none")
        )
