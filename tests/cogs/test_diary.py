"""/diary: settings, help, status, the daily reminder and stats, each run in process."""

from __future__ import annotations

from bot import i18n
from tests.cogs.conftest import en

AUTOCOMPLETE_RESULT = 8


async def test_config_saves_the_options_and_shows_every_setting(drive, bot):
    """/diary-admin config timezone: title_format: saves them and replies with the whole summary."""
    recorded = await drive.slash(
        "owner", "diary-admin", "config", {"timezone": "Asia/Tokyo", "title_format": "%Y年%m月%d日"}
    )

    reply = recorded.wait_final()
    assert reply["content"].startswith(en("config.saved"))
    assert "Asia/Tokyo" in reply["content"] and "%Y年%m月%d日" in reply["content"]
    settings = await bot.services.server_settings.get(int(drive.fake.world.guild_id))
    assert (settings.timezone, settings.title_format) == ("Asia/Tokyo", "%Y年%m月%d日")


async def test_config_without_options_shows_the_settings(drive):
    """/diary-admin config alone changes nothing and shows the current settings."""
    reply = (await drive.slash("owner", "diary-admin", "config")).wait_final()

    assert reply["content"].startswith(en("config.current"))


async def test_config_refuses_a_bad_time_zone(drive):
    """A time zone name that does not exist is refused with the name."""
    reply = (
        await drive.slash("owner", "diary-admin", "config", {"timezone": "Mars/Base"})
    ).wait_final()

    assert reply["content"] == en("error.bad_timezone", name="Mars/Base")


async def test_config_needs_manage_server(drive):
    """A member without Manage Server cannot change the settings."""
    recorded = await drive.slash("outsider", "diary-admin", "config", {"timezone": "UTC"})

    assert recorded.wait_final()["content"] == en("error.manage_guild_required")


async def test_timezone_autocomplete_puts_prefix_matches_first(drive):
    """Typing "tok" offers Asia/Tokyo among the zones."""
    recorded = await drive.slash(
        "owner", "diary-admin", "config", {"timezone": "tokyo"}, focused="timezone"
    )

    assert recorded.response_type == AUTOCOMPLETE_RESULT
    assert [c["value"] for c in recorded.responses[0]["data"]["choices"]] == ["Asia/Tokyo"]


async def test_help_explains_in_the_members_language(drive):
    """/diary help: the guide, in Japanese for a Japanese client."""
    reply = (await drive.slash("outsider", "diary", "help", locale="ja")).wait_final()

    (embed,) = reply["embeds"]
    assert embed["title"] == i18n.t("ja", "help.title")


async def test_status_shows_jobs_and_the_database_size(drive):
    """/diary-admin status for an admin: the status embed, with the database size in KB or MB."""
    reply = (await drive.slash("owner", "diary-admin", "status")).wait_final()

    (embed,) = reply["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == en("status.title")
    assert fields[en("status.database")].endswith((" KB", " MB"))


async def test_status_is_for_admins_only(drive):
    """/diary-admin status by a member without Manage Server is refused."""
    reply = (await drive.slash("author", "diary-admin", "status")).wait_final()

    assert reply["content"] == en("error.manage_guild_required")


async def test_reminder_is_none_then_set_then_off(drive):
    """/diary-admin reminder: none set; time: sets it; time:off turns it off."""
    none = (await drive.slash("owner", "diary-admin", "reminder")).wait_final()
    saved = (await drive.slash("owner", "diary-admin", "reminder", {"time": "21:00"})).wait_final()
    off = (await drive.slash("owner", "diary-admin", "reminder", {"time": "off"})).wait_final()

    assert none["content"] == en("reminder.none", timezone="UTC")
    assert saved["content"].startswith(en("reminder.saved"))
    assert off["content"] == en("reminder.off")


async def test_stats_of_a_member_without_entries(drive):
    """/diary stats before any entry: says the member has none yet."""
    reply = (await drive.slash("owner", "diary", "stats")).wait_final()

    assert reply["content"] == en("stats.none", name="Owner")


async def test_stats_after_an_entry_come_with_the_year_picture(drive):
    """/diary stats after publishing: the stats embed and the calendar picture."""
    await drive.slash("owner", "draft", "new", {"title": "Day", "body": "Text."})
    (await drive.slash("owner", "draft", "publish")).wait_final()

    reply = (await drive.slash("owner", "diary", "stats")).wait_final()

    assert reply["embeds"][0]["title"] == en("stats.title", name="Owner")
    assert [a["filename"].endswith(".png") for a in reply["attachments"]] == [True]


async def test_config_finds_the_channel_and_role_by_name_and_refuses_unknown_ones(drive, bot):
    """announce_channel and author_role typed by hand: "#name" and "@name" are found; a role
    the server does not have is refused by name and nothing is stored."""
    world = drive.fake.world
    options = {"announce_channel": "#writing", "author_role": "@Author"}
    saved = (await drive.slash("owner", "diary-admin", "config", options)).wait_final()
    refused = (
        await drive.slash("owner", "diary-admin", "config", {"author_role": "@Nobody"})
    ).wait_final()

    assert saved["content"].startswith(en("config.saved"))
    settings = await bot.services.server_settings.get(int(world.guild_id))
    assert settings.announce_channel_id == int(world.channel_ids["writing"])
    assert settings.author_role_id == int(world.role_ids["Author"])
    assert refused["content"] == en("error.unknown_role", name="@Nobody")
