"""retry_delay: exponential backoff with jitter, capped, for any attempt count."""

from __future__ import annotations

from bot.retry import RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, retry_delay


def test_the_delay_doubles_with_each_attempt_within_the_jitter():
    """Attempt n waits between half and all of base·2ⁿ."""
    for attempts in range(5):
        full = RETRY_BASE_SECONDS * 2**attempts
        assert full / 2 <= retry_delay(attempts) <= full


def test_the_delay_is_capped_for_any_number_of_attempts():
    """No attempt count waits longer than the cap, nor overflows (2.0**1100 would)."""
    for attempts in (20, 1_100, 10**9):
        assert RETRY_MAX_SECONDS / 2 <= retry_delay(attempts) <= RETRY_MAX_SECONDS
