"""The server's wall clock: its time zone, a day and time on it as a UTC moment, and back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(name: str) -> tzinfo:
    """The server's time zone (UTC if the stored name is unknown to this system)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_local(moment: datetime, zone: tzinfo) -> str:
    """A moment as the server's wall clock shows it: `2026-11-27 09:00` (seconds if any)."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def local_moment(day: date, clock: time, zone: tzinfo) -> datetime:
    """`day` at `clock` on the server's wall clock, in UTC. An hour that occurs twice (clocks
    go back) means its first occurrence; a time skipped by clocks going forward is taken with
    the offset before the change, i.e. as late as the skip."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def exists_locally(day: date, clock: time, zone: tzinfo) -> bool:
    """Whether the wall clock shows `clock` on `day` (False inside a forward DST jump)."""
    moment = local_moment(day, clock, zone).astimezone(zone)
    return (moment.date(), moment.time()) == (day, clock)
