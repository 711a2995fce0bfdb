"""Posts queued announcements, each once, retrying when Discord fails; edits posted ones when
their entry changes on GitHub; with WAIT_FOR_PAGE, holds a post (bounded) until the blog page
is live, without holding up other jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.models import Announcement, EntryState, JobState, TrackedAnnouncement
from bot.page_probe import PageProbe
from bot.retry import retry_delay
from bot.services.announcing import AnnouncementFailed, AnnouncementSender
from bot.services.clock import Clock
from bot.services.posting import DEFAULT_NONCE_WINDOW, find_post, nonce_expired
from bot.store import Store
from bot.workers._loop import JobLoop

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff
MAX_EDIT_ATTEMPTS = 8
PAGE_WAIT_SECONDS = 600.0
PAGE_RECHECK_MAX_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class _Edit:
    """A due edit of a posted announcement (a job of its own beside the posts)."""

    announcement: TrackedAnnouncement


class AnnounceWorker(JobLoop[Announcement | _Edit]):
    name = "announcer"

    def __init__(
        self,
        store: Store,
        sender: AnnouncementSender,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        *,
        pages: PageProbe | None = None,
        page_wait: float = PAGE_WAIT_SECONDS,
        nonce_window: float = DEFAULT_NONCE_WINDOW,
    ) -> None:
        super().__init__(clock, ready)
        self._store = store
        self._sender = sender
        self._pages = pages
        self._page_wait = page_wait
        self._nonce_window = nonce_window
        self._busy = asyncio.Lock()  # held while a post or edit is in flight
        self._stopping = False

    async def stop(self) -> None:
        """Let a post or edit in flight finish (briefly) so its outcome is recorded; one cut
        off is resolved at the next start by its nonce or a look for it."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._busy.acquire(), STOP_GRACE_SECONDS)
        except TimeoutError:
            log.warning("stopping while an announcement is in flight; its nonce resolves it")
            await super().stop()
        else:
            await super().stop()
            self._busy.release()
        self._stopping = False

    async def next_due(self) -> tuple[Announcement | _Edit, datetime] | None:
        jobs: list[tuple[Announcement | _Edit, datetime]] = [
            (a, a.next_attempt_at) for a in await self._store.list_announcements_to_send(limit=1)
        ]
        for edit in await self._store.list_announcement_edits(limit=1):
            assert edit.edit_next_attempt_at is not None
            jobs.append((_Edit(edit), edit.edit_next_attempt_at))
        return min(jobs, key=lambda pair: pair[1], default=None)

    async def run_one(self, job: Announcement | _Edit) -> None:
        if self._stopping:
            return
        async with self._busy:
            await self._run_job(job)

    async def _run_job(self, job: Announcement | _Edit) -> None:
        if isinstance(job, _Edit):
            await self._edit(job.announcement)
            return
        if not isinstance(job, TrackedAnnouncement):  # an Announcement, not yet tracked
            tracked = {
                a.channel_id: a
                for a in await self._store.list_tracked_announcements(
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
            error = _as_failure(raised, job.issue_number)
            final = error.permanent or job.attempts + 1 >= MAX_ATTEMPTS
            delay = retry_delay(job.attempts)
            log.warning(
                "announcement of #%d in channel %d failed (%s)%s",
                job.issue_number,
                job.channel_id,
                error,
                "; giving up" if final else f"; retrying in {delay:.1f}s",
            )
            await self._store.update_announcement(
                job.channel_id,
                job.repository,
                job.issue_number,
                now,
                state=JobState.FAILED if final else JobState.PENDING,
                next_attempt_at=now + timedelta(seconds=delay),
                outcome_unknown=job.outcome_unknown or error.outcome_unknown,
            )
            return
        # A closed entry's note is drawn by an edit, which this makes due.
        shown = job.revision if job.entry_state is EntryState.OPEN else job.revision - 1
        await self._store.record_announcement_sent(
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
        nonce = await self._store.mark_announcement_started(
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
        await self._store.postpone_announcement(
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
            final = error.permanent or job.edit_attempts + 1 >= MAX_EDIT_ATTEMPTS
            delay = retry_delay(job.edit_attempts)
            log.warning(
                "updating the announcement of #%d in channel %d failed (%s)%s",
                job.issue_number,
                job.channel_id,
                error,
                "; giving up" if final else f"; retrying in {delay:.1f}s",
            )
            await self._store.record_announcement_edit(
                job.channel_id,
                job.repository,
                job.issue_number,
                now,
                revision=job.revision,
                retry_at=None if final else now + timedelta(seconds=delay),
                succeeded=False,
            )
            return
        await self._store.record_announcement_edit(
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
