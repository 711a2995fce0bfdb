"""Pytest fixtures for the fake Discord. Use from a conftest.py:

    from tests.fakes.discord_fixtures import fake_discord, fake_discord_strict  # noqa: F401

`fake_discord` starts a `FakeDiscord` for one test; `fake_discord_strict` additionally fails the
test if the bot broke a contract/limit or called an unknown route. Start the bot subprocess
with `env={**os.environ, **fake.bot_env()}` (see `FakeDiscord.bot_env`), then
`fake.wait_ready()` / `fake.wait_commands()`; stop the bot before the fixture ends (otherwise it
keeps trying to reconnect to the stopped fake).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.discord_server import FakeDiscord


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_discord_strict(fake_discord: FakeDiscord) -> Iterator[FakeDiscord]:
    yield fake_discord
    assert fake_discord.violations == [], "\n".join(fake_discord.violations)
    assert fake_discord.unknown_routes == [], fake_discord.unknown_routes
