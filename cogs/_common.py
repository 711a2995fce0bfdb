"""What every cog needs: the owner of an interaction, its language, and the access check."""

from __future__ import annotations

from typing import Any

import discord

from bot import i18n
from bot.client import DiaryBot, report_error
from bot.errors import NotAllowed
from bot.models import Owner
from bot.services.access import MemberFacts, Need

Interaction = discord.Interaction[DiaryBot]
# A command's `extras` key naming what it needs (a Need value); WRITE when no command or
# group up its chain names one.
ACCESS = "access"


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
    """The one access check (bot/services/access.py): NotAllowed, with the reason."""
    await interaction.client.services.access.check(member_facts(interaction), need)


async def check_writer(interaction: Interaction) -> bool:
    """Only the author role (or Manage Server while none is set) may draft and publish."""
    await check_access(interaction, Need.WRITE)
    return True


def check_owner(interaction: Interaction, owner_id: int) -> None:
    """Buttons and editors are for the member they were made for: NotAllowed for others."""
    if interaction.user.id != owner_id:
        raise NotAllowed("error.not_yours")


class OwnerOnly:
    """Mixed into a button (`DynamicItem`) or a view: only `owner_id` may use it; anyone
    else is told, in their language, that it is not theirs."""

    owner_id: int

    async def interaction_check(self, interaction: Interaction) -> bool:
        try:
            check_owner(interaction, self.owner_id)
        except NotAllowed as refused:
            await report_error(interaction, refused)
            return False
        return True


def need_of(interaction: Interaction) -> Need:
    """What the interaction's command (or its group) declares in `extras`; WRITE by default."""
    command: Any = interaction.command
    while command is not None:
        need = command.extras.get(ACCESS)
        if need is not None:
            return Need(need)
        command = getattr(command, "parent", None)
    return Need.WRITE


async def gate(interaction: Interaction) -> bool:
    """The check before every slash command, context menu and autocomplete (installed as the
    client's gate): the same access check as buttons and editors. Autocomplete answers members
    who may not act with no choices, so nothing leaks and GitHub is not asked."""
    try:
        await check_access(interaction, need_of(interaction))
    except NotAllowed:
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
            return False
        raise
    return True


def install_gate(bot: DiaryBot) -> None:
    """Make `gate` the check of every application command (each feature's setup calls it)."""
    bot.gate = gate  # type: ignore[assignment]
