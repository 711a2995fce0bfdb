"""Who may act, and in which servers: the one check every entry point goes through."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.errors import NotAllowed, UserFacingError
from bot.models import Owner
from bot.services.store_ports import GuildSettingsRecords


class Need(StrEnum):
    """What an action asks of the member."""

    SERVE = "serve"  # any member of a server this bot serves (help)
    WRITE = "write"  # the author role, or Manage Server while none is set
    MANAGE = "manage"  # Manage Server


@dataclass(frozen=True)
class MemberFacts:
    """What Discord says about a member, as the access check needs it."""

    guild_id: int | None  # None: not in a server (a direct message)
    user_id: int
    role_ids: frozenset[int]
    manage_guild: bool


class MemberLookup(Protocol):
    """The member as Discord knows them now; None if they are not in the server (or the bot is
    not); raises AccessUnknown when Discord cannot be asked."""

    async def __call__(self, guild_id: int, user_id: int) -> MemberFacts | None: ...


class AccessUnknown(UserFacingError):
    """Whether the member may act could not be learnt (Discord unreachable): try again later."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("error.access_unknown", detail=detail)


async def _nobody(guild_id: int, user_id: int) -> MemberFacts | None:
    return None


class AccessService:
    """The allow-list of servers (DISCORD_GUILD_ID) and each server's author rule."""

    def __init__(
        self,
        settings: GuildSettingsRecords,
        allowed_guilds: Collection[int] = (),
        members: MemberLookup | None = None,
    ) -> None:
        self._settings = settings
        self._allowed = frozenset(allowed_guilds)
        self._members = members or _nobody  # None: nobody is found (tests)

    @property
    def allowed_guilds(self) -> frozenset[int]:
        """The servers served; empty: every server."""
        return self._allowed

    def serves(self, guild_id: int | None) -> bool:
        """Whether the bot works for this server (outside servers it only refuses)."""
        if not self._allowed:
            return True
        return guild_id is not None and guild_id in self._allowed

    async def check(self, member: MemberFacts, need: Need = Need.WRITE) -> None:
        """Raise NotAllowed, with the localized reason, unless `member` may do what `need`s."""
        if not self.serves(member.guild_id):
            raise NotAllowed("error.server_not_served")
        if member.guild_id is None:
            raise NotAllowed("error.guild_only")
        if need is Need.SERVE:
            return
        if need is Need.MANAGE:
            if not member.manage_guild:
                raise NotAllowed("error.manage_guild_required")
            return
        settings = await self._settings.get_guild_settings(member.guild_id)
        if settings.author_role_id is not None:
            if settings.author_role_id not in member.role_ids:
                raise NotAllowed(
                    "error.author_role_required", role=f"<@&{settings.author_role_id}>"
                )
        elif not member.manage_guild:
            raise NotAllowed("error.no_author_role")

    async def check_author(self, owner: Owner) -> None:
        """For work done later in a member's name (a scheduled publish): may they still write?
        Looks the member up now; NotAllowed if they left or lost the author role."""
        if not self.serves(owner.guild_id):
            raise NotAllowed("error.server_not_served")
        member = await self._members(owner.guild_id, owner.user_id)
        if member is None:
            raise NotAllowed("error.author_gone")
        await self.check(member, Need.WRITE)
