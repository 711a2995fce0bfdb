"""Times as members type them: each accepted form, across a day change and a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.errors import InvalidInput
from bot.services.scheduling import parse_time_of_day, parse_when
from bot.services.time_text import parse

TOKYO = "Asia/Tokyo"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "clock", "days_ahead"),
    [
        pytest.param("明日 9:00", time(9, 0), 1, id="ashita-clock"),
        pytest.param("今日 21時", time(21, 0), 0, id="kyou-ji"),
        pytest.param("21時", time(21, 0), None, id="ji"),
        pytest.param("21時30分", time(21, 30), None, id="ji-fun"),
        pytest.param("9時半", time(9, 30), None, id="ji-han"),
        pytest.param("午後9時", time(21, 0), None, id="gogo"),
        pytest.param("21:30", time(21, 30), None, id="clock"),
        pytest.param("tomorrow 9:00", time(9, 0), 1, id="tomorrow"),
        pytest.param("Tomorrow at 9pm", time(21, 0), 1, id="tomorrow-at"),
        pytest.param("9pm tomorrow", time(21, 0), 1, id="time-then-day"),
        pytest.param("9pm", time(21, 0), None, id="pm"),
        pytest.param("9:30 a.m.", time(9, 30), None, id="am-dotted"),
        pytest.param("12am", time(0, 0), None, id="midnight"),
        pytest.param("12pm", time(12, 0), None, id="noon"),
        pytest.param("２１：３０", time(21, 30), None, id="full-width"),
        pytest.param("明日　９時", time(9, 0), 1, id="full-width-space"),
        pytest.param("あしたの7時", time(7, 0), 1, id="kana-no"),
    ],
)
def test_each_spoken_form_is_understood(text, clock, days_ahead):
    """Every accepted way of writing a time gives its clock time and relative day."""
    typed = parse(text)

    assert typed is not None
    assert (typed.clock, typed.days_ahead, typed.month) == (clock, days_ahead, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/27 9:00", (None, 11, 27)),
        ("2026-11-27 09:00", (2026, 11, 27)),
        ("2026-11-27T09:00", (2026, 11, 27)),
        ("11月27日 21時", (None, 11, 27)),
        ("２０２６／１１／２７　９：００", (2026, 11, 27)),
    ],
)
def test_dates_are_understood(text, expected):
    """Dates with and without a year, in ISO, slash and Japanese spelling."""
    typed = parse(text)

    assert typed is not None and (typed.year, typed.month, typed.day) == expected


@pytest.mark.parametrize(
    "text", ["tomorrow", "明日", "9", "21pm", "25:00", "13:60", "11/27", "9.30pm", "x" * 65, ""]
)
def test_what_is_not_a_time_is_refused(text):
    """A day without a time, a bare number, impossible clocks and overlong text give None."""
    assert parse(text) is None


def test_tomorrow_across_the_local_day_change():
    """At 23:30 in New York (04:30 UTC the next day), `tomorrow 9:00` is the next local day."""
    now = utc(2026, 11, 27, 4, 30)  # 2026-11-26 23:30 EST

    assert parse_when("tomorrow 9:00", NEW_YORK, now) == utc(2026, 11, 27, 14, 0)
    assert parse_when("明日 9:00", NEW_YORK, now) == utc(2026, 11, 27, 14, 0)


def test_today_in_tokyo_when_utc_is_still_yesterday():
    """At 00:30 JST (15:30 UTC the day before), `今日 21時` is 21:00 that JST day."""
    now = utc(2026, 11, 26, 15, 30)  # 2026-11-27 00:30 JST

    assert parse_when("今日 21時", TOKYO, now) == utc(2026, 11, 27, 12, 0)


def test_a_bare_time_already_past_means_tomorrow():
    """`21:30` at 23:00 local is 21:30 the next day; `9pm` likewise."""
    now = utc(2026, 11, 27, 4, 0)  # 2026-11-26 23:00 EST

    assert parse_when("21:30", NEW_YORK, now) == utc(2026, 11, 28, 2, 30)
    assert parse_when("9pm", NEW_YORK, now) == utc(2026, 11, 28, 2, 0)


def test_today_at_a_time_already_past_is_refused():
    """`今日 9:00` at 10:00 names a past moment: refused, not moved to tomorrow."""
    now = utc(2026, 11, 27, 1, 0)  # 10:00 JST

    with pytest.raises(InvalidInput) as refused:
        parse_when("今日 9:00", TOKYO, now)

    assert refused.value.key == "error.when_past"


def test_tomorrow_across_spring_forward_uses_daylight_time():
    """On the Saturday before clocks go forward in New York, `tomorrow 9am` is 09:00 EDT."""
    now = utc(2026, 3, 7, 17, 0)  # 2026-03-07 12:00 EST; DST starts 2026-03-08 02:00

    assert parse_when("tomorrow 9am", NEW_YORK, now) == utc(2026, 3, 8, 13, 0)
    assert parse_when("21時", NEW_YORK, now) == utc(2026, 3, 8, 2, 0)  # today, still EST


def test_tomorrow_at_a_skipped_hour_is_refused():
    """`明日 2:30` on the spring-forward night does not exist in New York."""
    with pytest.raises(InvalidInput) as refused:
        parse_when("明日 2:30", NEW_YORK, utc(2026, 3, 7, 17, 0))

    assert refused.value.key == "error.when_skipped"


def test_tomorrow_across_fall_back_uses_standard_time():
    """On the Saturday before clocks go back, `tomorrow 21:30` is 21:30 EST (02:30 UTC)."""
    now = utc(2026, 10, 31, 16, 0)  # 12:00 EDT; DST ends 2026-11-01 02:00

    assert parse_when("tomorrow 21:30", NEW_YORK, now) == utc(2026, 11, 2, 2, 30)


def test_a_bad_format_suggests_tomorrows_date_not_a_fixed_year():
    """The error's example date is tomorrow on the server's clock."""
    with pytest.raises(InvalidInput) as refused:
        parse_when("someday", TOKYO, utc(2031, 5, 31, 16, 0))  # 2031-06-01 01:00 JST

    assert refused.value.key == "error.when_format"
    assert refused.value.values["date"] == "2031-06-02"


@pytest.mark.parametrize(
    ("text", "clock"),
    [("21時", time(21)), ("9pm", time(21)), ("２１：３０", time(21, 30)), ("明日 9:00", time(9))],
)
def test_reminder_times_take_the_same_forms(text, clock):
    """A reminder's time of day is written the same ways (a relative day says nothing)."""
    assert parse_time_of_day(text) == clock


def test_a_reminder_time_is_not_a_date():
    """A date is not a daily time."""
    assert parse_time_of_day("11/27 9:00") is None
