"""The bot's permissions in a channel, computed from Discord's payloads as Discord documents it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ops.discord_probe import channel_permissions
from tests.fakes.discord_world import Snowflakes, World

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


def implicit(value: int) -> int:
    """Discord's implicit rules, which the fake world's computation leaves out."""
    if not value & SEND_MESSAGES:
        value &= ~(SEND_TTS | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES)
    return value if value & VIEW_CHANNEL else 0


def computed(world: World, key: str, channel: str) -> int:
    member = world.bot_member if key == "bot" else world.member(key)
    return channel_permissions(
        world.guild_payload(), world.member_payload(member), world.channel(channel), int(member.id)
    )


@pytest.mark.parametrize("key", ["bot", "admin", "author", "outsider"])
@pytest.mark.parametrize("channel", ["announcements", "writing"])
def test_matches_the_fake_worlds_computation(key, channel):
    """Roles and overwrites give what the fake Discord computes (plus the implicit rules)."""
    world = World(Snowflakes())
    member = world.bot_member if key == "bot" else world.member(key)
    expected = implicit(world.permissions(member, world.channel(channel)))
    assert computed(world, key, channel) & NEEDED == expected & NEEDED


def test_everyone_deny_is_lifted_by_the_bots_role_allow():
    """#announcements denies Send Messages to @everyone but allows it to the bot's role."""
    world = World(Snowflakes())
    assert computed(world, "bot", "announcements") & NEEDED == NEEDED
    assert computed(world, "outsider", "announcements") & SEND_MESSAGES == 0


def test_a_member_overwrite_beats_role_overwrites():
    """A deny for the bot itself removes Send Messages and, implicitly, Embed Links."""
    world = World(Snowflakes())
    channel = world.channel("announcements")
    channel["permission_overwrites"].append(
        {"id": world.bot_member.id, "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
    )
    assert computed(world, "bot", "announcements") & NEEDED == VIEW_CHANNEL


def test_administrator_ignores_overwrites():
    """A role with Administrator has every permission whatever the channel says."""
    world = World(Snowflakes())
    world.roles[world.role_ids["Author"]]["permissions"] = str(ADMINISTRATOR)
    channel = world.channel("announcements")
    channel["permission_overwrites"].append(
        {"id": world.role_ids["Author"], "type": 0, "allow": "0", "deny": str(NEEDED)}
    )
    assert computed(world, "author", "announcements") & NEEDED == NEEDED


def test_the_owner_has_every_permission():
    """The server owner's permissions are all of them."""
    world = World(Snowflakes())
    assert computed(world, "owner", "announcements") & NEEDED == NEEDED


def test_a_timed_out_member_may_only_read():
    """While timed out, a member keeps View Channel and Read Message History only."""
    world = World(Snowflakes())
    payload = world.member_payload(world.bot_member)
    payload["communication_disabled_until"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    value = channel_permissions(
        world.guild_payload(),
        payload,
        world.channel("writing"),
        int(world.bot_member.id),
    )
    assert value & (NEEDED | READ_HISTORY) == VIEW_CHANNEL | READ_HISTORY
