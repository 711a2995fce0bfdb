"""The bench's rig: the e2e harness's `Rig` and `BotProcess` (the real `python -m bot` against
the local Discord and GitHub fakes), with simulated members added to the fake guild, no
human-like pause before each action, and bench-only switches for the bot process."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import stalls
from tests.e2e.harness import GITHUB_TOKEN, ROOT, RUN_COMMAND, BotProcess, Rig
from tests.fakes.discord_server import SITECUSTOMIZE_DIR, FakeDiscord
from tests.fakes.discord_world import Member
from tests.fakes.github_server import FakeGitHub

SWITCHES_DIR = Path(__file__).resolve().parent / "sitecustomize"
STOP_TIMEOUT = 20.0


class BenchDiscord(FakeDiscord):
    """The fake Discord, minus its pacing: before each action `FakeDiscord` waits until the
    bot has no request in flight (like one person watching the screen), which would turn 50
    concurrent members into one; and the driver does not wait for each INTERACTION_CREATE to
    be written before it sends the next (waiting would cap the rig at one gateway write per
    round trip between its threads, about the throughput of the bots measured). The event is
    still stamped when it is written. Everything else is the unchanged fake."""

    def _settle(self) -> None:
        return None

    def _deliver(self, sending: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(sending, self._server.loop)
        future.add_done_callback(_raise_in_log)

    def watch_own_loop(self) -> Callable[[], float]:
        """Measure the fake's own event loop (in the bench process) as the bot's is measured:
        a task sleeps 10 ms over and over. Returns a function that stops it and gives the
        longest lateness since, in seconds: time an event waited in the rig, not in the bot."""
        longest = [0.0]

        async def watch() -> None:
            while True:
                began = time.monotonic()
                await asyncio.sleep(0.010)
                longest[0] = max(longest[0], time.monotonic() - began - 0.010)

        future = asyncio.run_coroutine_threadsafe(watch(), self._server.loop)

        def stop() -> float:
            future.cancel()
            return longest[0]

        return stop


@dataclass(frozen=True)
class Program:
    """What runs in the bot's place: diary-bot from this tree (the default), diary-bot from
    another tree (the baseline commit), or the bare reference bot."""

    name: str
    command: tuple[str, ...] = tuple(RUN_COMMAND)
    cwd: Path = ROOT
    configurable: bool = True  # it has `/diary-admin config`, so members get a role


DIARY_BOT = Program("diary-bot")
BARE_BOT = Program(
    "bare discord.py bot", (sys.executable, "-m", "bench.bare_bot"), configurable=False
)


class MeasuredBotProcess(BotProcess):
    """`BotProcess` plus what the bench reads about the process from /proc; it runs
    `program` (diary-bot from this tree unless told otherwise)."""

    def __init__(self, env: dict[str, str], log_path: Path, program: Program = DIARY_BOT) -> None:
        super().__init__(env, log_path)
        self.program = program

    def start(self) -> MeasuredBotProcess:
        assert not self.running, "already running"
        with self.log_path.open("ab") as log:
            log.write(b"\n--- start ---\n")
            self._process = subprocess.Popen(
                list(self.program.command),
                cwd=self.program.cwd,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    def status_kib(self, field: str) -> int:
        """A `kB` field of /proc/PID/status, e.g. VmHWM (peak RSS) or VmRSS."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise KeyError(field)

    def runqueue_wait(self) -> tuple[float, int]:
        """Seconds the main thread (the event loop) has spent runnable but waiting for a CPU,
        and how many times it was scheduled (/proc/PID/task/PID/schedstat)."""
        fields = Path(f"/proc/{self.pid}/task/{self.pid}/schedstat").read_text().split()
        return int(fields[1]) / 1e9, int(fields[2])

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        return _cpu_of(Path(f"/proc/{self.pid}/stat"))

    def loop_cpu_seconds(self) -> float:
        """... of that, by the main thread (the event loop); the rest is the database's and
        other worker threads'."""
        return _cpu_of(Path(f"/proc/{self.pid}/task/{self.pid}/stat"))


