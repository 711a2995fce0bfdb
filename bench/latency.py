"""Rows 1 and 2: first-response latency of draft commands while 50 members draft at once,
with GitHub answering normally, with every publish held 6 s at GitHub, and with the naive
design (PyGithub called on the event loop) under the same slow GitHub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.load import LoadResult, drafting_steps, members_sessions, publisher_sessions, run
from bench.rig import bench_rig, start
from bench.trace import Breakdown, breakdown

MEMBERS = 50
STEPS = 20  # per member
THINK = (0.5, 1.5)  # seconds between a member's answer and their next command (uniform)
PUBLISHERS = 3  # extra members who keep a publish queued while the others draft
GITHUB_HOLD = 6.0  # seconds the local GitHub holds each issue creation
SEND_FOR = 60.0  # no command is sent after this many seconds of a run
LIMIT = 90.0  # nor waited for after this


@dataclass(frozen=True)
class DraftingRun:
    result: LoadResult
    bot_cpu: float  # CPU seconds the bot used during the run
    late_callbacks: int  # callbacks the fake refused as after Discord's 3 s deadline
    tracebacks: int  # in the bot's log
    issues_created: int
    think: tuple[float, float]
    breakdown: Breakdown | None  # where the draft commands' latency went


def drafting(
    workdir: Path,
    *,
    think: tuple[float, float] = THINK,
    slow_github: bool = False,
    on_loop: bool = False,
    send_for: float = SEND_FOR,
    limit: float = LIMIT,
    seed: int = 20_240_601,
) -> DraftingRun:
    """50 members each run 20 draft commands (new, append, list, show), all at once; with
    `slow_github`, 3 more members keep publishing meanwhile while GitHub holds each creation
    6 s; with `on_loop`, the bot runs PyGithub on its event loop (bench-only switch)."""
    trace = workdir / "trace.txt"
    env = {"BENCH_TRACE": str(trace)}
    if on_loop:
        env["BENCH_GITHUB_ON_LOOP"] = "1"
    extra = PUBLISHERS if slow_github else 0
    with bench_rig(workdir, members=MEMBERS + extra, env=env) as (rig, members):
        process = start(rig)
        sessions = members_sessions(
            members[:MEMBERS], lambda m: drafting_steps(m, STEPS), think, seed
        )
        if slow_github:
            rig.github.delay(GITHUB_HOLD, "POST", "/issues")
            sessions += publisher_sessions(members[MEMBERS:], seed + 1_000)
        rig.discord.take_violations()
        cpu_before = process.cpu_seconds()
        result = run(rig.discord, sessions, send_for=send_for, limit=limit)
        bot_cpu = process.cpu_seconds() - cpu_before
        late = sum("Discord allows" in v for v in rig.discord.take_violations())
        created = sum(
            1
            for r in rig.github.requests
            if r.method == "POST" and r.path.endswith("/issues") and r.status == 201
        )
        tracebacks = process.log().count("Traceback")
    split = breakdown(result.of(), trace)
    return DraftingRun(result, bot_cpu, late, tracebacks, created, think, split)
