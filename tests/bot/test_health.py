"""The heartbeat: the file Docker's HEALTHCHECK reads and systemd's notify socket."""

from __future__ import annotations

import io
import os
import socket
import time

import pytest

from bot.health import Heartbeat, beat_interval, run_health, sd_notify


@pytest.fixture
def notify_socket(tmp_path):
    """A unix datagram socket standing in for systemd's; yields (its address, a reader)."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        server.settimeout(2)

        def received() -> list[str]:
            messages = []
            server.setblocking(False)
            try:
                while True:
                    messages.append(server.recv(4096).decode())
            except BlockingIOError:
                return messages
            finally:
                server.settimeout(2)

        yield str(path), received


def test_sd_notify_sends_one_datagram(notify_socket):
    """The state line arrives as one datagram on $NOTIFY_SOCKET."""
    address, received = notify_socket

    assert sd_notify("READY=1", {"NOTIFY_SOCKET": address})
    assert received() == ["READY=1"]


def test_sd_notify_reaches_an_abstract_socket():
    """An address starting with @ is Linux's abstract namespace."""
    name = f"diary-bot-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        server.settimeout(2)
        assert sd_notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert server.recv(4096) == b"WATCHDOG=1"


def test_sd_notify_without_a_manager_does_nothing(tmp_path):
    """No $NOTIFY_SOCKET, or one nobody listens on: False, never an exception."""
    assert not sd_notify("READY=1", {})
    assert not sd_notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone")})


def test_heartbeat_beats_only_while_healthy(tmp_path, notify_socket):
    """Unhealthy: no file, nothing sent. Healthy: the file is touched, READY=1 once, then a
    watchdog ping per beat."""
    address, received = notify_socket
    state = {"healthy": False}
    path = tmp_path / "heartbeat"
    heartbeat = Heartbeat(lambda: state["healthy"], path, env={"NOTIFY_SOCKET": address})

    assert not heartbeat.beat()
    assert not path.exists()
    assert received() == []

    state["healthy"] = True
    assert heartbeat.beat()
    assert heartbeat.beat()
    assert path.exists()
    assert received() == ["READY=1\nSTATUS=connected", "WATCHDOG=1", "WATCHDOG=1"]


async def test_heartbeat_start_removes_an_old_beat(tmp_path):
    """A file left by an earlier run does not vouch for a bot that is not healthy yet."""
    path = tmp_path / "heartbeat"
    path.touch()
    heartbeat = Heartbeat(lambda: False, path, env={})

    heartbeat.start()
    try:
        assert not path.exists()
    finally:
        await heartbeat.stop()


def test_health_command_reads_the_file_age(tmp_path):
    """Fresh file: 0. Missing, stale or not configured: 1, with one line saying why."""
    path = tmp_path / "heartbeat"
    out = io.StringIO()
    assert run_health(path, 60, out) == 1
    assert "no heartbeat yet" in out.getvalue()

    path.touch()
    assert run_health(path, 60, io.StringIO()) == 0

    old = time.time() - 120
    os.utime(path, (old, old))
    out = io.StringIO()
    assert run_health(path, 60, out) == 1
    assert "more than 60 s" in out.getvalue()
    assert run_health(None, 60, io.StringIO()) == 1


def test_beat_interval_follows_systemds_watchdog():
    """A third of WatchdogSec when that is under 15 s; 15 s otherwise."""
    assert beat_interval({}) == 15
    assert beat_interval({"WATCHDOG_USEC": "90000000"}) == 15
    assert beat_interval({"WATCHDOG_USEC": "30000000"}) == 10
