"""`python -m bench`: run every measurement, print the table, write bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from bench import (
    drain,
    github_cost,
    kills,
    latency,
    process_costs,
    rows,
    stalls,
    store_scale,
    throughput,
)
from bench.report import FAIL, Machine, Row, document, load_average, merged
from bench.rig import BenchDiscord, add_members

T = TypeVar("T")
COMMAND = "python -m bench"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BUILD_TIMEOUT = 400.0
BUSY_MACHINE = 0.25  # cores used by other processes during a latency run worth a warning
PAIRS = 3  # row 2: interleaved runs with GitHub answering at once (A) and slow (B)


class Bench:
    """Runs the phases in an order that keeps timing measurements off a busy machine: the
    big database is built in the background only while rows 3 and 4 count requests."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.began = time.monotonic()
        self.warnings: list[str] = []

    def phase(self, name: str, measure: Callable[[], T]) -> T | BaseException:
        print(f"[{time.monotonic() - self.began:5.0f} s] {name} …", file=sys.stderr, flush=True)
        try:
            return measure()
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            return error

    def run(self) -> list[Row]:
        work = self.work
        startup = self.phase("start-up (row 7)", lambda: process_costs.startup(work / "startup"))
        pairs = self._pairs()
        normal = pairs[0][0]
        naive = self.phase(
            "latency with a slow GitHub, PyGithub on the loop (row 2)",
            lambda: latency.drafting(
                work / "naive",
                slow_github=True,
                on_loop=True,
                send_for=latency.NAIVE_SEND_FOR,
                limit=latency.NAIVE_LIMIT,
            ),
        )
        fake = BenchDiscord(contract_check=False, settle=0).start()
        builder: subprocess.Popen[bytes] | None = None
        try:
            members = add_members(fake, latency.MEMBERS)
            database = work / "memory" / "diary.sqlite3"
            database.parent.mkdir(parents=True)
            print(
                f"[{time.monotonic() - self.began:5.0f} s] building 10,000 drafts in the "
                "background (row 5)",
                file=sys.stderr,
                flush=True,
            )
            builder = store_scale.start_build(
                database,
                int(fake.world.guild_id),
                [int(fake.user_id(member)) for member in members],
                int(fake.role_id("Author")),
                work / "build.log",
            )
            costs = self.phase(
                "GitHub requests per publish (row 3)",
                lambda: github_cost.requests_per_publish(work / "publish"),
            )
            polling = self.phase(
                "idle polling (row 4)", lambda: github_cost.idle_polling(work / "polling")
            )
            floor = self.phase("imports-only process (row 6)", process_costs.imports_floor)
            scale = self.phase(
                "store at scale (row 5)", lambda: self._measure_store(builder, database)
            )
            memory = self.phase(
                "memory with 10,000 drafts (row 6)",
                lambda: process_costs.memory_with_drafts(work / "memory", fake, members),
            )
        finally:
            if builder is not None and builder.poll() is None:
                builder.kill()
            fake.stop()
        storm = self.phase(
            "publishes with a SIGKILL each (row 8)", lambda: kills.kill_storm(work / "kills")
        )
        speed = self.phase(
            "throughput at saturation: bare bot, baseline, diary-bot (row 9)",
            lambda: throughput.measure(work / "throughput", self.say),
        )
        backlog = self.phase(
            "a backlog of announcements drained (row 11)", lambda: drain.measure(work / "drain")
        )
        self._warn_if_busy({"1": normal, **{f"2 (B{n})": b for n, (_, b) in enumerate(pairs, 1)}})
        complete = [
            (a, b)
            for a, b in pairs
            if not isinstance(a, BaseException) and not isinstance(b, BaseException)
        ]
        repeats = [a for a, _ in complete[1:]]
        return [
            _row(1, "Interaction latency", "p99 < 100 ms", rows.latency_row, normal, repeats),
            _row(
                2,
                "Latency while GitHub is slow",
                "p99 ≤ 2× row 1",
                rows.slow_github_row,
                complete or RuntimeError("no pair of runs completed"),
                _optional(naive),
            ),
            _row(3, "GitHub requests per publish", "exactly 1", rows.publish_row, costs),
            _row(4, "Idle polling cost", "0 points/h", rows.polling_row, polling),
            _row(5, "Store at scale", "p99 < 20 ms", rows.store_row, scale),
            _row(6, "Peak RSS of the bot", "< 120 MB", rows.memory_row, startup, memory, floor),
            _row(7, "Start-up", "< 3 s", rows.startup_row, startup),
            _row(8, "Publishes cut by SIGKILL", "0 duplicates, 0 lost", rows.kills_row, storm),
            _row(9, "Throughput", "≥ half the bare bot", rows.throughput_row, speed, normal),
            _row(10, "Loop stalls", "≤ 50 ms", rows.stalls_row, self._stalls(pairs, speed)),
            _row(11, "Backlog drain", "linear", rows.drain_row, backlog),
        ]

    def say(self, what: str) -> None:
        print(f"[{time.monotonic() - self.began:5.0f} s] {what} …", file=sys.stderr, flush=True)

    def _pairs(self) -> list[tuple[latency.DraftingRun | BaseException, ...]]:
        """Row 2's interleaved runs: A (row 1's load; the first A is row 1) then B (the
        same while GitHub holds each publish), PAIRS times."""
        pairs = []
        for number in range(1, PAIRS + 1):
            a = self.phase(
                f"latency (row 1; row 2 pair {number}/{PAIRS}, A)",
                lambda n=number: latency.drafting(self.work / f"latency-{n}"),
            )
            b = self.phase(
                f"latency with a slow GitHub (row 2 pair {number}/{PAIRS}, B)",
                lambda n=number: latency.drafting(self.work / f"slow-{n}", slow_github=True),
            )
            pairs.append((a, b))
        return pairs

    def _stalls(
        self, pairs: list[tuple[object, object]], speed: object
    ) -> list[tuple[str, stalls.Stalls]]:
        """Each row's longest loop stall: the drafting runs' windows, else whole processes."""
        work = self.work

        def runs(values: list[object]) -> stalls.Stalls:
            found = [v.stalls for v in values if isinstance(v, latency.DraftingRun)]
            return stalls.worst(*found)

        def whole(*names: str) -> stalls.Stalls:
            return stalls.worst(*(stalls.read(stalls.path_in(work / name)) for name in names))

        entries = [
            ("1", runs([pairs[0][0]])),
            ("2 (A runs)", runs([a for a, _ in pairs])),
            ("2 (B runs)", runs([b for _, b in pairs])),
            ("3", whole("publish")),
            ("4", whole("polling")),
            ("6", whole("memory")),
            ("7", whole("startup")),
            ("8", whole("kills")),
        ]
        if isinstance(speed, throughput.Throughput):
            for name in speed.programs:
                if name.startswith("diary-bot"):
                    entries.append((f"9 ({name})", runs(list(speed.runs.get(name, [])))))
        return entries

    def _warn_if_busy(self, runs: dict[str, object]) -> None:
        """Say so when other processes took a noticeable share of the cores meanwhile."""
        for name, run in runs.items():
            if isinstance(run, latency.DraftingRun) and run.result.wall > 0:
                others = run.other_cpu / run.result.wall
                if others > BUSY_MACHINE:
                    self.warnings.append(
                        f"During row {name}, other processes kept {others:.2f} cores busy on "
                        "average: its latencies include waiting for a CPU."
                    )

    def _measure_store(
        self, builder: subprocess.Popen[bytes], database: Path
    ) -> store_scale.StoreScale:
        output, _ = builder.communicate(timeout=BUILD_TIMEOUT)
        if builder.returncode != 0:
            log = (self.work / "build.log").read_text(errors="replace")
            raise RuntimeError(f"building the database failed:\n{log[-2000:]}")
        seconds = float(json.loads(output.decode().strip().splitlines()[-1])["seconds"])
        return asyncio.run(store_scale.measure(database, seconds))


