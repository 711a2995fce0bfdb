"""/diary stats with its picture: a calendar of the last 12 months, decoded as Discord serves it."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from bot.year_calendar import HEIGHT, PALETTE, SHADES, STREAK, WIDTH, days_shown, square_box
from tests.e2e.harness import Rig


def _move_back(rig: Rig, title: str, days: int) -> None:
    """Date the published draft `title` `days` earlier, as if it had been published then."""
    with sqlite3.connect(rig.database_path, timeout=10) as db:
        (published,) = db.execute(
            "SELECT published_at FROM drafts WHERE title = ?", (title,)
        ).fetchone()
        earlier = datetime.strptime(published, "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(days=days)
        db.execute(
            "UPDATE drafts SET published_at = ? WHERE title = ?",
            (earlier.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), title),
        )


def _colour(picture: Image.Image, day: date, today: date, *, ring: bool = False) -> tuple:
    """The colour at the centre of `day`'s square (or, with `ring`, just outside its corner)."""
    column, row = divmod((day - days_shown(today)[0]).days, 7)
    left, top, right, bottom = square_box(column, row)
    at = (left - 1, top - 1) if ring else ((left + right) // 2, (top + bottom) // 2)
    return picture.getpixel(at)


def test_stats_attach_a_calendar_of_the_members_days(rig: Rig) -> None:
    """Entries today and three days ago: the PNG (a few KB, with alt text) has exactly those two
    squares shaded, yesterday's empty, and today's ringed as the current streak."""
    rig.start_bot()
    for title in ("Earlier", "Today"):
        rig.slash("owner", "new", {"title": title, "body": "A day's words."}).wait_final()
        rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    _move_back(rig, "Earlier", 3)
    today = datetime.now(UTC).date()  # the server's time zone is UTC by default
    shown = rig.slash("owner", "stats", command="diary").wait_final()
    assert shown["flags"] & 64
    (attachment,) = shown["attachments"]
    assert attachment["filename"] == "year.png"
    assert "2 days with entries" in attachment["description"]
    data = rig.discord.attachment_bytes(attachment)
    assert data.startswith(b"\x89PNG") and len(data) < 8_000
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    assert picture.size == (WIDTH, HEIGHT)
    empty = PALETTE[SHADES[0]]
    shaded = [day for day in days_shown(today) if _colour(picture, day, today) != empty]
    assert shaded == [today - timedelta(days=3), today]
    assert _colour(picture, today - timedelta(days=1), today) == empty
    assert _colour(picture, today, today, ring=True) == PALETTE[STREAK]
    assert _colour(picture, today - timedelta(days=3), today, ring=True) != PALETTE[STREAK]


def test_stats_in_japanese_describe_the_picture_in_japanese(rig: Rig) -> None:
    """A ja member gets the same picture with Japanese alt text."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "一日", "body": "今日のこと。"}).wait_final()
    rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    shown = rig.slash("owner", "stats", command="diary", locale="ja").wait_final()
    (attachment,) = shown["attachments"]
    assert "過去12か月のカレンダー" in attachment["description"]
    assert "記事のある日は1日" in attachment["description"]
