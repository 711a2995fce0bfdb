"""How long to wait before trying a failed job again: exponential backoff with jitter."""

from __future__ import annotations

import random

RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 300.0


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: about 1, 2, 4 … seconds, at most five minutes, for
    any number of attempts (the exponent is capped: 2.0**1100 would overflow)."""
    exponent = min(max(attempts, 0), 30)
    base = min(RETRY_BASE_SECONDS * 2.0**exponent, RETRY_MAX_SECONDS)
    return base * random.uniform(0.5, 1.0)
