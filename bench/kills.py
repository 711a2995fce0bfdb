"""Row 8: publishes with a SIGKILL at a random moment in each, counted for duplicates and
losses (the e2e check's scenario, with the bench's number of kills)."""

from __future__ import annotations

import os
from pathlib import Path

from bench.rig import bench_rig
from tests.e2e.kill_storm import KILL_COUNT_ENV, KillStorm, run_kill_storm

BENCH_KILLS = 50


def kill_storm(workdir: Path) -> KillStorm:
    """`DIARY_KILL_COUNT` (default 50) publishes, each cut by a SIGKILL; the counts."""
    kills = int(os.environ.get(KILL_COUNT_ENV, str(BENCH_KILLS)))
    with bench_rig(workdir) as (rig, _):
        return run_kill_storm(rig, kills)
