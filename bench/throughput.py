"""Row 9: commands/s at saturation (50 members, no think time, 50 commands in flight) of
diary-bot, of the bare discord.py bot (`bench/bare_bot.py`, the physical reference) and of
diary-bot at the baseline commit (`bench/baseline.py`), interleaved run by run so that a
busy moment of the shared machine falls on all three alike; plus the bare bot under row 1's
load (with think time) for its p99."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import baseline, latency
from bench.latency import DraftingRun
from bench.rig import BARE_BOT, DIARY_BOT, Program

ROUNDS = 3
SATURATED = (0.0, 0.0)


@dataclass
class Throughput:
    programs: list[str]  # names, in the order each round ran them
    runs: dict[str, list[DraftingRun]] = field(default_factory=dict)
    bare_at_row1_load: DraftingRun | None = None
    baseline_error: str | None = None  # why the baseline was not run, if it was not

    def rates(self, name: str) -> list[float]:
        return [run.result.rate() for run in self.runs.get(name, [])]

    def p99s(self, name: str) -> list[float]:
        return [run.result.summary().p99 for run in self.runs.get(name, [])]

    def median_rate(self, name: str) -> float:
        rates = self.rates(name)
        return statistics.median(rates) if rates else float("nan")

    def cpu_per_command(self, name: str) -> list[float]:
        """Seconds of the bot process's CPU per answered command, run by run: what a command
        costs, whatever share of the shared machine's cores the bot got meanwhile."""
        return [run.bot_cpu / max(len(run.result.samples), 1) for run in self.runs.get(name, [])]

    def median_cpu(self, name: str) -> float:
        costs = self.cpu_per_command(name)
        return statistics.median(costs) if costs else float("nan")

    def median_p99(self, name: str) -> float:
        p99s = self.p99s(name)
        return statistics.median(p99s) if p99s else float("nan")


def measure(work: Path, say: Callable[[str], None] = lambda _: None) -> Throughput:
    """ROUNDS rounds of (bare bot, baseline, diary-bot) at saturation, then the bare bot at
    row 1's load."""
    programs: list[Program] = [BARE_BOT]
    error = None
    try:
        programs.append(baseline.extract(baseline.BASELINE_COMMIT, work / "baseline-tree"))
    except Exception as problem:  # no git, or the commit is not here: say so in the row
        error = f"{type(problem).__name__}: {problem}"
    programs.append(DIARY_BOT)
    result = Throughput([p.name for p in programs], baseline_error=error)
    for number in range(1, ROUNDS + 1):
        for index, program in enumerate(programs):
            say(f"saturation round {number}/{ROUNDS}: {program.name}")
            run = latency.drafting(
                work / f"saturated-{number}-{index}", think=SATURATED, program=program
            )
            result.runs.setdefault(program.name, []).append(run)
    say("bare discord.py bot at row 1's load")
    result.bare_at_row1_load = latency.drafting(work / "bare-row1", program=BARE_BOT)
    return result
