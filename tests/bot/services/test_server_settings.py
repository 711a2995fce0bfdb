"""ServerSettingsService: what /diary-admin config stores and what the cogs read back."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import InvalidInput
from bot.services.server_settings import CLEAR, ServerSettingsService
from tests.bot.builders import ALICE, T0, FakeClock


@pytest.fixture
def server_settings(store) -> ServerSettingsService:
    return ServerSettingsService(store.settings, FakeClock(T0))


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
    """What /diary-admin config saved is what a later command reads."""
    await server_settings.update(ALICE.guild_id, timezone="Asia/Tokyo", body_template="a\\nb")

    settings = await server_settings.get(ALICE.guild_id)

    assert (settings.timezone, settings.body_template) == ("Asia/Tokyo", "a\nb")


async def test_update_refuses_an_unknown_time_zone_and_stores_nothing(server_settings):
    """A bad time zone is refused before anything is stored."""
    with pytest.raises(InvalidInput):
        await server_settings.update(ALICE.guild_id, timezone="Mars/Olympus", title_format="%Y")

    assert (await server_settings.get(ALICE.guild_id)).title_format is None


async def test_a_config_change_is_seen_by_the_next_interaction(server_settings, store):
    """Settings are kept in memory after the first read (every interaction reads them);
    a /diary-admin config change replaces them, so the very next read has the new role."""
    before = await store.settings.get_guild_settings(ALICE.guild_id)  # an interaction, kept
    assert before.author_role_id is None
    assert await store.settings.get_guild_settings(ALICE.guild_id) is before  # served from memory

    await server_settings.update(ALICE.guild_id, author_role_id=42, timezone="Asia/Tokyo")
    after = await store.settings.get_guild_settings(ALICE.guild_id)

    assert (after.author_role_id, after.timezone) == (42, "Asia/Tokyo")
    await server_settings.update(ALICE.guild_id, title_format=CLEAR)
    assert (await store.settings.get_guild_settings(ALICE.guild_id)).author_role_id == 42


async def test_a_read_that_raced_a_change_does_not_keep_the_old_settings(
    server_settings, store, monkeypatch
):
    """A read whose snapshot predates a change but which returns after it (the database
    thread answered, the loop resumed it late) is not kept in memory: the next read sees the
    change."""
    read_done, resume = asyncio.Event(), asyncio.Event()
    run_read = store._db.run_read

    async def late_read(work):
        result = await run_read(work)
        read_done.set()
        await resume.wait()
        return result

    monkeypatch.setattr(store._db, "run_read", late_read)
    reading = asyncio.create_task(store.settings.get_guild_settings(ALICE.guild_id))
    await read_done.wait()  # it has read the settings as they were
    await server_settings.update(ALICE.guild_id, author_role_id=7)
    resume.set()
    assert (await reading).author_role_id is None
    monkeypatch.setattr(store._db, "run_read", run_read)

    assert (await store.settings.get_guild_settings(ALICE.guild_id)).author_role_id == 7


async def test_the_first_admins_language_becomes_the_servers(server_settings):
    """The first configuring admin's language is kept; a later admin's does not replace it."""
    assert (await server_settings.get(ALICE.guild_id)).language is None

    first = await server_settings.update(ALICE.guild_id, first_language="ja")
    later = await server_settings.update(ALICE.guild_id, timezone="UTC", first_language="en")

    assert (first.language, later.language) == ("ja", "ja")


async def test_a_chosen_language_replaces_the_default(server_settings):
    """language: set explicitly wins over the first admin's language, also in one call."""
    await server_settings.update(ALICE.guild_id, first_language="ja")

    chosen = await server_settings.update(ALICE.guild_id, language="en", first_language="ja")

    assert chosen.language == "en"


async def test_configure_returns_the_settings_and_the_channel_in_effect(store):
    """configure: the stored settings and where announcements go (the default channel when
    the server has none of its own)."""

    async def default_channel(guild_id: int) -> int | None:
        return 77

    service = ServerSettingsService(
        store.settings, FakeClock(T0), channel_for_guild=default_channel
    )

    settings, channel = await service.configure(ALICE.guild_id, timezone="Asia/Tokyo")

    assert (settings.timezone, channel) == ("Asia/Tokyo", 77)


async def test_an_unknown_language_is_refused(server_settings):
    """Only ja and en have catalogues: anything else is refused and nothing is stored."""
    with pytest.raises(InvalidInput) as refused:
        await server_settings.update(ALICE.guild_id, language="fr")

    assert refused.value.key == "error.bad_language"
    assert (await server_settings.get(ALICE.guild_id)).language is None
