"""Patient start-up: which failures are worth waiting for, and how long to wait."""

from __future__ import annotations

import asyncio
import logging
import socket

import aiohttp
import discord
import pytest

from bot.startup import retry_cap, retry_delays, unreachable_reason, until_reachable


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _refused() -> None:
    async with aiohttp.ClientSession() as session:
        await session.get(f"http://127.0.0.1:{_closed_port()}/")


async def test_connection_refused_is_worth_waiting_for():
    """A real refused connection reads as one short reason."""
    with pytest.raises(aiohttp.ClientError) as raised:
        await _refused()
    assert unreachable_reason(raised.value) == "connection refused"


def test_name_resolution_failure_is_worth_waiting_for():
    """DNS not answering (a boot before the network) is said in plain words."""
    key = aiohttp.client_reqrep.ConnectionKey("discord.com", 443, True, True, None, None, None)
    error = aiohttp.ClientConnectorError(key, socket.gaierror(-3, "Temporary failure"))
    assert unreachable_reason(error) == "name resolution failed"


def test_a_rejected_token_is_not_waited_for():
    """Waiting cannot fix a rejected token, nor a programming error."""
    assert unreachable_reason(discord.LoginFailure("Improper token has been passed.")) is None
    assert unreachable_reason(ValueError("bug")) is None


def test_waits_double_up_to_the_cap():
    """5, 10, 20, 40, 60, 60 … seconds; a test cap shortens every wait."""
    delays = retry_delays()
    assert [delays() for _ in range(6)] == [5, 10, 20, 40, 60, 60]
    short = retry_delays(1)
    assert [short() for _ in range(3)] == [1, 1, 1]
    assert retry_cap({}) == 60
    assert retry_cap({"DIARY_BOT_START_RETRY_CAP": "0.5"}) == 0.5
    assert retry_cap({"DIARY_BOT_START_RETRY_CAP": "3600"}) == 60
    assert retry_cap({"DIARY_BOT_START_RETRY_CAP": "soon"}) == 60


async def test_until_reachable_logs_one_line_per_failed_attempt(caplog):
    """Two refused attempts: two warnings naming host, reason and wait; then success."""
    attempts = []

    async def attempt() -> None:
        attempts.append(1)
        if len(attempts) <= 2:
            await _refused()

    with caplog.at_level(logging.WARNING, logger="bot.startup"):
        assert await until_reachable(attempt, host="discord.com", cap=0.1)
    lines = [record.getMessage() for record in caplog.records]
    assert len(attempts) == 3
    assert lines == ["cannot reach 127.0.0.1: connection refused; retrying in 0.1 s"] * 2


async def test_until_reachable_stops_waiting_on_shutdown():
    """A shutdown while waiting ends the wait at once, without success."""
    stopped = asyncio.Event()

    async def attempt() -> None:
        stopped.set()
        await _refused()

    assert not await asyncio.wait_for(
        until_reachable(attempt, host="discord.com", cap=60, stopped=stopped), 5
    )


async def test_until_reachable_lets_other_failures_through():
    """A failure that is not about reaching Discord propagates unchanged."""

    async def attempt() -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    with pytest.raises(discord.LoginFailure):
        await until_reachable(attempt, host="discord.com", cap=0.1)
