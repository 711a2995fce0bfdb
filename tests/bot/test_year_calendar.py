"""The year picture's layout: which square a day gets, how days are shaded, what is ringed."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.year_calendar import (
    COLUMNS,
    HEIGHT,
    PALETTE,
    SHADES,
    STREAK,
    WIDTH,
    DayTotal,
    days_shown,
    first_day,
    levels,
    render_year,
    square_box,
    square_of,
)

SATURDAY = date(2026, 12, 5)
SUNDAY = date(2026, 12, 6)


def _centre(picture: Image.Image, day: date, today: date) -> tuple[int, int, int]:
    left, top, right, bottom = square_box(*square_of(day, today))
    return picture.getpixel(((left + right) // 2, (top + bottom) // 2))


def _decode(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_today_is_in_the_last_column_on_its_weekday_row():
    """Sunday is the top row, Saturday the bottom; today always sits in the 53rd column."""
    assert square_of(SUNDAY, SUNDAY) == (COLUMNS - 1, 0)
    assert square_of(SATURDAY, SATURDAY) == (COLUMNS - 1, 6)
    assert square_of(SATURDAY, SUNDAY) == (COLUMNS - 2, 6)


def test_the_first_column_starts_on_the_sunday_52_weeks_back():
    """The grid starts on a Sunday 52 weeks before today's week: 365 to 371 days are shown."""
    start = first_day(SATURDAY)
    assert start.weekday() == 6 and (SATURDAY - start).days == 52 * 7 + 6
    assert square_of(start, SATURDAY) == (0, 0)
    assert len(days_shown(SUNDAY)) == 365 and len(days_shown(SATURDAY)) == 371


def test_days_outside_the_grid_have_no_square():
    """The day before the first Sunday, and tomorrow, are not drawn."""
    assert square_of(first_day(SUNDAY) - timedelta(days=1), SUNDAY) is None
    assert square_of(SUNDAY + timedelta(days=1), SUNDAY) is None


def test_squares_do_not_overlap_and_fit_the_picture():
    """Every square lies inside the picture, apart from its neighbours."""
    boxes = [square_box(*square_of(day, SATURDAY)) for day in days_shown(SATURDAY)]
    assert len(set(boxes)) == 371
    assert all(0 < x0 and x1 < WIDTH - 1 and y1 < HEIGHT for x0, _, x1, y1 in boxes)
    first_right, next_left = boxes[0][2], boxes[7][0]
    assert first_right < next_left - 1  # a gap wide enough for the streak ring


def test_shades_are_quarters_of_the_busiest_day():
    """The busiest day is darkest; a day with a quarter of its weight the lightest; every day
    with an entry is shaded, even one with no characters (images only)."""
    days = [SUNDAY - timedelta(days=n) for n in range(4)]
    shades = levels(
        {
            days[0]: DayTotal(2, 3000),  # weight 4000
            days[1]: DayTotal(1, 500),  # 1000: a quarter
            days[2]: DayTotal(1, 2500),  # 3000: three quarters
            days[3]: DayTotal(1, 0),  # 500
        }
    )
    assert shades == {days[0]: 4, days[1]: 1, days[2]: 3, days[3]: 1}


def test_a_published_day_is_shaded_and_an_empty_one_is_not():
    """Decoded, the picture shows the day with entries in a shade and the day without in the
    empty colour; it is a few KB."""
    picture = render_year({SATURDAY: DayTotal(1, 120)}, SUNDAY, ())
    image = _decode(picture.png)
    assert image.size == (WIDTH, HEIGHT) and len(picture.png) < 8_000
    assert _centre(image, SATURDAY, SUNDAY) == PALETTE[SHADES[4]]
    assert _centre(image, SUNDAY, SUNDAY) == PALETTE[SHADES[0]]
    assert picture.active_days == 1


def test_entries_older_than_the_grid_are_left_out():
    """A day before the first column counts for nothing, not even the shading of others."""
    old = first_day(SUNDAY) - timedelta(days=1)
    picture = render_year({old: DayTotal(5, 90_000), SUNDAY: DayTotal(1, 10)}, SUNDAY, ())
    assert picture.active_days == 1
    assert _centre(_decode(picture.png), SUNDAY, SUNDAY) == PALETTE[SHADES[4]]


def test_the_current_streak_is_ringed():
    """Each day of the streak gets a ring in the streak colour just outside its square."""
    streak = [SUNDAY, SATURDAY]
    totals = {day: DayTotal(1, 10) for day in [*streak, SUNDAY - timedelta(days=3)]}
    picture = render_year(totals, SUNDAY, streak)
    image = _decode(picture.png)
    assert picture.streak_days == 2
    for day, ringed in ((SUNDAY, True), (SATURDAY, True), (SUNDAY - timedelta(days=3), False)):
        left, top, *_ = square_box(*square_of(day, SUNDAY))
        assert (image.getpixel((left - 1, top - 1)) == PALETTE[STREAK]) is ringed
