"""A diary's rhythm, computed from the store: entries per member, streaks of consecutive local
days, characters this month, and the entries of a given local day (today, or this day in
earlier years). Days are dates on the server's wall clock (its time zone)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.local_time import zone_of
from bot.models import Owner, PublishedEntry
from bot.services.clock import Clock
from bot.services.entries import Diary
from bot.services.store_ports import GuildSettingsRecords, PublishedEntryRecords
from bot.year_calendar import DayTotal, YearPicture, render_year

PICTURE_CACHE_SIZE = 256  # rendered calendars kept (a few KB each)


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The date the server's wall clock shows at `moment`."""
    return moment.astimezone(zone).date()


def current_streak(days: Iterable[date], today: date) -> list[date]:
    """The days of the current run of consecutive days, newest first. It ends today, or
    yesterday while today has no entry yet (the day is not over)."""
    present = set(days)
    end = today if today in present else today - timedelta(days=1)
    run = []
    while end in present:
        run.append(end)
        end -= timedelta(days=1)
    return run


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days (the current one as `current_streak`)."""
    unique = sorted(set(days))
    longest, run, previous = 0, 0, None
    for day in unique:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return len(current_streak(unique, today)), longest


def day_totals(entries: Iterable[PublishedEntry], zone: tzinfo) -> dict[date, DayTotal]:
    """Entries and characters per local date."""
    totals: dict[date, DayTotal] = {}
    for entry in entries:
        day = local_date(entry.published_at, zone)
        known = totals.get(day, DayTotal(0, 0))
        totals[day] = DayTotal(known.entries + 1, known.characters + entry.length)
    return totals


@dataclass(frozen=True)
class Stats:
    """A member's rhythm in one server."""

    entries: int
    current_streak: int
    longest_streak: int
    characters_this_month: int
    entries_this_month: int
    month: str  # YYYY-MM on the server's wall clock
    timezone: str
    last_published_at: datetime | None


def stats_of(
    entries: Sequence[PublishedEntry], zone: tzinfo, timezone: str, now: datetime
) -> Stats:
    """Stats over a member's published entries."""
    today = local_date(now, zone)
    days = [local_date(entry.published_at, zone) for entry in entries]
    current, longest = streaks(days, today)
    this_month = [
        entry
        for entry, day in zip(entries, days, strict=True)
        if (day.year, day.month) == (today.year, today.month)
    ]
    return Stats(
        entries=len(entries),
        current_streak=current,
        longest_streak=longest,
        characters_this_month=sum(entry.length for entry in this_month),
        entries_this_month=len(this_month),
        month=f"{today.year:04d}-{today.month:02d}",
        timezone=timezone,
        last_published_at=max((e.published_at for e in entries), default=None),
    )


def entries_on(entries: Iterable[PublishedEntry], day: date, zone: tzinfo) -> list[PublishedEntry]:
    """The entries published on the local date `day`."""
    return [entry for entry in entries if local_date(entry.published_at, zone) == day]


def on_this_day(entries: Iterable[PublishedEntry], day: date, zone: tzinfo) -> list[PublishedEntry]:
    """Entries published on the same local month and day in earlier years, newest first
    (29 February only matches 29 February)."""
    found = [
        entry
        for entry in entries
        if (local := local_date(entry.published_at, zone)).year < day.year
        and (local.month, local.day) == (day.month, day.day)
    ]
    return sorted(found, key=lambda entry: entry.published_at, reverse=True)


@dataclass(frozen=True)
class Overview:
    """A member's stats and the picture of their last 12 months."""

    stats: Stats
    picture: YearPicture


class RhythmService:
    """Stats and day lookups for a server, in its time zone."""

    def __init__(
        self,
        entries: PublishedEntryRecords,
        settings: GuildSettingsRecords,
        clock: Clock,
        *,
        entry_url: Callable[[int, str, str | None], str] = lambda number, url, repository: url,
        diary: Callable[[Owner], Awaitable[Diary]] | None = None,
    ) -> None:
        self._entries = entries
        self._settings = settings
        self._clock = clock
        self._entry_url = entry_url
        self._diary = diary
        # (guild, member, zone, local date) -> (the day totals drawn, the picture)
        self._pictures: OrderedDict[
            tuple[int, int, str, date], tuple[dict[date, DayTotal], YearPicture]
        ] = OrderedDict()

    async def stats(self, guild_id: int, member_id: int) -> Stats:
        """The member's published entries, streaks and characters this month in this server."""
        settings = await self._settings.get_guild_settings(guild_id)
        entries = await self._members_entries(guild_id, member_id)
        return stats_of(entries, zone_of(settings.timezone), settings.timezone, self._clock.now())

    async def _members_entries(self, guild_id: int, member_id: int) -> list[PublishedEntry]:
        """What the member published from this server (to whichever diary), and when they
        connected their own repository, the entries they wrote directly on GitHub there."""
        written_in = None
        if self._diary is not None:
            diary = await self._diary(Owner(guild_id, member_id))
            if diary.repository is not None and diary.login is not None:
                written_in = (diary.repository, diary.login)
        return await self._entries.list_published_entries(
            guild_id, author_id=member_id, written_in=written_in
        )

    async def overview(self, guild_id: int, member_id: int) -> Overview:
        """Stats and the calendar picture of the last 12 months, rendered in a worker thread
        and kept per member and local day until an entry changes the totals."""
        settings = await self._settings.get_guild_settings(guild_id)
        entries = await self._members_entries(guild_id, member_id)
        zone, now = zone_of(settings.timezone), self._clock.now()
        stats = stats_of(entries, zone, settings.timezone, now)
        today = local_date(now, zone)
        totals = day_totals(entries, zone)
        key = (guild_id, member_id, settings.timezone, today)
        cached = self._pictures.get(key)
        if cached is not None and cached[0] == totals:
            self._pictures.move_to_end(key)
            return Overview(stats, cached[1])
        streak = current_streak(totals, today)
        picture = await asyncio.to_thread(render_year, totals, today, streak)
        self._pictures[key] = (totals, picture)
        self._pictures.move_to_end(key)
        while len(self._pictures) > PICTURE_CACHE_SIZE:
            self._pictures.popitem(last=False)
        return Overview(stats, picture)

    async def server_entries(
        self, guild_id: int, channel_id: int | None = None
    ) -> list[PublishedEntry]:
        """Every entry of the server: published from its drafts, and with `channel_id` (its
        announcement channel) entries written on GitHub directly that were announced there.
        Links go to the blog when BLOG_URL_TEMPLATE is set (for the server diary's entries;
        those of a member's own diary link their issue)."""
        entries = await self._entries.list_published_entries(guild_id, channel_id=channel_id)
        return [
            PublishedEntry(
                number=e.number,
                title=e.title,
                url=(
                    self._entry_url(e.number, e.url, e.repository)
                    if e.author_id is not None
                    else e.url
                ),
                published_at=e.published_at,
                length=e.length,
                author_id=e.author_id,
                repository=e.repository,
            )
            for e in entries
        ]