def _optional(value: T | BaseException) -> T | None:
    """A comparison that is only shown beside a row: if it broke, the row says so."""
    return None if isinstance(value, BaseException) else value


def _row(number: int, measured: str, floor: str, build: Callable[..., Row], *inputs: object) -> Row:
    """The row from its inputs, or a FAIL row naming the measurement that broke."""
    for value in inputs:
        if isinstance(value, BaseException):
            return rows.failed_row(number, measured, floor, value)
    try:
        return build(*inputs)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return rows.failed_row(number, measured, floor, error)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where to write the results (Markdown)"
    )
    args = parser.parse_args(argv)
    # A fake GitHub stopped while it still holds a delayed request logs "Task was destroyed
    # but it is pending" for that request; it says nothing about the bot.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    machine, load_before, began = Machine.here(), load_average(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="diary-bench-") as tmp:
        bench = Bench(Path(tmp))
        table_rows = bench.run()
    seconds = time.monotonic() - began
    loads = (load_before, load_average())
    text = document(table_rows, machine, seconds, loads, COMMAND, bench.warnings)
    print(text)
    existing = args.output.read_text("utf-8") if args.output.exists() else None
    args.output.write_text(merged(existing, text), encoding="utf-8")
    print(f"written to {args.output} (notes outside its generated part kept)", file=sys.stderr)
    return 1 if any(row.verdict == FAIL for row in table_rows) else 0


if __name__ == "__main__":
    sys.exit(main())
