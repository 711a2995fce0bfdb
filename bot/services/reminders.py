"""The daily reminder of a server: a nudge in a channel at a time of day on the server's wall
clock, skipped on days that already have an entry; optionally with "on this day" links to the
entries of the same date in earlier years.

Each local date is handled once: the day is claimed in the store ('sending', with a nonce of
its own) before the post. A later attempt at a day that may have been posted (a crash, a 5xx, a
timeout) sends the same nonce, which Discord matches for a few minutes; past that window it
first looks for the day's post among the bot's recent messages (every post names its date).
Turning the reminder off keeps the days it handled, so turning it on again posts no day twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from bot import i18n
from bot.errors import InvalidInput
from bot.limits import DISCORD_CONTENT, cut
from bot.local_time import local_moment, zone_of
from bot.models import PublishedEntry, Reminder
from bot.retry import retry_delay
from bot.services.announcing import AnnouncementFailed
from bot.services.clock import Clock
from bot.services.posting import DEFAULT_NONCE_WINDOW, RecentPosts, find_post, nonce_expired
from bot.services.rhythm import RhythmService, entries_on, local_date, on_this_day
from bot.services.scheduling import parse_time_of_day
from bot.services.store_ports import GuildSettingsRecords, ReminderRecords

log = logging.getLogger(__name__)

LATE_LIMIT = timedelta(hours=2)  # later than this (the bot was down), the day is skipped
MAX_ATTEMPTS = 6
MEMORY_LINES = 10
MEMORY_TITLE = 80
OFF_WORDS = frozenset({"-", "off", "none", "オフ", "なし"})
_MARKDOWN = re.compile(r"([\\\[\]()*_~`|>#])")


class ReminderPoster(RecentPosts, Protocol):
    """Posts a message in a channel with a nonce, in its server's language, pinging nobody;
    returns its id. `text_for` renders the text for a Discord locale. Raises
    AnnouncementFailed."""

    async def post_reminder(
        self, channel_id: int, text_for: Callable[[str | None], str], nonce: str
    ) -> int: ...


def is_off(text: str) -> bool:
    """Whether a `time` option asks to turn the reminder off."""
    return text.strip().lower() in OFF_WORDS


def link_text(title: str) -> str:
    """A title as the text of a Markdown link, its Markdown characters escaped."""
    return _MARKDOWN.sub(r"\\\1", cut(" ".join(title.split()), MEMORY_TITLE))


@dataclass(frozen=True)
class ReminderView:
    """A reminder with what `/diary-admin reminder` shows about it."""

    reminder: Reminder
    timezone: str
    next_at: datetime


class ReminderService:
    def __init__(
        self,
        reminders: ReminderRecords,
        settings: GuildSettingsRecords,
        rhythm: RhythmService,
        poster: ReminderPoster,
        clock: Clock,
        *,
        channel_for_guild: Callable[[int], Awaitable[int | None]],
        nonce_window: float = DEFAULT_NONCE_WINDOW,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self._reminders = reminders
        self._settings = settings
        self._rhythm = rhythm
        self._poster = poster
        self._clock = clock
        self._channel_for_guild = channel_for_guild
        self._nonce_window = nonce_window
        self._running = asyncio.Lock()  # one day's post at a time: a claim is never taken twice
        self._wake_worker = wake_worker

    async def show(self, guild_id: int) -> tuple[ReminderView | None, str]:
        """The server's reminder and when it is next due, if it has one; and the server's
        time zone (a reply without a reminder names it: times are written in it)."""
        reminder = await self._reminders.get_reminder(guild_id)
        if reminder is not None:
            view = await self._view(reminder)
            return view, view.timezone
        return None, (await self._settings.get_guild_settings(guild_id)).timezone

    async def configure(
        self,
        guild_id: int,
        *,
        channel_id: int | None,
        time_text: str | None,
        on_this_day: bool | None,
        default_channel_id: int,
        first_language: str | None = None,
    ) -> ReminderView:
        """Create or change the reminder; options left out keep their value (a new reminder
        posts in `default_channel_id`, the channel the command was used in). Setting up a
        reminder configures the server too: `first_language`, the admin's, becomes the
        server's language if it has none yet (its posts need one)."""
        existing = await self._reminders.get_reminder(guild_id)
        settings = await self._settings.get_guild_settings(guild_id)
        if first_language is not None and settings.language is None:
            settings = await self._settings.update_guild_settings(
                guild_id, self._clock.now(), first_language=first_language
            )
        if time_text is not None:
            text = time_text
        elif existing is not None:
            text = existing.time_of_day
        else:
            raise InvalidInput("error.reminder_time_needed", timezone=settings.timezone)
        clock = parse_time_of_day(text)
        if clock is None:
            raise InvalidInput(
                "error.reminder_time_format", text=text[:40], timezone=settings.timezone
            )
        zone, now = zone_of(settings.timezone), self._clock.now()
        today = local_date(now, zone)
        # A time already past today starts tomorrow: setting it never posts at once.
        passed = local_moment(today, clock, zone) <= now
        reminder = await self._reminders.set_reminder(
            guild_id,
            now,
            channel_id=channel_id or (existing.channel_id if existing else default_channel_id),
            time_of_day=clock.isoformat("seconds" if clock.second else "minutes"),
            on_this_day=on_this_day
            if on_this_day is not None
            else bool(existing and existing.on_this_day),
            handled_through=today.isoformat() if passed else None,
        )
        log.info("reminder of server %d set for %s", guild_id, reminder.time_of_day)
        self._wake_worker()
        return await self._view(reminder)

    async def turn_off(self, guild_id: int) -> bool:
        """Remove the server's reminder; False if it had none."""
        removed = await self._reminders.delete_reminder(guild_id)
        self._wake_worker()
        return removed

    async def due(self) -> list[tuple[Reminder, datetime]]:
        """Every reminder with the moment its next post is due, soonest first."""
        now = self._clock.now()
        found = []
        for reminder in await self._reminders.list_reminders():
            settings = await self._settings.get_guild_settings(reminder.guild_id)
            _, at = self._next(reminder, zone_of(settings.timezone), now)
            found.append((reminder, at))
        return sorted(found, key=lambda pair: pair[1])

    async def run(self, guild_id: int) -> None:
        """Handle the server's due day: post the nudge (and memories), or skip the day."""
        async with self._running:
            await self._run(guild_id)

    async def _run(self, guild_id: int) -> None:
        reminder = await self._reminders.get_reminder(guild_id)
        if reminder is None:
            return
        settings = await self._settings.get_guild_settings(guild_id)
        zone, now = zone_of(settings.timezone), self._clock.now()
        day, at = self._next(reminder, zone, now)
        if at > now:
            return
        key = day.isoformat()
        claimed = await self._reminders.claim_reminder_day(guild_id, key, now)
        if claimed is None:
            return
        try:
            earlier = await self._earlier_post(claimed, key, now)
        except AnnouncementFailed as error:
            await self._failed(claimed, key, error)
            return
        if earlier is not None:
            log.info("reminder of server %d for %s was posted before; adopted", guild_id, key)
            await self._reminders.record_reminder(guild_id, key, now, "sent", message_id=earlier)
            return
        clock = parse_time_of_day(reminder.time_of_day)
        assert clock is not None
        if now - local_moment(day, clock, zone) > LATE_LIMIT:
            log.info("reminder of server %d for %s missed (the bot was away)", guild_id, key)
            await self._reminders.record_reminder(guild_id, key, now, "skipped")
            return
        entries = await self._rhythm.server_entries(
            guild_id, await self._channel_for_guild(guild_id)
        )
        written = entries_on(entries, day, zone)
        memories = on_this_day(entries, day, zone) if reminder.on_this_day else []
        if written and not memories:
            log.info("reminder of server %d for %s skipped: an entry exists", guild_id, key)
            await self._reminders.record_reminder(guild_id, key, now, "skipped")
            return
        text_for = reminder_text(day, nudge=not written, memories=memories, zone=zone)
        await self._reminders.mark_reminder_started(guild_id, key, now)
        assert claimed.nonce is not None, "a claimed day has a nonce"
        try:
            message_id = await self._poster.post_reminder(
                reminder.channel_id, text_for, claimed.nonce
            )
        except Exception as raised:
            # Anything unexpected may have posted too: it is retried with the same nonce.
            error = raised if isinstance(raised, AnnouncementFailed) else None
            if error is None:
                log.error("reminder of server %d: unexpected error", guild_id, exc_info=raised)
                error = AnnouncementFailed(repr(raised), permanent=False, outcome_unknown=True)
            await self._failed(claimed, key, error)
            return
        log.info("reminder of server %d for %s posted", guild_id, key)
        await self._reminders.record_reminder(guild_id, key, now, "sent", message_id=message_id)

    async def set_aside(self, guild_id: int, error: Exception) -> None:
        """A day whose error escaped `run` counts as a failed attempt (it may have posted: the
        retry sends the same nonce or looks first): retried later with the usual backoff, the
        day failed after MAX_ATTEMPTS."""
        async with self._running:
            reminder = await self._reminders.get_reminder(guild_id)
            if reminder is None:
                return
            settings = await self._settings.get_guild_settings(guild_id)
            now = self._clock.now()
            day, at = self._next(reminder, zone_of(settings.timezone), now)
            if at > now:
                return  # recorded meanwhile
            key = day.isoformat()
            claimed = await self._reminders.claim_reminder_day(guild_id, key, now)
            if claimed is None:
                return
            log.error("reminder of server %d: unexpected error", guild_id, exc_info=error)
            failure = AnnouncementFailed(repr(error), permanent=False, outcome_unknown=True)
            await self._failed(claimed, key, failure)

    async def _earlier_post(self, claimed: Reminder, day: str, now: datetime) -> int | None:
        """The day's post made by an earlier attempt, when Discord may have forgotten that
        attempt's nonce; None when nothing may have been posted or nothing is found."""
        started = claimed.post_started_at
        if not nonce_expired(started, now, self._nonce_window):
            return None
        assert started is not None
        return await find_post(
            self._poster, claimed.channel_id, lambda post: day in post.content, since=started
        )

    async def _failed(self, reminder: Reminder, day: str, error: AnnouncementFailed) -> None:
        now = self._clock.now()
        if error.permanent or reminder.attempts + 1 >= MAX_ATTEMPTS:
            log.warning("reminder of server %d for %s failed: %s", reminder.guild_id, day, error)
            await self._reminders.record_reminder(reminder.guild_id, day, now, "failed")
            return
        delay = retry_delay(reminder.attempts)
        log.warning("reminder of server %d: %s; retrying in %.0fs", reminder.guild_id, error, delay)
        await self._reminders.record_reminder(
            reminder.guild_id, day, now, "retrying", next_attempt_at=now + timedelta(seconds=delay)
        )

    @staticmethod
    def _next(reminder: Reminder, zone: tzinfo, now: datetime) -> tuple[date, datetime]:
        """The local date the reminder handles next and the moment that is due."""
        if reminder.outcome == "retrying" and reminder.last_date and reminder.next_attempt_at:
            return date.fromisoformat(reminder.last_date), reminder.next_attempt_at
        if reminder.outcome == "sending" and reminder.last_date:
            # Left in flight by a crash: due now, to be resolved (nonce or look), not lost.
            return date.fromisoformat(reminder.last_date), now
        clock = parse_time_of_day(reminder.time_of_day)
        assert clock is not None
        today = local_date(now, zone)
        day = today
        if reminder.last_date is not None and date.fromisoformat(reminder.last_date) >= today:
            day = date.fromisoformat(reminder.last_date) + timedelta(days=1)
        return day, local_moment(day, clock, zone)

    async def _view(self, reminder: Reminder) -> ReminderView:
        settings = await self._settings.get_guild_settings(reminder.guild_id)
        _, at = self._next(reminder, zone_of(settings.timezone), self._clock.now())
        return ReminderView(reminder, settings.timezone, at)


def reminder_text(
    day: date, *, nudge: bool, memories: Sequence[PublishedEntry], zone: tzinfo
) -> Callable[[str | None], str]:
    """The day's post for a locale: the nudge, then links to this day in earlier years (whole
    lines only, within Discord's limit)."""

    def render(locale: str | None) -> str:
        lines = [i18n.t(locale, "reminder.nudge", date=day.isoformat())] if nudge else []
        if memories:
            lines.append(i18n.t(locale, "reminder.on_this_day", date=day.isoformat()))
            for entry in memories[:MEMORY_LINES]:
                line = i18n.t(
                    locale,
                    "reminder.memory_line",
                    year=local_date(entry.published_at, zone).year,
                    title=link_text(entry.title),
                    url=entry.url,
                )
                if sum(len(x) + 1 for x in lines) + len(line) > DISCORD_CONTENT:
                    break
                lines.append(line)
        return "\n".join(lines)

    return render
