"""The longest event-loop stall of a bot process, from the stall monitor that
`bench/sitecustomize` runs inside it (`BENCH_STALLS`): a task sleeps 10 ms over and over, and
every wake-up more than 2 ms late is written down with when its sleep began."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "stalls.txt"
FLOOR = 0.050  # no stall over this in any row


@dataclass(frozen=True)
class Stalls:
    longest: float  # seconds the loop woke late at worst (0 if never more than 2 ms late)
    over_floor: int  # wake-ups later than FLOOR
    monitored: bool  # whether the monitor wrote its file (the bot started)
    # The longest once the time the loop thread waited for a CPU (runnable, other processes
    # on the cores) is taken off: what the bot's own code, its threads and the GIL cost.
    longest_own: float = 0.0

    def text(self) -> str:
        if not self.monitored:
            return "longest loop stall: not measured"
        over = f", {self.over_floor} over {FLOOR * 1000:.0f} ms" if self.over_floor else ""
        return (
            f"longest loop stall {self.longest * 1000:.1f} ms{over} "
            f"({self.longest_own * 1000:.1f} ms without the waits for a CPU)"
        )

    @property
    def passed(self) -> bool:
        return self.monitored and self.longest <= FLOOR


def path_in(workdir: Path) -> Path:
    """Where a bot started by `bench_rig(workdir)` writes its stalls."""
    return workdir / FILE_NAME


def read(path: Path, since: float | None = None, until: float | None = None) -> Stalls:
    """The stalls written to `path` (by every bot process that used it), optionally only
    those whose sleep began within [since, until] (time.monotonic(), one clock for all)."""
    if not path.exists():
        return Stalls(0.0, 0, False)
    longest, over, own = 0.0, 0, 0.0
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        began, late, waited = (float(part) for part in parts)
        if (since is not None and began < since) or (until is not None and began > until):
            continue
        longest = max(longest, late)
        own = max(own, late - waited)
        over += late > FLOOR
    return Stalls(longest, over, True, own)


def worst(*stalls: Stalls) -> Stalls:
    """The worst of several runs' stalls (monitored if any was)."""
    seen = [s for s in stalls if s.monitored]
    if not seen:
        return Stalls(0.0, 0, False)
    return Stalls(
        max(s.longest for s in seen),
        sum(s.over_floor for s in seen),
        True,
        max(s.longest_own for s in seen),
    )
