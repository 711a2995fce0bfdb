"""The one access check: served servers, the author role, Manage Server, and members looked up
again for work done later in their name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import NotAllowed
from bot.models import Owner
from bot.services.access import AccessService, MemberFacts, Need

HOME, OTHER = 100000000000000001, 100000000000000002
ROLE = 400000000000000001
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def member(guild: int | None = HOME, roles: tuple[int, ...] = (), manage: bool = False):
    return MemberFacts(guild, 200000000000000001, frozenset(roles), manage)


async def refusal(access: AccessService, facts: MemberFacts, need: Need) -> str | None:
    try:
        await access.check(facts, need)
    except NotAllowed as error:
        return error.key
    return None


async def test_a_server_off_the_list_is_refused_whatever_the_member_may_do(store):
    """With an allow-list, even a server's owner (Manage Server) is refused in another server."""
    access = AccessService(store.settings, [HOME])

    for need in Need:
        assert await refusal(access, member(OTHER, manage=True), need) == "error.server_not_served"
    assert await refusal(access, member(HOME, manage=True), Need.WRITE) is None


async def test_without_a_list_every_server_is_served(store):
    """No DISCORD_GUILD_ID: every server is served."""
    access = AccessService(store.settings)

    assert access.serves(OTHER) and access.serves(HOME)
    assert await refusal(access, member(OTHER, manage=True), Need.WRITE) is None


async def test_writing_needs_the_author_role_once_one_is_set(store):
    """Manage Server writes while no author role is set; once set, only the role writes."""
    access = AccessService(store.settings, [HOME])
    assert await refusal(access, member(manage=True), Need.WRITE) is None
    assert await refusal(access, member(), Need.WRITE) == "error.no_author_role"

    await store.settings.update_guild_settings(HOME, NOW, author_role_id=ROLE)

    assert await refusal(access, member(manage=True), Need.WRITE) == "error.author_role_required"
    assert await refusal(access, member(roles=(ROLE,)), Need.WRITE) is None


async def test_managing_needs_manage_server_and_help_needs_nothing(store):
    """MANAGE asks for Manage Server (the author role is not enough); SERVE for nothing."""
    access = AccessService(store.settings, [HOME])
    await store.settings.update_guild_settings(HOME, NOW, author_role_id=ROLE)

    assert await refusal(access, member(roles=(ROLE,)), Need.MANAGE) == (
        "error.manage_guild_required"
    )
    assert await refusal(access, member(manage=True), Need.MANAGE) is None
    assert await refusal(access, member(), Need.SERVE) is None
    assert await refusal(access, member(guild=None), Need.SERVE) == "error.server_not_served"


@pytest.mark.parametrize(
    ("found", "key"),
    [
        (None, "error.author_gone"),
        (member(), "error.author_role_required"),
        (member(roles=(ROLE,)), None),
    ],
)
async def test_an_author_is_looked_up_again_for_later_work(store, found, key):
    """check_author asks Discord (through the port) who the member is now."""
    asked = []

    async def lookup(guild_id: int, user_id: int) -> MemberFacts | None:
        asked.append((guild_id, user_id))
        return found

    access = AccessService(store.settings, [HOME], lookup)
    await store.settings.update_guild_settings(HOME, NOW, author_role_id=ROLE)
    owner = Owner(HOME, 200000000000000001)

    try:
        await access.check_author(owner)
        refused = None
    except NotAllowed as error:
        refused = error.key

    assert refused == key
    assert asked == [(HOME, owner.user_id)]
