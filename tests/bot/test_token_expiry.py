"""The GitHub token's expiry: read from GitHub's header, warned about from a week before."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.ops.check_github import _expiry
from bot.ops.report import Mark
from bot.token_expiry import TokenExpiry, expires_soon, parse_expiry

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-20 10:00:00 UTC", datetime(2026, 12, 20, 10, 0, tzinfo=UTC)),
        ("2026-12-20 19:00:00 +0900", datetime(2026, 12, 20, 10, 0, tzinfo=UTC)),
        (" 2026-12-20 10:00:00 UTC ", datetime(2026, 12, 20, 10, 0, tzinfo=UTC)),
        ("2026-12-20", None),
        ("next week", None),
        ("", None),
        ("2026-12-20 10:00:00 UTC" + " " * 100, datetime(2026, 12, 20, 10, 0, tzinfo=UTC)),
        ("9" * 10_000, None),
    ],
)
def test_the_header_value_is_parsed_or_ignored(value, expected):
    """GitHub's date (UTC or with an offset) is read; anything else is ignored."""
    assert parse_expiry(value) == expected


def test_a_warning_is_logged_once_a_day_from_a_week_before(caplog):
    """Eight days ahead: no warning; seven days ahead: one warning, not repeated the same day,
    again the next day."""
    clock = [NOW]
    expiry = TokenExpiry(now=lambda: clock[0])
    caplog.set_level(logging.WARNING, logger="bot.token_expiry")

    expiry.observe({"github-authentication-token-expiration": "2026-12-09 10:00:00 UTC"})
    assert caplog.records == []
    assert expiry.expires_at == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)

    clock[0] = NOW + timedelta(days=1, hours=2)
    for _ in range(3):
        expiry.observe({"github-authentication-token-expiration": "2026-12-09 10:00:00 UTC"})
    assert len(caplog.records) == 1
    assert "2026-12-09 10:00 UTC" in caplog.records[0].getMessage()
    assert "GITHUB_TOKEN" in caplog.records[0].getMessage()

    clock[0] += timedelta(days=1)
    expiry.observe({"github-authentication-token-expiration": "2026-12-09 10:00:00 UTC"})
    assert len(caplog.records) == 2


def test_answers_without_the_header_change_nothing():
    """An answer without the header (or with garbage in it) keeps what was known."""
    expiry = TokenExpiry(now=lambda: NOW)
    expiry.observe({"github-authentication-token-expiration": "2027-01-01 00:00:00 UTC"})
    expiry.observe({"x-ratelimit-remaining": "10"})
    expiry.observe({"github-authentication-token-expiration": "soon"})
    assert expiry.expires_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_expiring_soon_is_within_seven_days_or_past():
    """Seven days ahead or less (and after expiry) counts as soon; no expiry never does."""
    assert expires_soon(NOW + timedelta(days=7), NOW)
    assert expires_soon(NOW - timedelta(days=1), NOW)
    assert not expires_soon(NOW + timedelta(days=7, seconds=1), NOW)
    assert not expires_soon(None, NOW)


def test_check_shows_the_date_and_warns_a_week_before():
    """`diary-bot check`: the date passes while far, warns (never fails) within a week."""
    far = _expiry(NOW + timedelta(days=30), NOW)
    assert far.mark is Mark.PASS and "2026-12-31 09:00 UTC (in 30 days)" in far.line()
    near = _expiry(NOW + timedelta(days=3), NOW)
    assert near.mark is Mark.WARN and "in 3 day(s)" in near.line()
    assert "GITHUB_TOKEN" in near.line()
    assert _expiry(None, NOW).mark is Mark.PASS
