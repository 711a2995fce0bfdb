"""The bot's permissions in a channel as `diary-bot check` finds them: discord.py's public REST
methods (`Client.login`, `fetch_guild`, `fetch_channel`, `fetch_member`) and `permissions_for`,
against the local Discord, compared with the fake world's own computation of Discord's rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.ops.discord_probe import DiscordProbe, ProbeError
from tests.fakes.discord_server import FakeDiscord, patch_discord_py

# Bit positions from https://discord.com/developers/docs/topics/permissions
ADMINISTRATOR = 1 << 3
MENTION_EVERYONE = 1 << 17
SEND_TTS = 1 << 12
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_HISTORY = 1 << 16
NEEDED = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as fake, patch_discord_py(fake):
        yield fake
        assert fake.violations == [], fake.violations
        assert fake.unknown_routes == [], fake.unknown_routes


def implicit(value: int) -> int:
    """Discord's implicit rules, which the fake world's computation leaves out."""
    if not value & SEND_MESSAGES:
        value &= ~(SEND_TTS | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES)
    return value if value & VIEW_CHANNEL else 0


async def computed(fake: FakeDiscord, key: str, channel: str) -> int:
    world = fake.world
    member = world.bot_member if key == "bot" else world.member(key)
    async with DiscordProbe(fake.token) as probe:
        await probe.login()
        access = await probe.channel_access(int(world.channel_ids[channel]), int(member.id))
    return access.permissions


@pytest.mark.parametrize("key", ["bot", "admin", "author", "outsider"])
@pytest.mark.parametrize("channel", ["announcements", "writing"])
async def test_matches_the_fake_worlds_computation(fake, key, channel):
    """Roles and overwrites give what the fake Discord computes (plus the implicit rules)."""
    world = fake.world
    member = world.bot_member if key == "bot" else world.member(key)
    expected = implicit(world.permissions(member, world.channel(channel)))
    assert await computed(fake, key, channel) & NEEDED == expected & NEEDED


async def test_everyone_deny_is_lifted_by_the_bots_role_allow(fake):
    """#announcements denies Send Messages to @everyone but allows it to the bot's role."""
    assert await computed(fake, "bot", "announcements") & NEEDED == NEEDED
    assert await computed(fake, "outsider", "announcements") & SEND_MESSAGES == 0


async def test_a_member_overwrite_beats_role_overwrites(fake):
    """A deny for the bot itself removes Send Messages and, implicitly, Embed Links."""
    world = fake.world
    world.channel("announcements")["permission_overwrites"].append(
        {"id": world.bot_member.id, "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
    )
    assert await computed(fake, "bot", "announcements") & NEEDED == VIEW_CHANNEL


async def test_administrator_ignores_overwrites(fake):
    """A role with Administrator has every permission whatever the channel says."""
    world = fake.world
    world.roles[world.role_ids["Author"]]["permissions"] = str(ADMINISTRATOR)
    world.channel("announcements")["permission_overwrites"].append(
        {"id": world.role_ids["Author"], "type": 0, "allow": "0", "deny": str(NEEDED)}
    )
    assert await computed(fake, "author", "announcements") & NEEDED == NEEDED


async def test_the_owner_has_every_permission(fake):
    """The server owner's permissions are all of them."""
    assert await computed(fake, "owner", "announcements") & NEEDED == NEEDED


async def test_a_timed_out_member_may_only_read(fake):
    """While timed out, a member keeps View Channel and Read Message History only."""
    until = datetime.now(UTC) + timedelta(hours=1)
    fake.world.member("author").timed_out_until = until.isoformat()
    assert await computed(fake, "author", "writing") & (NEEDED | READ_HISTORY) == (
        VIEW_CHANNEL | READ_HISTORY
    )


async def test_a_rejected_token_is_unauthorized(fake):
    """Discord's 401 on login is a ProbeError of kind `unauthorized`."""
    async with DiscordProbe("not-the-token") as probe:
        with pytest.raises(ProbeError) as raised:
            await probe.login()
    assert raised.value.kind == "unauthorized"
