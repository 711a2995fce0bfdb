"""Addenda to published entries (`/entry add`), posted as comments exactly once.

The addendum is a durable job: recorded with its hidden key before the member is told it is
saved, carried out by a worker, resumed at start-up. Before each request the job is marked
"outcome unknown"; a job found so (a timeout, a 5xx, a crash) first looks for its key among the
issue's comments and adopts the comment found instead of posting again. An addendum to an
entry in a member's own diary is posted there with that member's token (the job keeps the
target, never the token).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.errors import GitHubError, InvalidInput, UserFacingError
from bot.job_waits import JobWaits
from bot.limits import GITHUB_BODY, clean_text
from bot.models import CommentJob, DiaryTarget, JobState, Owner
from bot.retry import retry_delay
from bot.services.clock import Clock
from bot.services.drafts import MAX_BODY
from bot.services.publishing import DISCONNECTED, TOKEN_REJECTED, signed_out
from bot.services.store_ports import CommentRecords

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff; then the job fails with a clear note


class CommentGateway(Protocol):
    async def add_comment(self, number: int, body: str) -> str: ...

    async def find_comment_containing(
        self, number: int, text: str, since: datetime
    ) -> str | None: ...


class CommentGateways(Protocol):
    """The gateway of each diary (bot.github_gateways.GatewayPool)."""

    async def for_target(self, target: DiaryTarget | None) -> CommentGateway: ...


def comment_marker(key: str) -> str:
    """The hidden key a comment carries (GitHub and gialog do not show HTML comments)."""
    return f"<!-- diary-bot:{key} -->"


class CommentService:
    def __init__(
        self,
        comments: CommentRecords,
        gateways: CommentGateways,
        clock: Clock,
        *,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self._comments = comments
        self._gateways = gateways
        self._clock = clock
        self._wake_worker = wake_worker  # rung when a job is due now
        self._waits: JobWaits[CommentJob] = JobWaits(self._comments.get_comment_job)

    async def add(
        self, owner: Owner, number: int, text: str, target: DiaryTarget | None = None
    ) -> CommentJob:
        """Record `text` as an addendum to entry `number` of `target` (None: the server diary;
        a published draft's `issue_target` for an entry in a member's own diary), durable
        before this returns."""
        text = clean_text(text).strip()
        if not text:
            raise InvalidInput("error.text_empty")
        if len(text) > MAX_BODY:
            raise InvalidInput("error.body_too_long", limit=MAX_BODY, length=len(text))
        key = uuid.uuid4().hex
        body = f"{text}\n\n{comment_marker(key)}"
        assert len(body) <= GITHUB_BODY
        job = await self._comments.add_comment_job(
            number, owner.guild_id, owner.user_id, key, body, self._clock.now(), target
        )
        log.info("comment job %d queued for entry #%d", job.id, number)
        self._wake_worker()
        return job

    async def wait(self, job_id: int, seconds: float) -> CommentJob:
        """The job once it is done or failed, or as it stands after `seconds`."""
        return await self._waits.wait(job_id, seconds)

    async def next_job(self) -> CommentJob | None:
        """The pending job due soonest (the comment worker's next)."""
        return await self._comments.next_comment_job()

    async def run(self, job: CommentJob) -> None:
        """One attempt: adopt the comment an earlier attempt may have made, else post it."""
        now = self._clock.now()
        marker = comment_marker(job.idempotency_key)
        try:
            gateway = await self._gateways.for_target(job.target)
            url = None
            if job.outcome_unknown:
                url = await gateway.find_comment_containing(
                    job.issue_number, marker, job.created_at
                )
                if url is not None:
                    log.info("comment job %d: found the comment of an earlier attempt", job.id)
            if url is None:
                await self._comments.mark_comment_job_started(job.id, now)
                url = await gateway.add_comment(job.issue_number, job.body)
        except GitHubError as error:
            await self._failed(job, error, now)
            return
        except UserFacingError as error:
            if not signed_out(error):
                await self._unexpected(job, error, now)
                return
            # The member's diary cannot be reached as them (sign in again, or disconnected):
            # the job ends with that note; the text stays in the job.
            key = DISCONNECTED if error.key == "connect.none" else error.key
            log.warning("comment job %d: the member's own diary is unavailable (%s)", job.id, key)
            await self._comments.fail_comment_job(job.id, now, key, "")
            self._signal(job.id)
            return
        except Exception as error:
            await self._unexpected(job, error, now)
            return
        await self._comments.complete_comment_job(job.id, self._clock.now(), url)
        log.info("comment added to entry #%d: %s", job.issue_number, url)
        self._signal(job.id)

    async def set_aside(self, job: CommentJob, error: Exception) -> None:
        """An attempt whose error escaped `run` counts as a failed attempt (retried by looking
        first, given up after MAX_ATTEMPTS)."""
        current = await self._comments.get_comment_job(job.id)
        if current is None or current.state is not JobState.PENDING:
            return
        await self._unexpected(current, error, self._clock.now())

    async def _failed(self, job: CommentJob, error: GitHubError, now: datetime) -> None:
        unknown = job.outcome_unknown or error.outcome_unknown
        # A rejected token is no reason to give up: the job waits for a new one (slowly).
        token_rejected = error.key == TOKEN_REJECTED
        if error.transient and (token_rejected or job.attempts + 1 < MAX_ATTEMPTS):
            delay = error.retry_after or retry_delay(job.attempts)
            log.warning("comment job %d failed (%s); retrying in %.1fs", job.id, error, delay)
            await self._comments.retry_comment_job(
                job.id,
                now,
                next_attempt_at=now + timedelta(seconds=delay),
                outcome_unknown=unknown,
                error_key=error.key,
                detail=error.detail,
            )
            if token_rejected:
                self._signal(job.id)  # the member hears at once that it waits for a token
            return
        if unknown:
            # Gave up while it may have been posted: one last look before saying it was not.
            try:
                gateway = await self._gateways.for_target(job.target)
                url = await gateway.find_comment_containing(
                    job.issue_number, comment_marker(job.idempotency_key), job.created_at
                )
            except UserFacingError:  # GitHub's errors, or the member's sign-in
                url = None
            if url is not None:
                await self._comments.complete_comment_job(job.id, now, url)
                self._signal(job.id)
                return
        log.warning("comment job %d failed for good: %s", job.id, error)
        await self._comments.fail_comment_job(job.id, now, error.key, error.detail)
        self._signal(job.id)

    async def _unexpected(self, job: CommentJob, error: Exception, now: datetime) -> None:
        # Unexpected: it may have posted, so it is retried by looking first.
        log.error("comment job %d: unexpected error", job.id, exc_info=error)
        await self._failed(
            job, GitHubError("github.unexpected", transient=True, outcome_unknown=True), now
        )

    def _signal(self, job_id: int) -> None:
        self._waits.finished(job_id)

    @staticmethod
    def error_for(job: CommentJob) -> UserFacingError:
        """The user-facing error a failed job ended with."""
        return UserFacingError(job.error_key or "github.unexpected", detail=job.error_detail or "")
