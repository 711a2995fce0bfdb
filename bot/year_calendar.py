"""A year of writing as a small PNG: one square per day for the last 53 weeks (columns are weeks,
Sunday at the top, today in the last column, like GitHub's contribution graph), shaded by that
day's entries and characters, the current streak ringed. Dates are the server's local dates.

Pure and synchronous (Pillow): callers run `render_year` in a worker thread. Text in the picture
is only month numbers, so it reads the same in every language; the alt text says the rest.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

COLUMNS, ROWS = 53, 7
CELL, GAP = 11, 3
STEP = CELL + GAP
PAD = 12
LABEL_HEIGHT = 14  # month numbers above the grid
LEGEND_HEIGHT = CELL + 10  # the shade legend below the grid
WIDTH = 2 * PAD + COLUMNS * STEP - GAP
HEIGHT = PAD + LABEL_HEIGHT + ROWS * STEP - GAP + LEGEND_HEIGHT + PAD
LEVELS = 5  # 0: no entry, 1..4: more writing
ENTRY_WEIGHT = 500  # an entry weighs as much as this many characters when shading

# A mid-tone card that carries its own contrast, so the picture reads the same on Discord's
# dark (#313338) and light (#ffffff) backgrounds. Palette indexes, drawn without antialiasing.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (0x4E, 0x55, 0x61),  # 0 card
    (0x3A, 0x40, 0x4A),  # 1 card border
    (0x6A, 0x72, 0x80),  # 2 level 0: a day without an entry
    (0x9B, 0xE9, 0xA8),  # 3 level 1
    (0x40, 0xC4, 0x63),  # 4 level 2
    (0x21, 0x9A, 0x3F),  # 5 level 3
    (0x0B, 0x5E, 0x26),  # 6 level 4
    (0xFF, 0xB0, 0x3B),  # 7 streak ring
    (0xE6, 0xE9, 0xEE),  # 8 labels
)
CARD, BORDER, EMPTY, STREAK, LABEL = 0, 1, 2, 7, 8
SHADES = (2, 3, 4, 5, 6)  # palette index of each level


@dataclass(frozen=True)
class DayTotal:
    """What was published on one local date."""

    entries: int
    characters: int


@dataclass(frozen=True)
class YearPicture:
    """A rendered calendar and what it shows."""

    png: bytes
    width: int
    height: int
    active_days: int  # days with at least one entry in the picture
    streak_days: int  # days of the current streak in the picture


def row_of(day: date) -> int:
    """The square's row: 0 for Sunday … 6 for Saturday."""
    return (day.weekday() + 1) % 7


def first_day(today: date) -> date:
    """The Sunday that starts the first column: 52 weeks before the week of `today`."""
    return today - timedelta(days=row_of(today) + 7 * (COLUMNS - 1))


def square_of(day: date, today: date) -> tuple[int, int] | None:
    """(column, row) of `day` in the picture drawn on `today`, or None outside it."""
    offset = (day - first_day(today)).days
    if offset < 0 or day > today:
        return None
    return offset // 7, offset % 7


def square_box(column: int, row: int) -> tuple[int, int, int, int]:
    """Pixel box (left, top, right, bottom; inclusive) of a square."""
    left = PAD + column * STEP
    top = PAD + LABEL_HEIGHT + row * STEP
    return left, top, left + CELL - 1, top + CELL - 1


def days_shown(today: date) -> list[date]:
    """Every date with a square, oldest first (365 to 371 days)."""
    start = first_day(today)
    return [start + timedelta(days=n) for n in range((today - start).days + 1)]


def levels(totals: Mapping[date, DayTotal]) -> dict[date, int]:
    """Shade 1..4 for each day with an entry: its weight (characters, each entry counting as
    ENTRY_WEIGHT more) in quarters of the busiest day's."""
    weights = {
        day: total.characters + ENTRY_WEIGHT * total.entries
        for day, total in totals.items()
        if total.entries > 0
    }
    heaviest = max(weights.values(), default=0)
    return {day: max(1, -(-4 * weight // heaviest)) for day, weight in weights.items()}


def render_year(
    totals: Mapping[date, DayTotal], today: date, streak: Collection[date]
) -> YearPicture:
    """The PNG of the 53 weeks up to `today`; `totals` and `streak` outside it are ignored."""
    shown = days_shown(today)
    inside = {day: totals[day] for day in shown if day in totals and totals[day].entries > 0}
    shade = levels(inside)
    ringed = [day for day in shown if day in streak]
    image = Image.new("P", (WIDTH, HEIGHT), CARD)
    image.putpalette([channel for colour in PALETTE for channel in colour])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, HEIGHT - 1), outline=BORDER)
    font = ImageFont.load_default()
    for day in shown:
        column, row = divmod((day - shown[0]).days, 7)
        box = square_box(column, row)
        draw.rectangle(box, fill=SHADES[shade.get(day, 0)])
        if day.day == 1 or (column == 0 and row == 0 and day.day < 22):
            draw.text((box[0], PAD - 1), str(day.month), fill=LABEL, font=font)
    for day in ringed:
        left, top, right, bottom = square_box(*divmod((day - shown[0]).days, 7))
        draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), outline=STREAK)
    _legend(draw)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return YearPicture(buffer.getvalue(), WIDTH, HEIGHT, len(inside), len(ringed))


def _legend(draw: ImageDraw.ImageDraw) -> None:
    """Bottom right: the five shades from no entry to the most writing, then a ringed square
    (the current streak)."""
    top = HEIGHT - PAD - CELL
    slots = [(shade, False) for shade in SHADES] + [(None, False), (SHADES[0], True)]
    for slot, (shade, ringed) in enumerate(slots):
        left = WIDTH - PAD - (len(slots) - slot) * STEP + GAP
        if shade is not None:
            draw.rectangle((left, top, left + CELL - 1, top + CELL - 1), fill=shade)
        if ringed:
            draw.rectangle((left - 1, top - 1, left + CELL, top + CELL), outline=STREAK)
