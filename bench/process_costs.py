"""Rows 6 and 7: the bot process's start-up time and memory.

Start-up is timed from the bench (all stamps are `time.monotonic()`, which on Linux is one
clock for every process): process start (Popen), command sync (PUT of the commands seen by
the local Discord; the bot syncs in `setup_hook`, before it connects to the gateway), IDENTIFY,
READY + GUILD_CREATE sent, the first interaction answered (a `/draft list` sent right after
READY), and `on_ready` (the bot's "connected as" log line: discord.py dispatches it only after
no GUILD_CREATE has come for `guild_ready_timeout`, 2 s by default).
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import browsing_steps, members_sessions, run
from bench.rig import MeasuredBotProcess, bench_rig, start
from tests.fakes.discord_server import FakeDiscord

READY_TIMEOUT = 20.0
ON_READY_TEXT = "connected as"
IMPORTS_ONLY = (
    "import discord, github, aiosqlite\n"
    "from pathlib import Path\n"
    "status = Path('/proc/self/status').read_text().splitlines()\n"
    "print(next(int(l.split()[1]) for l in status if l.startswith('VmHWM:')))\n"
)


@dataclass(frozen=True)
class Startup:
    synced: float  # seconds after the process started
    identified: float
    ready_sent: float
    first_answer: float
    on_ready: float | None
    peak_rss_kib: int  # VmHWM once started and one interaction answered


def startup(workdir: Path) -> Startup:
    """Start the bot on a new database (so it syncs its commands) and time each step."""
    with bench_rig(workdir) as (rig, _):
        fake, process = rig.discord, rig.bot
        assert isinstance(process, MeasuredBotProcess)
        began = time.monotonic()
        process.start()
        fake.wait_commands(READY_TIMEOUT)
        synced = time.monotonic() - began
        fake.wait_for(lambda: fake.identify_count > 0, READY_TIMEOUT, "IDENTIFY")
        identified = time.monotonic() - began
        fake.wait_ready(READY_TIMEOUT)
        ready_sent = time.monotonic() - began
        # The owner may write while no author role is set (Manage Server).
        interaction = fake.slash("owner", "draft", "list")
        interaction.wait_response(READY_TIMEOUT)
        assert interaction.dispatched_at is not None
        assert interaction.first_response_seconds is not None
        answered = interaction.dispatched_at + interaction.first_response_seconds - began
        on_ready = _wait_for_log(process, ON_READY_TEXT, began, READY_TIMEOUT)
        peak = process.status_kib("VmHWM")
    return Startup(synced, identified, ready_sent, answered, on_ready, peak)


def _wait_for_log(
    process: MeasuredBotProcess, text: str, began: float, timeout: float
) -> float | None:
    """Seconds from `began` until `text` is in the log (to within 10 ms), or None."""
    while time.monotonic() - began < timeout:
        if text in process.log():
            return time.monotonic() - began
        time.sleep(0.01)
    return None


@dataclass(frozen=True)
class Memory:
    peak_rss_kib: int  # VmHWM after the list operations
    rss_kib: int  # VmRSS then
    operations: int


def memory_with_drafts(workdir: Path, fake: FakeDiscord, members: list[str]) -> Memory:
    """Start the bot on the database prepared in `workdir` (whose drafts belong to `members`
    of `fake`), let every member list and show their drafts, then read the peak RSS."""
    with bench_rig(workdir, discord=fake) as (rig, _):
        process = start(rig, configure=False)
        sessions = members_sessions(members, browsing_steps, (0.0, 0.05), seed=3)
        result = run(fake, sessions, send_for=60.0, limit=90.0)
        peak, rss = process.status_kib("VmHWM"), process.status_kib("VmRSS")
    return Memory(peak, rss, len(result.samples))


def imports_floor() -> int:
    """Peak RSS (KiB) of a process that only imports discord.py, PyGithub and aiosqlite."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_ONLY], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())
