"""Fixtures for tests/bot: the gateway on the local GitHub fake, services wired as in the app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import Services
from bot.github_gateway import GitHubGateway
from bot.settings import Settings
from tests.bot.builders import ALICE, FakeClock, FakeDirectory, FakeMembers, FakeSender

# Alice's server has two channels, the first being the configured default announcement channel;
# a second server has its own announcement channel set in its settings.
HOME_GUILD = ALICE.guild_id
HOME_CHANNEL = 300000000000000001
HOME_OTHER_CHANNEL = 300000000000000002
OTHER_GUILD = 100000000000000002
OTHER_CHANNEL = 300000000000000003


@pytest.fixture
def gateway(fake_github) -> GitHubGateway:
    """The real gateway (real PyGithub) talking HTTP to the fake, without write throttling."""
    return GitHubGateway("ghp_test", "alice/diary", fake_github.url, seconds_between_writes=0)


@pytest.fixture
def clock() -> FakeClock:
    # Near the real time: the gateway searches issues GitHub (the fake) stamped with real time.
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory(
        {HOME_GUILD: [HOME_CHANNEL, HOME_OTHER_CHANNEL], OTHER_GUILD: [OTHER_CHANNEL]}
    )


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def members() -> FakeMembers:
    return FakeMembers()


@pytest.fixture
async def services(store, gateway, fake_github, directory, sender, clock, members) -> Services:
    """Services and workers wired by Services.build, workers not started."""
    settings = Settings(
        discord_token="discord-token",
        github_token="ghp_test",
        github_repository="alice/diary",
        github_api_url=fake_github.url,
        announce_channel_id=HOME_CHANNEL,
    )
    await store.settings.update_guild_settings(
        OTHER_GUILD, clock.now(), announce_channel_id=OTHER_CHANNEL
    )

    async def ready() -> None:
        return None

    return Services.build(
        settings, store, gateway, directory, sender, clock, ready, members=members
    )
