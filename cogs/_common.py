"""What every cog needs: the owner of an interaction, its language, and the access check."""

from __future__ import annotations

from typing import Any

import discord

from bot import i18n
from bot.client import Denied, DiaryBot
from bot.errors import NotAllowed
from bot.models import Owner
from bot.services.access import MemberFacts, Need

Interaction = discord.Interaction[DiaryBot]


def owner_of(interaction: Interaction) -> Owner:
    assert interaction.guild_id is not None
    return Owner(interaction.guild_id, interaction.user.id)


def tr(interaction: Interaction, key: str, **values: Any) -> str:
    """A message in the interaction's language."""
    return i18n.t(str(interaction.locale), key, **values)


def member_facts(interaction: Interaction) -> MemberFacts:
    """The member behind an interaction, as the access check sees them."""
    user = interaction.user
    roles = frozenset(role.id for role in user.roles) if isinstance(user, discord.Member) else ()
    return MemberFacts(
        guild_id=interaction.guild_id if isinstance(user, discord.Member) else None,
        user_id=user.id,
        role_ids=frozenset(roles),
        manage_guild=interaction.permissions.manage_guild,
    )


async def check_access(interaction: Interaction, need: Need = Need.WRITE) -> None:
    """The one access check (bot/services/access.py), raised as a localized Denied."""
    try:
        await interaction.client.services.access.check(member_facts(interaction), need)
    except NotAllowed as refused:
        raise Denied(refused.key, **refused.values) from None


async def check_writer(interaction: Interaction) -> bool:
    """Only the author role (or Manage Server while none is set) may draft and publish."""
    await check_access(interaction, Need.WRITE)
    return True
