"""Publishing a draft later: `/draft publish when:` in the server's time zone.

A schedule is stored durably; when it is due the scheduler hands the draft to the ordinary
publish job (`PublishingService.publish`), which then publishes and announces it exactly once.
The handover is idempotent: the schedule is claimed (a time stamp) before the job is recorded,
and a publish job of the draft created since the claim means an earlier attempt handed it over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.errors import ConcurrentChange, GitHubError, InvalidInput, UserFacingError
from bot.local_time import exists_locally, format_local, local_moment, zone_of
from bot.models import Draft, Owner, Schedule, ScheduleState
from bot.retry import retry_delay
from bot.services.access import AccessService, AccessUnknown
from bot.services.clock import Clock
from bot.services.drafts import DraftService
from bot.services.labels import LabelCatalog, parse_labels
from bot.services.publishing import Author, PublishingService
from bot.services.store_ports import GuildSettingsRecords, ScheduleRecords
from bot.services.time_text import parse

log = logging.getLogger(__name__)

MAX_AHEAD = timedelta(days=366)
MAX_HANDOVER_ATTEMPTS = 10


def parse_time_of_day(text: str) -> time | None:
    """A time of day as members type it (`21:30`, `21時`, `9pm`, full-width digits...), or
    None. A relative day before it (`明日 9:00`) is allowed and says nothing more here; a
    date is not a time of day."""
    typed = parse(text)
    if typed is None or typed.month is not None:
        return None
    return typed.clock


def parse_when(text: str, timezone: str, now: datetime) -> datetime:
    """The UTC moment that `text` names on the server's wall clock. A date (`YYYY-MM-DD`,
    `YYYY/MM/DD`, `11月27日`; without a year, the next such date) or a relative day (`今日`,
    `明日`, `today`, `tomorrow`) and a time (`HH:MM[:SS]`, `21時`, `21時半`, `9pm`, `午後9時`);
    a time alone is the next such time (today if still ahead, else tomorrow). Refuses past
    moments."""
    zone = zone_of(timezone)
    local_now = now.astimezone(zone)
    typed = parse(text)

    def bad_format() -> InvalidInput:
        tomorrow = local_now.date() + timedelta(days=1)
        return InvalidInput(
            "error.when_format", text=text[:40], date=tomorrow.isoformat(), timezone=timezone
        )

    if typed is None:
        raise bad_format()
    clock = typed.clock
    try:
        if typed.days_ahead is not None:
            day = local_now.date() + timedelta(days=typed.days_ahead)
        elif typed.month is None or typed.day is None:
            day = local_now.date()
            if local_moment(day, clock, zone) <= now:
                day += timedelta(days=1)
        elif typed.year is None:
            day = date(local_now.year, typed.month, typed.day)
            if local_moment(day, clock, zone) <= now:
                day = day.replace(year=day.year + 1)
        else:
            day = date(typed.year, typed.month, typed.day)
    except ValueError:  # no such date, such as 2/30 (or 2/29 next year)
        raise bad_format() from None
    shown = f"{day.isoformat()} {clock.isoformat('seconds' if clock.second else 'minutes')}"
    if not exists_locally(day, clock, zone):
        raise InvalidInput("error.when_skipped", when=shown, timezone=timezone)
    moment = local_moment(day, clock, zone)
    if moment <= now:
        raise InvalidInput(
            "error.when_past", when=shown, now=format_local(now, zone), timezone=timezone
        )
    if moment - now > MAX_AHEAD:
        raise InvalidInput("error.when_too_far", when=shown, days=MAX_AHEAD.days)
    return moment


@dataclass(frozen=True)
class Scheduled:
    """The answer to scheduling: the schedule, the draft, and a schedule it replaced."""

    schedule: Schedule
    draft: Draft
    replaced: Schedule | None
    local_due: str  # the due moment on the server's wall clock
    timezone: str


class ScheduleService:
    """Schedules drafts, cancels schedules, and hands due ones to the publish job."""

    def __init__(
        self,
        schedules: ScheduleRecords,
        settings: GuildSettingsRecords,
        drafts: DraftService,
        publishing: PublishingService,
        labels: LabelCatalog,
        clock: Clock,
        access: AccessService | None = None,
        *,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self._schedules = schedules
        self._settings = settings
        self._drafts = drafts
        self._publishing = publishing
        self._labels = labels
        self._clock = clock
        self._access = access  # None: nobody is looked up again (tests of other behaviour)
        # Called when schedules change, so the worker sleeps until the right moment.
        self._wake_worker = wake_worker

    async def schedule(
        self, owner: Owner, draft_id: int | None, when: str, labels: str | None, author: Author
    ) -> Scheduled:
        """Store a schedule for the draft (replacing its earlier one); nothing is sent yet."""
        settings = await self._settings.get_guild_settings(owner.guild_id)
        now = self._clock.now()
        due = parse_when(when, settings.timezone, now)
        draft = self._drafts.check_writable(await self._drafts.get(owner, draft_id))
        chosen = None
        if labels is not None:
            chosen = ", ".join(await self._labels.resolve(parse_labels(labels), owner=owner))
        record = Schedule(
            id=0,
            draft_id=draft.id,
            guild_id=owner.guild_id,
            author_id=owner.user_id,
            due_at=due,
            labels=chosen,
            author_name=author.name,
            author_avatar_url=author.avatar_url,
            state=ScheduleState.PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
        try:
            stored, replaced = await self._schedules.add_schedule(record)
        except ConcurrentChange:
            # Published, publishing or deleted meanwhile: say which.
            self._drafts.check_writable(await self._drafts.get(owner, draft.id))
            raise UserFacingError("error.publish_in_progress", id=draft.id) from None
        log.info("draft %d scheduled for %s", draft.id, due.isoformat())
        self._wake_worker()
        return Scheduled(
            stored,
            draft,
            replaced,
            format_local(due, zone_of(settings.timezone)),
            settings.timezone,
        )

    async def unschedule(self, owner: Owner, draft_id: int | None) -> tuple[Schedule, Draft]:
        """Cancel the draft's schedule (without a draft: the one due soonest)."""
        if draft_id is None:
            pending = [s for s in await self.list(owner) if s.state is ScheduleState.PENDING]
            if not pending:
                raise UserFacingError("error.no_schedules")
            draft_id = pending[0].draft_id
        draft = await self._drafts.get(owner, draft_id)
        try:
            cancelled = await self._schedules.cancel_schedule(owner, draft.id, self._clock.now())
        except ConcurrentChange:
            raise UserFacingError("error.publish_in_progress", id=draft.id) from None
        if cancelled is None:
            raise UserFacingError("error.not_scheduled", id=draft.id)
        log.info("schedule %d of draft %d cancelled", cancelled.id, draft.id)
        self._wake_worker()
        return cancelled, draft

    async def list(self, owner: Owner) -> list[Schedule]:
        """The latest pending or failed schedule of each of the owner's drafts, soonest first."""
        return await self._schedules.list_schedules(owner)

    @staticmethod
    def error_for(schedule: Schedule) -> UserFacingError:
        """Why a failed schedule did not publish."""
        try:
            values = json.loads(schedule.error_detail or "{}")
        except ValueError:
            values = None
        if not isinstance(values, dict):
            values = {}
        return UserFacingError(schedule.error_key or "error.unexpected", **values)

    async def pending(self, limit: int | None = None) -> list[Schedule]:
        """Pending schedules (at most `limit`), the one to attempt soonest first."""
        return await self._schedules.list_pending_schedules(limit)

    async def hand_over(self, schedule: Schedule) -> None:
        """Give a due schedule to the publish job, once, even across crashes and restarts."""
        claimed = await self._schedules.claim_schedule(schedule.id, self._clock.now())
        if claimed is None or claimed.claimed_at is None:
            return  # cancelled (or handed over) meanwhile
        earlier = await self._schedules.find_publish_job_since(claimed.draft_id, claimed.claimed_at)
        if earlier is not None:
            log.info("schedule %d was handed to publish job %d before", claimed.id, earlier)
            await self._finish(claimed, ScheduleState.DONE, job_id=earlier)
            return
        author = Author(claimed.author_name, claimed.author_avatar_url)
        try:
            if self._access is not None:  # the author may have left or lost the author role
                await self._access.check_author(claimed.owner)
            # Labels are left to the job if GitHub cannot check them now: the schedule is
            # handed over even during an outage, and the job retries until GitHub is back.
            job, created = await self._publishing.publish(
                claimed.owner, claimed.draft_id, claimed.labels, author, defer_labels=True
            )
        except UserFacingError as error:
            if error.key == "error.already_published":  # published by hand meanwhile
                await self._finish(claimed, ScheduleState.DONE)
            elif _worth_retrying(error) and claimed.attempts + 1 < MAX_HANDOVER_ATTEMPTS:
                await self._retry(claimed, error)
            else:
                await self._fail(claimed, error)
            return
        log.info(
            "schedule %d handed to publish job %d (%s)",
            claimed.id,
            job.id,
            "new" if created else "joined",
        )
        await self._finish(claimed, ScheduleState.DONE, job_id=job.id)

    async def set_aside(self, schedule: Schedule, error: Exception) -> None:
        """A handover whose error escaped `hand_over` counts as a failed attempt: done if it
        made its publish job after all, else retried later with the usual backoff, failed
        after MAX_HANDOVER_ATTEMPTS."""
        claimed = await self._schedules.claim_schedule(schedule.id, self._clock.now())
        if claimed is None or claimed.claimed_at is None:
            return
        earlier = await self._schedules.find_publish_job_since(claimed.draft_id, claimed.claimed_at)
        if earlier is not None:
            await self._finish(claimed, ScheduleState.DONE, job_id=earlier)
            return
        log.error(
            "scheduled publish of draft %d: unexpected error", claimed.draft_id, exc_info=error
        )
        failure = UserFacingError("error.unexpected")
        if claimed.attempts + 1 < MAX_HANDOVER_ATTEMPTS:
            await self._retry(claimed, failure)
        else:
            await self._fail(claimed, failure)

    async def _finish(
        self,
        schedule: Schedule,
        state: ScheduleState,
        *,
        job_id: int | None = None,
        error_key: str | None = None,
        error_detail: str | None = None,
    ) -> None:
        await self._schedules.finish_schedule(
            schedule.id,
            self._clock.now(),
            state,
            job_id=job_id,
            error_key=error_key,
            error_detail=error_detail,
        )

    async def _fail(self, schedule: Schedule, error: UserFacingError) -> None:
        log.warning("scheduled publish of draft %d failed: %s", schedule.draft_id, error.key)
        # The message's values, so the draft's status can explain it in the reader's language.
        detail = json.dumps(error.values, ensure_ascii=False, default=str)
        await self._finish(schedule, ScheduleState.FAILED, error_key=error.key, error_detail=detail)

    async def _retry(self, schedule: Schedule, error: UserFacingError) -> None:
        now = self._clock.now()
        retry_after = error.retry_after if isinstance(error, GitHubError) else None
        delay = retry_after or retry_delay(schedule.attempts)
        log.warning(
            "scheduled publish of draft %d: %s; retrying in %.0fs", schedule.draft_id, error, delay
        )
        detail = json.dumps(error.values, ensure_ascii=False, default=str)
        await self._schedules.retry_schedule(
            schedule.id, now, now + timedelta(seconds=delay), error.key, detail
        )


def _worth_retrying(error: UserFacingError) -> bool:
    """GitHub or Discord briefly unavailable, or the author changing the draft at that very
    moment."""
    if isinstance(error, GitHubError):
        return error.transient
    return isinstance(error, AccessUnknown) or error.key == "error.changed_meanwhile"
