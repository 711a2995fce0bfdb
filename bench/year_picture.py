"""`python -m bench.year_picture`: render time and PNG size of the /diary stats calendar.

Three members: one who wrote every day of the year (every square shaded, a 371-day streak), one
who wrote on a random 60% of days, and one with a single entry. Each picture is rendered
`ROUNDS` times in this process (one thread, as the bot's worker thread does it) and the median
and slowest render are printed with the PNG's size. The bot caches a picture per member and day,
so a member asking again the same day costs nothing.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from bot.year_calendar import DayTotal, days_shown, render_year

ROUNDS = 50
TODAY = date(2026, 12, 5)  # a Saturday: the full 371 squares


def _members() -> dict[str, tuple[dict[date, DayTotal], list[date]]]:
    days = days_shown(TODAY)
    chance = random.Random(14)
    every = {day: DayTotal(chance.randint(1, 3), chance.randint(50, 4000)) for day in days}
    some = {day: total for day, total in every.items() if chance.random() < 0.6}
    some[TODAY] = DayTotal(1, 800)
    streak = []
    day = TODAY
    while day in some:
        streak.append(day)
        day -= timedelta(days=1)
    return {
        "every day": (every, list(reversed(days))),
        "60% of days": (some, streak),
        "one entry": ({TODAY: DayTotal(1, 120)}, [TODAY]),
    }


def main() -> None:
    print(f"/diary stats calendar, {ROUNDS} renders each (Pillow, one thread)")
    print(f"{'member':<12} {'median ms':>10} {'max ms':>8} {'PNG bytes':>10}")
    for name, (totals, streak) in _members().items():
        times = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            picture = render_year(totals, TODAY, streak)
            times.append((time.perf_counter() - began) * 1000)
        print(
            f"{name:<12} {statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{len(picture.png):>10,}"
        )


if __name__ == "__main__":
    main()
