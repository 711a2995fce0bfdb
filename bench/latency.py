"""Rows 1 and 2: first-response latency of draft commands while 50 members draft at once,
with GitHub answering normally, with every publish held 6 s at GitHub, and with the naive
design (PyGithub called on the event loop) under the same slow GitHub."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench import stalls
from bench.load import LoadResult, drafting_steps, members_sessions, publisher_sessions, run
from bench.rig import DIARY_BOT, BenchDiscord, CpuTimes, Program, bench_rig, start
from bench.stalls import Stalls
from bench.trace import Breakdown, breakdown

MEMBERS = 50
STEPS = 20  # per member
THINK = (0.5, 1.5)  # seconds between a member's answer and their next command (uniform)
PUBLISHERS = 3  # extra members who keep a publish queued while the others draft
GITHUB_HOLD = 6.0  # seconds the local GitHub holds each issue creation
SEND_FOR = 60.0  # no command is sent after this many seconds of a run
LIMIT = 90.0  # nor waited for after this
NAIVE_SEND_FOR = 30.0  # the naive variant answers in seconds: a shorter run says enough
NAIVE_LIMIT = 50.0


@dataclass(frozen=True)
class DraftingRun:
    result: LoadResult
    bot_cpu: float  # CPU seconds the bot used during the run
    bench_cpu: float  # ... the bench process (the fakes and the driver)
    other_cpu: float  # ... every other process on the machine
    steal: float  # CPU seconds the hypervisor gave to other guests
    loop_waited: float  # seconds the bot's event-loop thread was runnable but had no CPU
    loop_slices: int  # times that thread was scheduled
    late_callbacks: int  # callbacks the fake refused as after Discord's 3 s deadline
    tracebacks: int  # in the bot's log
    issues_created: int
    think: tuple[float, float]
    breakdown: Breakdown | None  # where the draft commands' latency went
    stalls: Stalls  # the bot's longest event-loop stall while the commands ran
    rig_stall: float  # ... and the fake Discord's (in the bench process), in seconds
    loop_cpu: float = float("nan")  # of bot_cpu, what the event loop's thread used


def drafting(
    workdir: Path,
    *,
    think: tuple[float, float] = THINK,
    slow_github: bool = False,
    on_loop: bool = False,
    send_for: float = SEND_FOR,
    limit: float = LIMIT,
    seed: int = 20_240_601,
    program: Program = DIARY_BOT,
    extra_env: dict[str, str] | None = None,
) -> DraftingRun:
    """50 members each run 20 draft commands (new, append, list, show), all at once; with
    `slow_github`, 3 more members keep publishing meanwhile while GitHub holds each creation
    6 s; with `on_loop`, the bot runs PyGithub on its event loop (bench-only switch)."""
    trace = workdir / "trace.txt"
    env = {"BENCH_TRACE": str(trace), **(extra_env or {})}
    if on_loop:
        env["BENCH_GITHUB_ON_LOOP"] = "1"
    extra = PUBLISHERS if slow_github else 0
    with bench_rig(workdir, members=MEMBERS + extra, env=env, program=program) as (rig, members):
        process = start(rig)
        sessions = members_sessions(
            members[:MEMBERS], lambda m: drafting_steps(m, STEPS), think, seed
        )
        if slow_github:
            rig.github.delay(GITHUB_HOLD, "POST", "/issues")
            sessions += publisher_sessions(members[MEMBERS:], seed + 1_000)
        rig.discord.take_violations()
        bot_before, before = process.cpu_seconds(), CpuTimes.now()
        loop_before = process.loop_cpu_seconds()
        waited_before, slices_before = process.runqueue_wait()
        watching = rig.discord.watch_own_loop() if isinstance(rig.discord, BenchDiscord) else None
        began = time.monotonic()
        result = run(rig.discord, sessions, send_for=send_for, limit=limit)
        window = stalls.read(stalls.path_in(workdir), began, time.monotonic())
        rig_stall = watching() if watching is not None else float("nan")
        bot_cpu, after = process.cpu_seconds() - bot_before, CpuTimes.now()
        loop_cpu = process.loop_cpu_seconds() - loop_before
        waited, slices = process.runqueue_wait()
        late = sum("Discord allows" in v for v in rig.discord.take_violations())
        created = sum(
            1
            for r in rig.github.requests
            if r.method == "POST" and r.path.endswith("/issues") and r.status == 201
        )
        tracebacks = process.log().count("Traceback")
    split = breakdown(result.of(), trace)
    bench_cpu = after.bench - before.bench
    other = max(0.0, after.machine - before.machine - bot_cpu - bench_cpu)
    steal = after.steal - before.steal
    return DraftingRun(
        result,
        bot_cpu,
        bench_cpu,
        other,
        steal,
        waited - waited_before,
        slices - slices_before,
        late,
        tracebacks,
        created,
        think,
        split,
        window,
        rig_stall,
        loop_cpu,
    )
