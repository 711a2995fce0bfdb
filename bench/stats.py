"""Percentiles and their one-line summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank `p`-th percentile (p99 of 1,000 values is the 990th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Distribution of latencies in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(
            count=len(values),
            p50=percentile(values, 50),
            p95=percentile(values, 95),
            p99=percentile(values, 99),
            max=max(values, default=math.nan),
        )

    def ms(self) -> str:
        """e.g. `p50 5.1 / p95 20.3 / p99 31.0 / max 90.2 ms (n=1000)`."""
        return (
            f"p50 {_ms(self.p50)} / p95 {_ms(self.p95)} / p99 {_ms(self.p99)} / "
            f"max {_ms(self.max)} ms (n={self.count})"
        )


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
