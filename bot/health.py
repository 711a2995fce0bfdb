"""Liveness: a heartbeat the running bot gives while the gateway is connected and its workers
run, for Docker's HEALTHCHECK (a file touched every few seconds; `diary-bot health` reads it)
and for systemd's watchdog (`sd_notify` over `$NOTIFY_SOCKET`, no extra dependency)."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# `diary-bot health` fails when the last beat is older than this (four missed beats).
STALE_AFTER_SECONDS = 60.0
HEARTBEAT_FILE_VARIABLE = "HEARTBEAT_FILE"
EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1


def sd_notify(message: str, env: Mapping[str, str]) -> bool:
    """Send one state line ("READY=1", "WATCHDOG=1", "STATUS=...") to the service manager;
    False when not run under a manager that listens (no `$NOTIFY_SOCKET`) or it cannot be
    reached (never fatal: the manager then notices the missing beat itself)."""
    address = env.get("NOTIFY_SOCKET", "")
    if not address or address[0] not in "/@":
        return False
    if address[0] == "@":  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as error:
        log.warning("could not notify the service manager: %r", error)
        return False
    return True


def beat_interval(env: Mapping[str, str]) -> float:
    """Seconds between beats: 15, or a third of systemd's watchdog time when that is shorter."""
    try:
        watchdog = int(env.get("WATCHDOG_USEC", "")) / 1_000_000
    except ValueError:
        return HEARTBEAT_SECONDS
    return min(HEARTBEAT_SECONDS, max(watchdog / 3, 0.5)) if watchdog > 0 else HEARTBEAT_SECONDS


def heartbeat_file(env: Mapping[str, str]) -> Path | None:
    """The heartbeat file from HEARTBEAT_FILE, or None when it is not set."""
    value = env.get(HEARTBEAT_FILE_VARIABLE, "").strip()
    return Path(value) if value else None


class Heartbeat:
    """Beats while `healthy()` says so: touches `path` (if any) and feeds systemd's watchdog.
    READY=1 goes to systemd at the first healthy beat, so `systemctl start` returns once the
    bot really works."""

    def __init__(
        self,
        healthy: Callable[[], bool],
        path: Path | None,
        *,
        env: Mapping[str, str],
    ) -> None:
        self._healthy = healthy
        self._path = path
        self._interval = beat_interval(env)
        self._env = env
        self._task: asyncio.Task[None] | None = None
        self._ready_sent = False

    def start(self) -> None:
        if self._task is None:
            # A beat left by an earlier run must not vouch for this one.
            if self._path is not None:
                self._path.unlink(missing_ok=True)
            self._task = asyncio.create_task(self._run(), name="diary-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        sd_notify("STOPPING=1", self._env)

    def beat(self) -> bool:
        """One beat if healthy; whether it was given."""
        if not self._healthy():
            return False
        if self._path is not None:
            try:
                self._path.touch()
            except OSError as error:
                log.warning("cannot write the heartbeat file %s: %r", self._path, error)
        if not self._ready_sent:
            self._ready_sent = True
            sd_notify("READY=1\nSTATUS=connected", self._env)
        sd_notify("WATCHDOG=1", self._env)
        return True

    async def _run(self) -> None:
        while True:
            beaten = self.beat()
            # Until the first beat, look every second so readiness is reported promptly.
            await asyncio.sleep(
                self._interval if beaten or self._ready_sent else min(self._interval, 1.0)
            )


def run_health(
    path: Path | None, max_age: float = STALE_AFTER_SECONDS, out: TextIO = sys.stdout
) -> int:
    """`diary-bot health`: 0 when the heartbeat file is fresh, else 1 with one line why."""
    if path is None:
        print(
            f"unhealthy: {HEARTBEAT_FILE_VARIABLE} is not set, so the bot gives no heartbeat",
            file=out,
        )
        return EXIT_UNHEALTHY
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat yet ({path} does not exist)", file=out)
        return EXIT_UNHEALTHY
    if age > max_age:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (more than {max_age:g} s)", file=out)
        return EXIT_UNHEALTHY
    print(f"healthy: last heartbeat {age:.0f} s ago", file=out)
    return EXIT_HEALTHY
