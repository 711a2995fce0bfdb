"""Where an interaction's first-response time goes, from the bot's trace (`BENCH_TRACE`, see
`bench/sitecustomize`) joined with the fake Discord's stamps; both use `time.monotonic()`,
one clock for all processes on Linux."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import Sample
from bench.stats import Summary

PARTS = (
    ("to_bot", "gateway write → the bot reads the frame (loopback, and the bot's loop busy)"),
    ("in_bot", "frame → callback sent (the bot's work, and waiting for its loop and database)"),
    ("back", "callback sent → the fake stamps it (loopback, and the bench process busy)"),
)


@dataclass(frozen=True)
class Breakdown:
    traced: int  # samples found in the trace
    to_bot: Summary
    in_bot: Summary
    back: Summary

    def lines(self) -> list[str]:
        return [f"{text}: {getattr(self, name).ms()}" for name, text in PARTS]


def read(path: Path) -> dict[str, dict[str, float]]:
    """interaction id -> {"frame": t, "parsed": t, "send": t (the first callback)}."""
    events: dict[str, dict[str, float]] = {}
    if not path.exists():
        return events
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            events.setdefault(parts[0], {}).setdefault(parts[1], float(parts[2]))
    return events


def breakdown(samples: Sequence[Sample], path: Path) -> Breakdown | None:
    """Split each sample's latency into its three parts; None without a usable trace."""
    events = read(path)
    to_bot, in_bot, back = [], [], []
    for sample in samples:
        stamps = events.get(sample.interaction_id, {})
        if not {"frame", "send"} <= stamps.keys():
            continue
        received = sample.dispatched_at + sample.seconds
        to_bot.append(stamps["frame"] - sample.dispatched_at)
        in_bot.append(stamps["send"] - stamps["frame"])
        back.append(received - stamps["send"])
    if not in_bot:
        return None
    return Breakdown(len(in_bot), Summary.of(to_bot), Summary.of(in_bot), Summary.of(back))
