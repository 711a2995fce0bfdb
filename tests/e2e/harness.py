"""The real bot as a subprocess, started with the README's run command, against the fakes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.github_server import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "alice/diary"
GITHUB_TOKEN = "ghp_e2e_token_0123456789"
RUN_COMMAND = [sys.executable, "-m", "bot"]


class BotProcess:
    """One bot process; only processes started here are ever signalled."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> BotProcess:
        assert not self.running, "already running"
        with self.log_path.open("ab") as log:
            log.write(b"\n--- start ---\n")
            self._process = subprocess.Popen(
                RUN_COMMAND, cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM, as a service manager would; returns the exit status."""
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        return self._process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as in a crash or power loss."""
        assert self._process is not None
        self._process.kill()
        self._process.wait(10)

    def wait(self, timeout: float) -> int:
        assert self._process is not None
        return self._process.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


@dataclass
class Rig:
    """The local Discord and GitHub, a database file, and the bot process between them."""

    discord: FakeDiscord
    github: FakeGitHub
    tmp_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    bot: BotProcess | None = None
    starts: int = 0

    @property
    def database_path(self) -> Path:
        return self.tmp_path / "diary.sqlite3"

    def env(self) -> dict[str, str]:
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GITHUB_"))
        }
        return {
            **inherited,
            **self.discord.bot_env(),
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_API_URL": self.github.url,
            "DATABASE_PATH": str(self.database_path),
            "POLL_INTERVAL": "0",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def start_bot(self, timeout: float = 20) -> BotProcess:
        """Start the bot and wait until it is connected (and, the first time, synced)."""
        if self.bot is None:
            self.bot = BotProcess(self.env(), self.tmp_path / "bot.log")
        identified = self.discord.identify_count
        self.bot.start()
        self.starts += 1
        try:
            self.discord.wait_for(
                lambda: self.discord.identify_count > identified, timeout, "bot IDENTIFY"
            )
            self.discord.wait_ready(timeout)
            if self.starts == 1:
                self.discord.wait_commands(timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not start:\n{self.bot.log()}") from None
        time.sleep(0.3)  # let on_ready run before the first interaction
        return self.bot

    def stop_bot(self) -> int | None:
        if self.bot is None or not self.bot.running:
            return None
        return self.bot.terminate()

    def slash(
        self, user: str, subcommand: str, options: dict[str, Any] | None = None, **kw: Any
    ) -> Any:
        """A `/draft …` (or `/diary …` with `command=`) slash command from a member."""
        command = kw.pop("command", "draft")
        return self.discord.slash(user, command, subcommand, options or {}, **kw)

    def entry(self, user: str, subcommand: str, options: dict[str, Any] | None = None) -> Any:
        """An `/entry …` slash command from a member."""
        return self.discord.slash(user, "entry", subcommand, options or {})

    def configure_author_role(self) -> None:
        """An admin lets members with the Author role write, as a server would set it up."""
        reply = self.slash(
            "admin",
            "config",
            {"author_role": self.discord.role_id("Author")},
            command="diary-admin",
        ).wait_final()
        assert "Author" in str(reply) or self.discord.role_id("Author") in str(reply)


def wait_until(condition: Callable[[], object], timeout: float = 15) -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def announcements(rig: Rig) -> list[dict]:
    """The messages in the announcement channel so far."""
    return rig.discord.channel_messages("announcements")


def wait_for_announcements(rig: Rig, count: int = 1, timeout: float = 20) -> list[dict]:
    """The announcement channel's messages once there are at least `count`."""
    rig.discord.wait_for(lambda: len(announcements(rig)) >= count, timeout, "announcement")
    return announcements(rig)


# Seconds without a request to either fake before "no duplicate" is believed: longer than the
# bot's first retry (at most 1 s) and its settle-free looks, so a late duplicate comes first.
QUIET_SECONDS = 2.0


def wait_for_quiet(rig: Rig, seconds: float = QUIET_SECONDS, timeout: float = 90) -> None:
    """Wait until neither the local Discord nor the local GitHub has received a request for
    `seconds` (REST requests; the gateway's heartbeats do not count), so anything the bot
    was still going to send, a late duplicate included, has arrived. Fails after `timeout`."""
    deadline = time.monotonic() + timeout

    def counts() -> tuple[int, int]:
        return len(rig.discord.requests), len(rig.github.requests)

    seen, since = counts(), time.monotonic()
    while time.monotonic() - since < seconds:
        assert time.monotonic() < deadline, f"the fakes never went quiet for {seconds} s"
        time.sleep(0.05)
        if (now := counts()) != seen:
            seen, since = now, time.monotonic()


def settled_announcements(rig: Rig, count: int = 1, timeout: float = 20) -> list[dict]:
    """As wait_for_announcements, then until the fakes are quiet: a duplicate arrives first."""
    wait_for_announcements(rig, count, timeout)
    wait_for_quiet(rig)
    return announcements(rig)
