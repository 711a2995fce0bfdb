"""The results table (printed, and written to bench/RESULTS.md) and the machine it ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PASS, FAIL, INFO = "PASS", "FAIL", "—"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    number: int
    measured: str
    result: str
    floor: str
    verdict: str  # PASS, FAIL, or a reason it was not judged
    notes: list[str] = field(default_factory=list)


def verdict(passed: bool) -> str:
    return PASS if passed else FAIL


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int  # logical CPUs the bench may use
    memory_gb: float
    python: str
    system: str
    packages: str
    commit: str
    date: str

    @classmethod
    def here(cls) -> Machine:
        return cls(
            cpu=_cpu_model(),
            cores=len(os.sched_getaffinity(0)),
            memory_gb=os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9,
            python=f"{platform.python_implementation()} {platform.python_version()}",
            system=f"{platform.system()} {platform.release()} ({platform.machine()})",
            packages=", ".join(
                f"{name} {_version(name)}"
                for name in ("discord.py", "PyGithub", "aiosqlite", "aiohttp")
            ),
            commit=_commit(),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def lines(self) -> list[str]:
        return [
            f"- CPU: {self.cpu}, {self.cores} cores usable; {self.memory_gb:.1f} GB RAM",
            f"- {self.python} on {self.system}",
            f"- {self.packages}",
            f"- diary-bot at commit {self.commit} plus the working tree as it was; {self.date}",
        ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def table(rows: list[Row]) -> str:
    """A Markdown table: number, what, result, floor, verdict."""
    lines = ["| # | measured | result | floor | verdict |", "|---|---|---|---|---|"]
    for row in rows:
        cells = [str(row.number), row.measured, row.result, row.floor, f"**{row.verdict}**"]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def notes(rows: list[Row]) -> str:
    parts = []
    for row in rows:
        if row.notes:
            parts.append(f"**{row.number}. {row.measured}**\n")
            # Notes starting with "  - " are sub-items of the note before them.
            parts.extend(note if note.startswith("  - ") else f"- {note}" for note in row.notes)
            parts.append("")
    return "\n".join(parts)


def document(
    rows: list[Row],
    machine: Machine,
    seconds: float,
    loads: tuple[str, str],
    command: str,
    warnings: list[str],
) -> str:
    """The whole RESULTS.md."""
    failed = [str(row.number) for row in rows if row.verdict == FAIL]
    summary = f"Floors missed: {', '.join(failed)}." if failed else "Every floor was met."
    summary = "\n".join([summary, *(f"\n**Note:** {warning}" for warning in warnings)])
    return "\n".join(
        [
            "# diary-bot benchmarks",
            "",
            f"Written by `{command}` (see `bench/__init__.py`) from a real run, up to the end "
            "marker; what follows the marker is written by hand after that run and kept by "
            "the next one. The real bot process (`python -m bot`) ran against the local "
            "Discord and GitHub fakes of `tests/fakes/` on loopback.",
            "",
            *machine.lines(),
            f"- Load average (1/5/15 min) at the start: {loads[0]}; at the end: {loads[1]}. "
            "Other work on the machine competes with the bot and the fakes for the cores.",
            f"- The whole run took {seconds:.0f} s.",
            "",
            table(rows),
            "",
            summary,
            "",
            "## What each row measured",
            "",
            notes(rows),
        ]
    )


BEGIN_GENERATED = "<!-- python -m bench writes from here to the end marker; keep notes below it -->"
END_GENERATED = "<!-- end of what python -m bench writes -->"


def merged(existing: str | None, generated: str) -> str:
    """RESULTS.md with `generated` as its generated part: what the file holds outside the
    markers (the analysis written by hand after a run) is kept as it was; a file without
    markers is kept whole after the new generated part."""
    block = f"{BEGIN_GENERATED}\n{generated.strip()}\n{END_GENERATED}\n"
    if not existing or not existing.strip():
        return block
    start, end = existing.find(BEGIN_GENERATED), existing.find(END_GENERATED)
    if start == -1 or end < start:
        return f"{block}\n{existing.lstrip()}"
    before, after = existing[:start], existing[end + len(END_GENERATED) :].lstrip("\n")
    return before + block + (f"\n{after}" if after else "")
