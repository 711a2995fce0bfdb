"""Posting queued announcements, each once, retrying when Discord fails; editing posted ones
when their entry changes on GitHub; with WAIT_FOR_PAGE, holding a post (bounded) until the blog
page is live, without holding up other jobs. The announcer loop hands each due job here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.models import Announcement, EntryState, JobState, TrackedAnnouncement
from bot.retry import retry_delay
from bot.services.announcing import AnnouncementFailed, AnnouncementSender
from bot.services.clock import Clock
from bot.services.posting import DEFAULT_NONCE_WINDOW, find_post, nonce_expired
from bot.services.store_ports import AnnouncementRecords

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff
MAX_EDIT_ATTEMPTS = 8
PAGE_WAIT_SECONDS = 600.0
PAGE_RECHECK_MAX_SECONDS = 60.0


class LivePages(Protocol):
    """Whether a blog page is live yet (WAIT_FOR_PAGE): `bot.page_probe.PageProbe`."""

    def is_live(self, url: str) -> bool: ...

    def forget(self, url: str) -> None: ...


@dataclass(frozen=True)
class AnnouncementEdit:
    """A due edit of a posted announcement (a job of its own beside the posts)."""

    announcement: TrackedAnnouncement


class AnnouncementDelivery:
    """Carries out announcement jobs: posts and edits, each with its retry decision."""

    def __init__(
        self,
        announcements: AnnouncementRecords,
        sender: AnnouncementSender,
        clock: Clock,
        *,
        pages: LivePages | None = None,
        page_wait: float = PAGE_WAIT_SECONDS,
        nonce_window: float = DEFAULT_NONCE_WINDOW,
    ) -> None:
        self._announcements = announcements
        self._sender = sender
        self._clock = clock
        self._pages = pages
        self._page_wait = page_wait
        self._nonce_window = nonce_window

    async def next_due(
        self,
    ) -> tuple[TrackedAnnouncement | AnnouncementEdit, datetime] | None:
        """The post or edit due soonest, with the time it is due (one indexed look-up each)."""
        jobs: list[tuple[TrackedAnnouncement | AnnouncementEdit, datetime]] = [
            (a, a.next_attempt_at)
            for a in await self._announcements.list_announcements_to_send(limit=1)
        ]
        for edit in await self._announcements.list_announcement_edits(limit=1):
            assert edit.edit_next_attempt_at is not None
            jobs.append((AnnouncementEdit(edit), edit.edit_next_attempt_at))
        return min(jobs, key=lambda pair: pair[1], default=None)

    async def run(self, job: Announcement | AnnouncementEdit) -> None:
        """One attempt at a post or an edit; the outcome is recorded, and a failure is retried
        later with a growing pause or given up (permanent, or out of attempts)."""
        if isinstance(job, AnnouncementEdit):
            await self._edit(job.announcement)
            return
        if not isinstance(job, TrackedAnnouncement):  # an Announcement, not yet tracked
            tracked = {
                a.channel_id: a
                for a in await self._announcements.list_tracked_announcements(
                    job.repository, job.issue_number
                )
            }
            if job.channel_id not in tracked:
                return
            job = tracked[job.channel_id]
        now = self._clock.now()
        announcement = await self._with_live_link(job, now)
        if announcement is None:
            return
        try:
            message_id = await self._post(job, announcement, now)
        except Exception as raised:
            # Anything unexpected counts as a failed attempt too, so one bad announcement
            # cannot block the queue behind it.
            await self._post_failed(job, _as_failure(raised, job.issue_number), now)
            return
        # A closed entry's note is drawn by an edit, which this makes due.
        shown = job.revision if job.entry_state is EntryState.OPEN else job.revision - 1
        await self._announcements.record_announcement_sent(
            job.channel_id,
            job.repository,
            job.issue_number,
            now,
            message_id=message_id,
            shown_revision=shown,
            url=announcement.url,
        )
        if self._pages is not None:
            self._pages.forget(job.url)
        log.info(
            "announced #%d in channel %d (message %d)", job.issue_number, job.channel_id, message_id
        )

    async def set_aside(self, job: Announcement | AnnouncementEdit, error: Exception) -> None:
        """A post or edit whose error escaped `run` counts as a failed attempt (a post may
        have gone out: its retry uses the nonce or looks first), retried later with the usual
        backoff, given up once out of attempts."""
        now = self._clock.now()
        if isinstance(job, AnnouncementEdit):
            tracked = job.announcement
            await self._edit_failed(tracked, _as_failure(error, tracked.issue_number), now)
            return
        current = {
            a.channel_id: a
            for a in await self._announcements.list_tracked_announcements(
                job.repository, job.issue_number
            )
        }.get(job.channel_id)
        if current is None or current.message_id is not None:
            return  # posted meanwhile
        await self._post_failed(current, _as_failure(error, job.issue_number), now)

    async def _post_failed(
        self, job: TrackedAnnouncement, error: AnnouncementFailed, now: datetime
    ) -> None:
        final = error.permanent or job.attempts + 1 >= MAX_ATTEMPTS
        delay = retry_delay(job.attempts)
        log.warning(
            "announcement of #%d in channel %d failed (%s)%s",
            job.issue_number,
            job.channel_id,
            error,
            "; giving up" if final else f"; retrying in {delay:.1f}s",
        )
        await self._announcements.update_announcement(
            job.channel_id,
            job.repository,
            job.issue_number,
            now,
            state=JobState.FAILED if final else JobState.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            outcome_unknown=job.outcome_unknown or error.outcome_unknown,
        )

    async def _edit_failed(
        self, job: TrackedAnnouncement, error: AnnouncementFailed, now: datetime
    ) -> None:
        final = error.permanent or job.edit_attempts + 1 >= MAX_EDIT_ATTEMPTS
        delay = retry_delay(job.edit_attempts)
        log.warning(
            "updating the announcement of #%d in channel %d failed (%s)%s",
            job.issue_number,
            job.channel_id,
            error,
            "; giving up" if final else f"; retrying in {delay:.1f}s",
        )
        await self._announcements.record_announcement_edit(
            job.channel_id,
            job.repository,
            job.issue_number,
            now,
            revision=job.revision,
            retry_at=None if final else now + timedelta(seconds=delay),
            succeeded=False,
        )

    async def _post(
        self, job: TrackedAnnouncement, announcement: Announcement, now: datetime
    ) -> int:
        """Post once: an earlier attempt that may have posted is resolved by Discord's nonce
        within its window, past it by looking for the entry's link among the bot's posts."""
        if job.outcome_unknown and nonce_expired(job.post_started_at, now, self._nonce_window):
            assert job.post_started_at is not None
            links = {job.url, announcement.url, job.issue_url}
            found = await find_post(
                self._sender,
                job.channel_id,
                lambda post: any(link in links for link in post.links),
                since=job.post_started_at,
            )
            if found is not None:
                log.info(
                    "announcement of #%d in channel %d was posted before (message %d); adopted",
                    job.issue_number,
                    job.channel_id,
                    found,
                )
                return found
        nonce = await self._announcements.mark_announcement_started(
            job.channel_id, job.repository, job.issue_number, now
        )
        return await self._sender.send_announcement(announcement, nonce)

    async def _with_live_link(
        self, job: TrackedAnnouncement, now: datetime
    ) -> TrackedAnnouncement | None:
        """The announcement to post now; None when it waits for its blog page (postponed with
        growing pauses until a deadline, then posted with the issue link instead)."""
        if self._pages is None or not job.issue_url or job.url == job.issue_url:
            return job
        if self._pages.is_live(job.url):
            return job
        deadline = job.page_deadline or now + timedelta(seconds=self._page_wait)
        left = (deadline - now).total_seconds()
        if left <= 0:
            log.info(
                "the blog page of #%d is not live after %.0fs; announcing the issue link",
                job.issue_number,
                self._page_wait,
            )
            return replace(job, url=job.issue_url)
        pause = min(max((self._page_wait - left) / 4, 1.0), PAGE_RECHECK_MAX_SECONDS, left)
        await self._announcements.postpone_announcement(
            job.channel_id,
            job.repository,
            job.issue_number,
            now + timedelta(seconds=pause),
            page_deadline=deadline,
        )
        return None

    async def _edit(self, job: TrackedAnnouncement) -> None:
        """Make a posted announcement show its entry as it is now."""
        assert job.message_id is not None
        now = self._clock.now()
        try:
            await self._sender.edit_announcement(job.channel_id, job.message_id, job)
        except AnnouncementFailed as error:
            await self._edit_failed(job, error, now)
            return
        await self._announcements.record_announcement_edit(
            job.channel_id,
            job.repository,
            job.issue_number,
            now,
            revision=job.revision,
            succeeded=True,
        )
        log.info(
            "updated the announcement of #%d in channel %d (message %d)",
            job.issue_number,
            job.channel_id,
            job.message_id,
        )


def _as_failure(error: Exception, issue_number: int) -> AnnouncementFailed:
    if isinstance(error, AnnouncementFailed):
        return error
    log.error("announcement of #%d: unexpected error", issue_number, exc_info=error)
    return AnnouncementFailed(repr(error), permanent=False)
