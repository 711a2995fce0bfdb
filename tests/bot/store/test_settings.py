"""Per-server settings and the small key/value state."""

from __future__ import annotations

from bot.models import GuildSettings
from tests.bot.builders import T0

GUILD = 100000000000000001
CHANNEL = 300000000000000001
ROLE = 400000000000000001


async def test_unknown_guild_gets_defaults(store):
    """A server with nothing stored gets the default settings."""
    assert await store.settings.get_guild_settings(GUILD) == GuildSettings(GUILD)


async def test_update_stores_the_given_settings(store):
    """Updated settings are returned and read back."""
    updated = await store.settings.update_guild_settings(GUILD, T0, announce_channel_id=CHANNEL)

    assert updated == GuildSettings(GUILD, announce_channel_id=CHANNEL)
    assert await store.settings.get_guild_settings(GUILD) == updated


async def test_update_leaves_unmentioned_settings_alone(store):
    """Changing one setting keeps the others as they were."""
    await store.settings.update_guild_settings(
        GUILD, T0, announce_channel_id=CHANNEL, timezone="Asia/Tokyo"
    )

    updated = await store.settings.update_guild_settings(GUILD, T0, author_role_id=ROLE)

    assert updated == GuildSettings(GUILD, CHANNEL, ROLE, "Asia/Tokyo")


async def test_none_clears_a_setting(store):
    """Passing None clears a setting."""
    await store.settings.update_guild_settings(
        GUILD, T0, announce_channel_id=CHANNEL, author_role_id=ROLE
    )

    cleared = await store.settings.update_guild_settings(GUILD, T0, announce_channel_id=None)

    assert cleared == GuildSettings(GUILD, announce_channel_id=None, author_role_id=ROLE)


async def test_settings_are_per_guild(store):
    """One server's settings do not leak into another's."""
    await store.settings.update_guild_settings(GUILD, T0, announce_channel_id=CHANNEL)

    assert await store.settings.get_guild_settings(GUILD + 1) == GuildSettings(GUILD + 1)
    assert [s.guild_id for s in await store.settings.list_guild_settings()] == [GUILD]


async def test_unknown_value_is_none(store):
    """A key never set reads as None."""
    assert await store.settings.get_value("commands_hash") is None


async def test_value_is_stored_and_overwritten(store):
    """set_value stores a value and a second set replaces it."""
    await store.settings.set_value("commands_hash", "one")
    await store.settings.set_value("commands_hash", "two")

    assert await store.settings.get_value("commands_hash") == "two"
