"""CPU per command at saturation, the figure of row 9 that a shared machine disturbs least:
`python -m bench.cpu [--against COMMIT ...] [--bare] [--rounds N] [--profile FILE]`.

Runs row 9's saturation load (50 members, no think time, 1,000 commands) against diary-bot
from this tree and, interleaved round by round, against diary-bot at each `--against` commit
(extracted as `bench/baseline.py` does) and the bare bot. Prints, per program and run, the
bot process's CPU seconds per answered command (user + system, all its threads), commands/s
and p99, then the medians. With `--profile`, one more diary-bot run under cProfile (the event
loop's thread only; it slows the bot, so that run is not in the figures) written to FILE.
"""

from __future__ import annotations

import argparse
import pstats
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import baseline, latency
from bench.rig import BARE_BOT, DIARY_BOT, Program
from bench.throughput import SATURATED


def _line(name: str, run: latency.DraftingRun) -> str:
    answered = max(len(run.result.samples), 1)
    wall = max(run.result.wall, 1e-9)
    return (
        f"{name}: {run.bot_cpu / answered * 1000:.2f} ms CPU a command "
        f"({run.loop_cpu / answered * 1000:.2f} in the loop's thread), "
        f"{run.result.rate():.0f}/s, p99 {run.result.summary().p99 * 1000:.0f} ms, "
        f"bot {run.bot_cpu / wall:.2f} cores, others {run.other_cpu / wall:.2f}, "
        f"longest stall {run.stalls.longest * 1000:.0f} ms"
    )


_PACKAGES = (
    ("site-packages/discord/", "discord.py"),
    ("site-packages/aiohttp/", "aiohttp"),
    ("site-packages/yarl/", "aiohttp"),
    ("site-packages/multidict/", "aiohttp"),
    ("site-packages/aiosqlite/", "aiosqlite"),
    ("/asyncio/", "asyncio"),
    ("/bot/", "diary-bot"),
    ("/cogs/", "diary-bot"),
    ("/json/", "json"),
    ("<frozen importlib", "imports"),
)


def _by_package(stats: pstats.Stats, commands: int) -> str:
    """The event loop thread's own time (tottime) summed by where the code lives, in
    microseconds a command (start-up included, waiting in epoll left out)."""
    totals: dict[str, float] = {}
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        tottime = row[2]
        if "epoll" in name:
            continue
        where = next((label for part, label in _PACKAGES if part in filename), None)
        if where is None:
            where = f"built-in: {name}" if filename == "~" else "other"
        totals[where] = totals.get(where, 0.0) + tottime
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:20]
    return "\n".join(
        f"  {seconds / max(commands, 1) * 1e6:7.1f} us a command  {where}"
        for where, seconds in ranked
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--against", action="append", default=[], help="a commit to compare")
    parser.add_argument("--bare", action="store_true", help="the bare discord.py bot too")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-tree", action="store_true", help="only the --against commits, not this tree"
    )
    parser.add_argument("--profile", type=Path, help="profile one more diary-bot run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="diary-cpu-") as tmp:
        work = Path(tmp)
        programs: list[Program] = [BARE_BOT] if args.bare else []
        programs += [baseline.extract(commit, work / f"tree-{commit}") for commit in args.against]
        if not args.no_tree:
            programs.append(DIARY_BOT)
        costs: dict[str, list[float]] = {p.name: [] for p in programs}
        for number in range(1, args.rounds + 1):
            for index, program in enumerate(programs):
                run = latency.drafting(
                    work / f"run-{number}-{index}", think=SATURATED, program=program
                )
                costs[program.name].append(run.bot_cpu / max(len(run.result.samples), 1))
                print(_line(program.name, run), flush=True)
        for name, values in ((n, v) for n, v in costs.items() if v):
            print(f"median {name}: {statistics.median(values) * 1000:.2f} ms CPU a command")
        if args.profile is not None:
            for index, program in enumerate(programs):
                path = args.profile.with_name(f"{args.profile.stem}-{index}.pstats").resolve()
                run = latency.drafting(
                    work / f"profiled-{index}",
                    think=SATURATED,
                    program=program,
                    extra_env={"BENCH_PROFILE": str(path)},
                )
                print(f"\n{_line(program.name + ' under cProfile', run)}; written to {path}")
                print(_by_package(pstats.Stats(str(path)), len(run.result.samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