def _cpu_of(stat: Path) -> float:
    """User plus system CPU seconds from a /proc stat file (a process's or a thread's)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuTimes:
    """CPU seconds used so far: by the whole machine (all cores), stolen by the hypervisor,
    and by this process (the fakes and the driver run in its threads)."""

    machine: float
    steal: float
    bench: float

    @classmethod
    def now(cls) -> CpuTimes:
        ticks = os.sysconf("SC_CLK_TCK")
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        own = os.times()
        return cls(
            (user + nice + system + irq + softirq) / ticks,
            steal / ticks,
            own.user + own.system,
        )


def _raise_in_log(future: concurrent.futures.Future[None]) -> None:
    """A queued gateway write that failed: say so (the run then counts it unanswered)."""
    if not future.cancelled() and future.exception() is not None:
        print(f"bench: a gateway write failed: {future.exception()!r}", file=sys.stderr)


def add_members(fake: FakeDiscord, count: int, prefix: str = "member") -> list[str]:
    """Add `count` members with the Author role to the fake guild (before the bot connects,
    so GUILD_CREATE carries them); returns their keys."""
    world = fake.world
    template = world.members["author"].user
    author_role = world.role_ids["Author"]
    keys = []
    for number in range(count):
        key = f"{prefix}{number:02d}"
        user = {**template, "id": world.ids.next(), "username": key, "global_name": key.title()}
        world.members[key] = Member(key, user, [author_role])
        keys.append(key)
    return keys


def bot_env(switches: dict[str, str] | None = None) -> dict[str, str]:
    """Extra environment for the bot: the tests' sitecustomize (points discord.py at the fake)
    first, then the bench's (it chains after it), and any bench-only switches."""
    inherited = os.environ.get("PYTHONPATH", "")
    paths = [str(SITECUSTOMIZE_DIR), str(SWITCHES_DIR), inherited]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p), **(switches or {})}


def new_process(
    rig: Rig, name: str, env: dict[str, str] | None = None, program: Program = DIARY_BOT
) -> MeasuredBotProcess:
    """A bot process for `rig` (not started) with `env` on top of the rig's environment."""
    process = MeasuredBotProcess(
        {**rig.env(), **(env or {})}, rig.tmp_path / f"{name}.log", program
    )
    rig.bot = process
    return process


def stop(rig: Rig) -> None:
    """SIGTERM the bot (SIGKILL if it does not stop in time)."""
    process = rig.bot
    if process is None or not process.running:
        return
    try:
        process.terminate(STOP_TIMEOUT)
    except Exception:
        process.kill()


@contextmanager
def bench_rig(
    workdir: Path,
    *,
    members: int = 0,
    env: dict[str, str] | None = None,
    discord: FakeDiscord | None = None,
    contracts: bool = False,
    program: Program = DIARY_BOT,
) -> Iterator[tuple[Rig, list[str]]]:
    """Fakes, `members` extra members and a (not yet started) bot; stops everything after.

    Contract checks are off unless asked for: the e2e suite checks every request against
    the API descriptions, and checking costs the fake CPU time that would show up in the
    latencies it stamps. Pass `discord` to reuse a fake made (and populated) earlier.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    own_discord = discord is None
    fake_discord = discord or BenchDiscord(contract_check=contracts, settle=0).start()
    github = FakeGitHub(
        owner="alice", repo="diary", token=GITHUB_TOKEN, check_contract=contracts
    ).start()
    keys = add_members(fake_discord, members) if members else []
    switches = {"BENCH_STALLS": str(stalls.path_in(workdir)), **(env or {})}
    rig = Rig(fake_discord, github, workdir, extra_env=bot_env(switches))
    new_process(rig, "bot", program=program)
    try:
        yield rig, keys
    finally:
        stop(rig)
        github.stop()
        if own_discord:
            fake_discord.stop()


def start(rig: Rig, *, configure: bool = True) -> MeasuredBotProcess:
    """Start the bot, wait until it is ready, and (once) let members with Author write."""
    rig.start_bot()
    assert isinstance(rig.bot, MeasuredBotProcess)
    if configure and rig.starts == 1 and rig.bot.program.configurable:
        _configure_author_role(rig)
    time.sleep(0.2)
    process = rig.bot
    assert isinstance(process, MeasuredBotProcess)
    return process


def _configure_author_role(rig: Rig) -> None:
    """Let members with the Author role write: `/diary-admin config` today, `/diary config`
    in older trees (the baseline commit of row 9)."""
    try:
        rig.configure_author_role()
    except ValueError as error:  # the fake knows no /diary-admin: the older command
        if "diary-admin" not in str(error):
            raise
        author = rig.discord.role_id("Author")
        reply = rig.slash("admin", "config", {"author_role": author}, command="diary")
        assert author in str(reply.wait_final()) or "Author" in str(reply.wait_final())
