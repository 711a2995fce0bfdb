"""What every cog needs: the owner of an interaction, its language, and the access check."""

from __future__ import annotations

from typing import Any

import discord

from bot import i18n
from bot.client import Denied, DiaryBot
from bot.models import Owner
from bot.services.access import may_write

Interaction = discord.Interaction[DiaryBot]


def owner_of(interaction: Interaction) -> Owner:
    assert interaction.guild_id is not None
    return Owner(interaction.guild_id, interaction.user.id)


def tr(interaction: Interaction, key: str, **values: Any) -> str:
    """A message in the interaction's language."""
    return i18n.t(str(interaction.locale), key, **values)


async def check_writer(interaction: Interaction) -> bool:
    """Only the author role (or Manage Server while none is set) may draft and publish."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        raise Denied("error.guild_only")
    settings = await interaction.client.services.store.get_guild_settings(interaction.guild_id)
    role_ids = [role.id for role in member.roles]
    if may_write(settings, role_ids, member.guild_permissions.manage_guild):
        return True
    if settings.author_role_id is not None:
        raise Denied("error.author_role_required", role=f"<@&{settings.author_role_id}>")
    raise Denied("error.no_author_role")
