"""ServerSettingsService: what /diary config stores and what the cogs read back."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.server_settings import ServerSettingsService
from tests.bot.builders import ALICE, T0, FakeClock


@pytest.fixture
def server_settings(store) -> ServerSettingsService:
    return ServerSettingsService(store, FakeClock(T0))


async def test_get_gives_the_defaults_for_a_server_never_configured(server_settings):
    """A server nobody configured reads as UTC with no template, role or channel."""
    settings = await server_settings.get(ALICE.guild_id)

    assert settings.timezone == "UTC"
    assert (settings.author_role_id, settings.title_format, settings.body_template) == (
        None,
        None,
        None,
    )


async def test_get_reads_back_what_update_stored(server_settings):
    """What /diary config saved is what a later command reads."""
    await server_settings.update(ALICE.guild_id, timezone="Asia/Tokyo", body_template="a\\nb")

    settings = await server_settings.get(ALICE.guild_id)

    assert (settings.timezone, settings.body_template) == ("Asia/Tokyo", "a\nb")


async def test_update_refuses_an_unknown_time_zone_and_stores_nothing(server_settings):
    """A bad time zone is refused before anything is stored."""
    with pytest.raises(InvalidInput):
        await server_settings.update(ALICE.guild_id, timezone="Mars/Olympus", title_format="%Y")

    assert (await server_settings.get(ALICE.guild_id)).title_format is None
