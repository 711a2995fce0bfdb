"""Times as members type them: `21:30`, `21時`, `9pm`, `明日 9:00`, `tomorrow 9:00`,
`11/27 9:00`, `2026-11-27 09:00`, `11月27日 21時半`, full-width digits included.

A small left-to-right scanner: each part is one anchored pattern without nested repetition,
tried at most once at one position, on text of at most MAX_LENGTH characters, so parsing is
linear in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time

MAX_LENGTH = 64

# Relative days, as written in Japanese (kanji or kana) and English.
DAY_WORDS = {
    "今日": 0,
    "きょう": 0,
    "本日": 0,
    "today": 0,
    "明日": 1,
    "あした": 1,
    "あす": 1,
    "tomorrow": 1,
    "明後日": 2,
    "あさって": 2,
}
_DAY_WORD = re.compile("|".join(sorted(DAY_WORDS, key=len, reverse=True)))
_DATE = re.compile(r"(?:(?P<year>\d{4})[-/.])?(?P<month>\d{1,2})[-/.](?P<day>\d{1,2})")
_DATE_JA = re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日")
_HALF_DAY_BEFORE = re.compile(r"(?P<half>午前|午後|am|pm)")
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})"
    r"(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"|時(?:(?P<ja_minute>\d{1,2})分|(?P<half_hour>半))?)?"
)
_HALF_DAY_AFTER = re.compile(r"(?P<half>a\.?m\.?|p\.?m\.?)")
_SPACE = re.compile(r" ?")
# What may stand between the day and the time: `明日の9時`, `tomorrow at 9pm`, `11/27T09:00`.
_JOINER = re.compile(r"t|(?: ?(?:の|at |に)? ?)")


@dataclass(frozen=True)
class TypedTime:
    """What a member wrote: a time of day, and maybe a day (a date or a relative day)."""

    clock: time
    year: int | None = None
    month: int | None = None
    day: int | None = None
    days_ahead: int | None = None  # 0 today, 1 tomorrow, 2 the day after

    @property
    def has_day(self) -> bool:
        return self.month is not None or self.days_ahead is not None


def normalize(text: str) -> str:
    """Full-width digits, colons and letters become ASCII; lower case; single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def parse(text: str) -> TypedTime | None:
    """The time (and day) `text` names, or None when it is not one of the accepted forms."""
    if len(text) > MAX_LENGTH:
        return None
    s = normalize(text)
    found = _day_then_time(s)
    if found is None:
        found = _time_then_day(s)
    return found


def _day_then_time(s: str) -> TypedTime | None:
    day, end = _day(s, 0)
    if day is not None:
        joined = _JOINER.match(s, end)
        end = joined.end() if joined else end
    elif end != 0:
        return None
    clock, end = _time(s, end)
    if clock is None or end != len(s):
        return None
    return TypedTime(clock, **(day or {}))


def _time_then_day(s: str) -> TypedTime | None:
    """`9pm tomorrow`, `21時 明日`: a time, then a relative day."""
    clock, end = _time(s, 0)
    if clock is None:
        return None
    end = _SPACE.match(s, end).end()  # type: ignore[union-attr]
    word = _DAY_WORD.match(s, end)
    if word is None or word.end() != len(s):
        return None
    return TypedTime(clock, days_ahead=DAY_WORDS[word.group()])


def _day(s: str, start: int) -> tuple[dict[str, int | None] | None, int]:
    word = _DAY_WORD.match(s, start)
    if word is not None:
        return {"days_ahead": DAY_WORDS[word.group()]}, word.end()
    for pattern in (_DATE_JA, _DATE):
        match = pattern.match(s, start)
        # A date needs something after it: `11/27` alone is not a time.
        if match is not None and match.end() < len(s):
            year = int(match["year"]) if match["year"] else None
            fields = {"year": year, "month": int(match["month"]), "day": int(match["day"])}
            return fields, match.end()
    return None, start


def _time(s: str, start: int) -> tuple[time | None, int]:
    """A time of day at `start`: `21:30`, `21:30:05`, `21時`, `21時30分`, `9時半`, `9pm`,
    `9:30 pm`, `午後9時`; (None, start) if there is none."""
    half = None
    before = _HALF_DAY_BEFORE.match(s, start)
    position = start
    if before is not None:
        half = before["half"]
        position = _SPACE.match(s, before.end()).end()  # type: ignore[union-attr]
    clock = _CLOCK.match(s, position)
    if clock is None:
        return None, start
    end = clock.end()
    if half is None:
        after_space = _SPACE.match(s, end).end()  # type: ignore[union-attr]
        after = _HALF_DAY_AFTER.match(s, after_space)
        if after is not None:
            half, end = after["half"], after.end()
    hour = int(clock["hour"])
    if clock["minute"] is not None:
        minute = int(clock["minute"])
    elif clock["ja_minute"] is not None:
        minute = int(clock["ja_minute"])
    else:
        minute = 30 if clock["half_hour"] else 0
    second = int(clock["second"] or 0)
    written_as_clock = clock["minute"] is not None or "時" in clock.group()
    if half is None and not written_as_clock:
        return None, start  # a bare number is not a time
    if half is not None:
        if not 1 <= hour <= 12 and not (hour == 0 and half in ("午前", "午後")):
            return None, start
        afternoon = half in ("午後",) or half.startswith("p")
        hour = hour % 12 + (12 if afternoon else 0)
    try:
        return time(hour, minute, second), end
    except ValueError:
        return None, start
