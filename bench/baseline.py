"""The baseline of the throughput rows: diary-bot as it was at a given commit, extracted
from git into a folder and run with `python -m bot` from there (the folder comes first on
`sys.path`, so its `bot` and `cogs` packages are the ones imported), against the same fakes
in the same run as today's code."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from bench.rig import Program
from tests.e2e.harness import ROOT, RUN_COMMAND

# main just before issue 17's changes (loop-stall monitor, settings cache, one hop per store
# call, a read connection): the saturation figure of that code is the one to double.
BASELINE_COMMIT = "07de987"


def extract(commit: str, folder: Path) -> Program:
    """diary-bot's `bot` and `cogs` at `commit`, as a program the rig can run."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "bot", "cogs"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    short = subprocess.run(
        ["git", "rev-parse", "--short", commit],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()
    return Program(f"diary-bot at {short}", tuple(RUN_COMMAND), folder)
