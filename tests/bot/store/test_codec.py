"""Times as the store writes and reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.store._codec import decode_time, encode_time

TOKYO = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 6, 21, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 30, 0, 123_000, tzinfo=TOKYO),
    ],
)
def test_a_time_comes_back_as_the_same_moment_in_utc(moment):
    """decode(encode(t)) is t, as an aware UTC datetime, exactly as strptime reads it."""
    stored = encode_time(moment)
    decoded = decode_time(stored)

    assert decoded == moment
    assert decoded is not None and decoded.tzinfo is UTC
    assert decoded == datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2026-01-01", "2026-01-02T03:04:05.000006+0000", "2026-01-02 03:04:05.000006Z", "nonsense"],
)
def test_anything_else_is_refused(text):
    """Only what encode_time writes is read: other shapes raise ValueError."""
    with pytest.raises(ValueError):
        decode_time(text)


def test_none_stays_none():
    assert decode_time(None) is None
