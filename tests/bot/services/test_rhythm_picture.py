"""The year picture from the store: local days at the day boundary, the streak, the cache."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.services import rhythm as rhythm_module
from bot.services.rhythm import RhythmService, current_streak, day_totals
from bot.year_calendar import DayTotal
from tests.bot.builders import ALICE, FakeClock
from tests.bot.services.test_rhythm import TOKYO, publish_at, utc

NOW = utc(2026, 11, 26, 3, 0)  # 12:00 in Tokyo


@pytest.fixture
async def rhythm(store) -> RhythmService:
    """Stats of a server on Tokyo time."""
    await store.settings.update_guild_settings(ALICE.guild_id, NOW, timezone=TOKYO)
    return RhythmService(store.entries, store.settings, FakeClock(NOW))


def test_current_streak_lists_its_days_newest_first():
    """Today has no entry yet: the streak is the run ending yesterday."""
    days = [date(2026, 11, d) for d in (8, 10, 11)]
    assert current_streak(days, date(2026, 11, 12)) == [date(2026, 11, 11), date(2026, 11, 10)]
    assert current_streak(days, date(2026, 11, 13)) == []


async def test_day_totals_follow_the_servers_day_boundary(store, rhythm):
    """23:59 and 00:00 in Tokyo are two days; their entries and characters add up per day."""
    await publish_at(store, utc(2026, 11, 24, 14, 59), body="1234")  # 11-24 23:59 JST
    await publish_at(store, utc(2026, 11, 24, 15, 0), body="12")  # 11-25 00:00 JST
    await publish_at(store, utc(2026, 11, 25, 2, 0), body="123")  # 11-25 11:00 JST
    entries = await store.entries.list_published_entries(ALICE.guild_id, author_id=ALICE.user_id)

    totals = day_totals(entries, ZoneInfo(TOKYO))

    assert totals == {date(2026, 11, 24): DayTotal(1, 4), date(2026, 11, 25): DayTotal(2, 5)}


async def test_overview_draws_the_members_tokyo_days(store, rhythm):
    """Two Tokyo days in a row (one of them 00:30 JST): two shaded days, both ringed."""
    await publish_at(store, utc(2026, 11, 25, 12, 0))  # 11-25 21:00 JST
    await publish_at(store, utc(2026, 11, 25, 15, 30))  # 11-26 00:30 JST

    overview = await rhythm.overview(ALICE.guild_id, ALICE.user_id)

    assert overview.stats.current_streak == 2
    assert (overview.picture.active_days, overview.picture.streak_days) == (2, 2)


async def test_the_picture_is_cached_until_the_totals_change(store, rhythm, monkeypatch):
    """Asked twice, the picture is drawn once; a new entry the same day draws it again."""
    drawn = []
    render = rhythm_module.render_year

    def counting(*args):
        drawn.append(args)
        return render(*args)

    monkeypatch.setattr(rhythm_module, "render_year", counting)
    await publish_at(store, utc(2026, 11, 26, 1, 0))
    first = await rhythm.overview(ALICE.guild_id, ALICE.user_id)
    again = await rhythm.overview(ALICE.guild_id, ALICE.user_id)
    assert again.picture is first.picture and len(drawn) == 1
    await publish_at(store, utc(2026, 11, 26, 2, 0))
    changed = await rhythm.overview(ALICE.guild_id, ALICE.user_id)
    assert changed.picture is not first.picture and len(drawn) == 2


async def test_the_picture_cache_is_bounded(store, rhythm, monkeypatch):
    """More members than the cache holds: the oldest pictures are dropped."""
    monkeypatch.setattr(rhythm_module, "PICTURE_CACHE_SIZE", 3)
    for member in range(5):
        await rhythm.overview(ALICE.guild_id, member + 1)
    assert len(rhythm._pictures) == 3
    assert {key[1] for key in rhythm._pictures} == {3, 4, 5}
