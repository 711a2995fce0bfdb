"""The end-to-end rig: each test gets fresh fakes, a fresh database and a bot to start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import GITHUB_TOKEN, Rig
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.github_server import FakeGitHub

PROPERTY = "slowest_first_response"
SLOWEST: list[tuple[float, str]] = []  # (seconds, test) as reports arrive in this process


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect each test's slowest first response (also from pytest-xdist workers)."""
    if report.when == "teardown":
        SLOWEST.extend(
            (value, report.nodeid) for name, value in report.user_properties if name == PROPERTY
        )


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """Print the slowest first response to an interaction across the e2e suite."""
    times = SLOWEST
    if times:
        seconds, test = max(times)
        terminalreporter.write_line(
            f"e2e: slowest first response to an interaction: {seconds * 1000:.0f} ms ({test}); "
            f"Discord's deadline is 3000 ms"
        )


@pytest.fixture
def rig(tmp_path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    """Fakes and a bot; after the test, the bot is stopped and both fakes must have seen only
    requests that match the official API descriptions and Discord's limits."""
    discord = FakeDiscord().start()
    github = FakeGitHub(owner="alice", repo="diary", token=GITHUB_TOKEN).start()
    test_rig = Rig(discord, github, tmp_path)
    try:
        yield test_rig
        slowest = discord.slowest_first_response
        if slowest is not None:
            request.node.user_properties.append((PROPERTY, slowest))
        status = test_rig.stop_bot()
        assert status in (None, 0), f"bot exited {status}:\n{test_rig.bot and test_rig.bot.log()}"
        assert discord.violations == [], "\n".join(discord.violations)
        assert discord.unknown_routes == [], discord.unknown_routes
        assert github.violations == [], "\n".join(github.violations)
        assert github.unhandled == [], github.unhandled
        log = test_rig.bot.log() if test_rig.bot else ""
        assert "Traceback" not in log, log
        for secret in (discord.token, GITHUB_TOKEN):
            assert secret not in log
    finally:
        if test_rig.bot is not None and test_rig.bot.running:
            test_rig.bot.kill()
        discord.stop()
        github.stop()
