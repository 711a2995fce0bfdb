"""Publishing a draft as one GitHub issue, through a durable job that survives crashes.

The job (a snapshot of the draft and an idempotency key) is stored before GitHub is called.
The issue body ends with the key in an HTML comment, so after any attempt whose outcome is
unknown the worker looks for the issue first and adopts it instead of creating a second one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.errors import ConcurrentChange, GitHubError, InvalidInput, UserFacingError
from bot.job_waits import JobWaits
from bot.limits import GITHUB_BODY
from bot.markdown_scan import MARKER_PREFIX, MARKER_SUFFIX
from bot.models import (
    Announcement,
    CreatedIssue,
    DiaryTarget,
    Draft,
    Entry,
    JobState,
    Owner,
    PublishJob,
)
from bot.retry import retry_delay
from bot.services.announcing import AnnouncementService
from bot.services.bylines import render_byline
from bot.services.clock import Clock
from bot.services.drafts import DraftService, refuse_published
from bot.services.image_commits import ImagePublisher
from bot.services.labels import LabelCatalog, parse_labels
from bot.services.store_ports import GuildSettingsRecords, PublishJobRecords

log = logging.getLogger(__name__)

SNAPSHOT_TRIES = 3
# A publish job that keeps failing is given up after this many attempts, about five days of
# retries five minutes apart (the member is told, and /draft publish tries again): an outage
# of days loses no draft, and no job lives forever.
MAX_ATTEMPTS = 2_000
GAVE_UP = "github.gave_up"
CANCELLED = "publish.cancelled"
# GitHub may finish a creation whose answer was lost seconds later: after an unknown outcome,
# the key is looked for only this long after that creation was sent.
SETTLE_SECONDS = 10.0


TOKEN_REJECTED = "github.unauthorized"
# The member disconnected while their entry waited to be published to their own diary.
DISCONNECTED = "publish.disconnected"
DISCONNECTED_IN_DOUBT = "publish.disconnected_in_doubt"  # ... after it may have been created


def signed_out(error: UserFacingError) -> bool:
    """Whether `error` says a member's connection cannot act for them now (connect again,
    disconnected, the app's sign-in refused or turned off): waiting will not help."""
    return error.key.startswith("connect.")


def key_marker(key: str) -> str:
    """The HTML comment carrying a job's key; GitHub and gialog both hide it."""
    return f"{MARKER_PREFIX}{key}{MARKER_SUFFIX}"


def issue_body(text: str, images: Sequence[str], byline: str | None, key: str) -> str:
    """The issue body: the draft's text, the image links, the byline, then the key marker."""
    parts = [text] if text.strip() else []
    return "\n\n".join([*parts, *images, *([byline] if byline else []), key_marker(key)])


def body_with_images(job: PublishJob, images: Sequence[str]) -> str:
    """The job's body with the image links between the text and the byline."""
    if not images:
        return job.body
    marker = key_marker(job.idempotency_key)
    text = job.body.removesuffix(marker).rstrip("\n")
    if not job.body.endswith(marker):
        return "\n\n".join(([text] if text.strip() else []) + list(images))
    if job.byline:
        text = text.removesuffix(job.byline).rstrip("\n")
    return issue_body(text, images, job.byline, job.idempotency_key)


class IssueGateway(Protocol):
    async def create_issue(self, title: str, body: str, labels: Sequence[str]) -> CreatedIssue: ...

    async def find_issue_containing(self, text: str, since: datetime) -> CreatedIssue | None: ...

    async def list_label_names(self) -> list[str]: ...


class IssueGateways(Protocol):
    """The gateway of each diary (bot.github_gateways.GatewayPool)."""

    async def for_target(self, target: DiaryTarget | None) -> IssueGateway: ...


# Where a member's entries in a server go (ConnectionService.diary_of): None, the server diary.
DiaryOf = Callable[[int, int], Awaitable[DiaryTarget | None]]


async def server_diary(guild_id: int, user_id: int) -> DiaryTarget | None:
    """Every entry in the server diary (members' own diaries not configured)."""
    return None


@dataclass(frozen=True)
class Author:
    """How the author appears in the announcement."""

    name: str
    avatar_url: str | None = None


class PublishingService:
    """Turns drafts into publish jobs and carries the jobs out."""

    def __init__(
        self,
        jobs: PublishJobRecords,
        settings: GuildSettingsRecords,
        drafts: DraftService,
        gateways: IssueGateways,
        announcements: AnnouncementService,
        labels: LabelCatalog,
        clock: Clock,
        images: ImagePublisher,
        *,
        settle_seconds: float = SETTLE_SECONDS,
        diary_of: DiaryOf = server_diary,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self._settle = timedelta(seconds=settle_seconds)
        self._labels = labels
        self._images = images
        self._jobs = jobs
        self._settings = settings
        self._drafts = drafts
        self._gateways = gateways
        self._diary_of = diary_of
        self._announcements = announcements
        self._clock = clock
        self._wake_worker = wake_worker  # rung when a job is due now
        self._waits: JobWaits[PublishJob] = JobWaits(self._jobs.get_publish_job)
        self._running: int | None = None  # the job whose attempt is under way

    async def publish(
        self,
        owner: Owner,
        draft_id: int | None,
        labels: str | None,
        author: Author,
        *,
        defer_labels: bool = False,
    ) -> tuple[PublishJob, bool]:
        """Record a publish job for the draft, or join the one in flight. With `defer_labels`
        (a due schedule), labels GitHub cannot check now are left to the job, which checks
        them with its normal retries: the handover needs no answer from GitHub.

        Returns the job and whether this call created it.
        """
        for _ in range(SNAPSHOT_TRIES):
            draft = await self._drafts.get(owner, draft_id)
            pending = await self._pending_job(draft)
            if pending is not None:
                if pending.error_key == TOKEN_REJECTED:
                    # Published again once the token works: try now rather than at the next
                    # slow retry.
                    await self._jobs.reschedule_publish_job(pending.id, self._clock.now())
                    self._wake_worker()
                return pending, False
            # A job that ended while it may have created the issue lends its key, so this one
            # adopts that issue instead of creating a second.
            earlier = await self._jobs.get_unresolved_publish_job(draft.id)
            job = await self._snapshot(draft, labels, author, earlier, defer_labels)
            try:
                # Recorded only if the draft is still as read: the issue gets what was saved.
                job, created = await self._jobs.add_publish_job(
                    job, expected=draft, reopen=earlier is not None
                )
                break
            except ConcurrentChange:
                continue
        else:
            raise UserFacingError("error.changed_meanwhile", id=draft.id)
        if created:
            log.info("publish job %d queued for draft %d", job.id, draft.id)
            self._wake_worker()
        return job, created

    async def publish_and_wait(
        self,
        owner: Owner,
        draft_id: int | None,
        labels: str | None,
        author: Author,
        seconds: float,
    ) -> PublishJob:
        """`publish` (joining a job in flight), then the job once it ended, or as it stands
        after `seconds` (what /draft publish answers with)."""
        job, _ = await self.publish(owner, draft_id, labels, author)
        return await self.wait(job.id, seconds)

    async def set_labels(self, owner: Owner, draft_id: int | None, text: str) -> Draft:
        """The labels the draft will be published with (comma-separated, as the diary its
        entries go to names them; unknown ones are refused)."""
        chosen = await self._labels.choose(text, owner=owner)
        return await self._drafts.edit(owner, draft_id, labels=chosen, reason="labels")

    async def _pending_job(self, draft: Draft) -> PublishJob | None:
        """The job publishing this draft right now, if any; refuses published drafts."""
        refuse_published(draft)
        if draft.job_state is not JobState.PENDING:
            return None
        return await self._jobs.get_pending_publish_job(draft.id)

    async def _snapshot(
        self,
        draft: Draft,
        labels: str | None,
        author: Author,
        earlier: PublishJob | None = None,
        defer_labels: bool = False,
    ) -> PublishJob:
        """The job for a draft as it is now, after the checks that need no request; with
        `earlier`, that job again (its id, key and creation, and its diary: an issue it may
        have made is there) with the draft as it is now. Else the diary is chosen now: the
        author's own repository if they connected one in this server, else the server's."""
        if earlier is not None:
            target = earlier.target
        else:
            target = await self._diary_of(draft.guild_id, draft.author_id)
        images = await self._images.check_draft(draft, target)
        if not draft.body.strip() and not images:
            raise InvalidInput("error.body_empty")
        requested = parse_labels(labels) if labels is not None else list(draft.labels)
        try:
            chosen = await self._labels.resolve(requested, target=target)
        except GitHubError as error:
            if not (defer_labels and error.transient):
                raise
            chosen = requested  # the job resolves them once GitHub answers
        key = earlier.idempotency_key if earlier else uuid.uuid4().hex
        now = self._clock.now()
        settings = await self._settings.get_guild_settings(draft.guild_id)
        # The byline names the member in a shared diary; in their own one GitHub does.
        own_diary = target is not None and target.member is not None
        wanted = settings.byline and not own_diary
        byline = render_byline(settings.byline, author.name) if wanted else None
        body = issue_body(draft.body, (), byline, key)
        if len(body) > GITHUB_BODY:
            raise InvalidInput(
                "error.body_too_long_with_byline", length=len(body), limit=GITHUB_BODY
            )
        return PublishJob(
            id=earlier.id if earlier else 0,
            draft_id=draft.id,
            guild_id=draft.guild_id,
            author_id=draft.author_id,
            author_name=author.name,
            author_avatar_url=author.avatar_url,
            idempotency_key=key,
            title=draft.title,
            body=body,
            labels=tuple(chosen),
            state=JobState.PENDING,
            attempts=0,
            outcome_unknown=earlier is not None,
            next_attempt_at=now,
            created_at=earlier.created_at if earlier else now,
            byline=byline,
            create_started_at=earlier.create_started_at if earlier else None,
            target=target,
        )

    async def wait(self, job_id: int, seconds: float) -> PublishJob:
        """The job once it is done or failed, or as it stands after `seconds`."""
        return await self._waits.wait(job_id, seconds)

    async def cancel(self, owner: Owner, draft_id: int | None) -> tuple[PublishJob, Draft]:
        """Stop the draft's publish job (it keeps its key: publishing the draft again adopts
        an issue an earlier attempt may have made). Refused while an attempt is under way."""
        draft = await self._drafts.get(owner, draft_id)
        job = None if draft.is_published else await self._jobs.get_pending_publish_job(draft.id)
        if job is None:
            raise UserFacingError("error.nothing_to_cancel", id=draft.id)
        if job.id == self._running:
            raise UserFacingError("error.publish_in_progress", id=draft.id)
        if not await self._jobs.end_publish_job(job.id, self._clock.now(), CANCELLED, ""):
            raise UserFacingError("error.nothing_to_cancel", id=draft.id)  # it ended meanwhile
        log.info("publish job %d of draft %d cancelled", job.id, draft.id)
        self._signal(job.id)
        return job, draft

    async def next_job(self) -> PublishJob | None:
        """The pending job due soonest (the publish worker's next)."""
        jobs = await self._jobs.list_pending_publish_jobs(limit=1)
        return jobs[0] if jobs else None

    async def run(self, job: PublishJob) -> None:
        """One attempt at a job: commit its images not yet in the repository, then adopt the
        issue if an earlier attempt made it, else create it (after every image is in)."""
        current = await self._jobs.get_publish_job(job.id)
        if current is None or current.state is not JobState.PENDING:
            return  # cancelled since the worker picked it
        self._running = job.id
        try:
            await self._attempt(current)
        finally:
            self._running = None

    async def set_aside(self, job: PublishJob, error: Exception) -> None:
        """An attempt whose error escaped `run` counts as a failed attempt: retried later with
        the usual backoff (looking first if it may have created the issue), given up after
        MAX_ATTEMPTS."""
        current = await self._jobs.get_publish_job(job.id)
        if current is None or current.state is not JobState.PENDING:
            return
        maybe_created = current.outcome_unknown or current.create_started_at is not None
        transient = GitHubError(
            "github.unavailable", transient=True, outcome_unknown=True, detail=repr(error)
        )
        await self._failed_attempt(current, transient, maybe_created)

    async def _attempt(self, job: PublishJob) -> None:
        if job.outcome_unknown and job.create_started_at is not None:
            settled_at = job.create_started_at + self._settle
            if self._clock.now() < settled_at:
                # Looking now could miss an issue GitHub is still creating: look once it is
                # settled (this holds up no other job).
                await self._jobs.postpone_publish_job(job.id, settled_at)
                return
        # Until a search shows no issue carries the key, an earlier attempt may have made one.
        maybe_created = job.outcome_unknown
        try:
            gateway = await self._gateways.for_target(job.target)
            # The repository's names (cached): a scheduled job may carry them unchecked.
            labels = await self._resolve_labels(job.labels, job.target)
            body = body_with_images(job, await self._images.commit(job))
            if len(body) > GITHUB_BODY:
                # Numbers only: the detail is stored with the job and shown in any language.
                raise GitHubError("github.body_too_long", detail=f"{len(body)}/{GITHUB_BODY}")
            created = None
            if job.outcome_unknown:
                created = await gateway.find_issue_containing(
                    key_marker(job.idempotency_key), job.created_at
                )
                if created:
                    log.info("publish job %d adopted issue #%d", job.id, created.number)
                maybe_created = False
            if created is None:
                await self._jobs.mark_publish_job_started(job.id, self._clock.now())
                created = await gateway.create_issue(job.title, body, labels)
        except GitHubError as error:
            await self._failed_attempt(job, error, maybe_created)
            return
        except UserFacingError as error:
            if not signed_out(error):
                await self._unexpected(job, error, maybe_created)
                return
            # The member's own diary cannot be reached as them (they must sign in again, or
            # disconnected meanwhile): nothing waits for that, so the job ends with a note; the
            # draft stays, and publishing again (after /diary connect) works.
            await self._member_unavailable(job, error, maybe_created)
            return
        except Exception as error:  # a bug or an unexpected library error: retry, log loudly
            await self._unexpected(job, error, maybe_created)
            return
        await self._complete(job, created, body)

    async def _resolve_labels(self, names: Sequence[str], target: DiaryTarget | None) -> list[str]:
        """`names` as the repository spells them; an unknown label fails the job for good."""
        try:
            return await self._labels.resolve(names, target=target)
        except InvalidInput as error:
            detail = f"labels: {error.values.get('labels') or ', '.join(names)}"
            raise GitHubError("github.invalid", detail=detail) from None

    async def _unexpected(self, job: PublishJob, error: Exception, maybe_created: bool) -> None:
        log.exception("publish job %d: unexpected error", job.id)
        transient = GitHubError(
            "github.unavailable", transient=True, outcome_unknown=True, detail=repr(error)
        )
        await self._failed_attempt(job, transient, maybe_created)

    async def _member_unavailable(
        self, job: PublishJob, error: UserFacingError, maybe_created: bool
    ) -> None:
        key = DISCONNECTED if error.key == "connect.none" else error.key
        detail = str(error.values.get("detail") or "")
        if key == DISCONNECTED and maybe_created and job.target is not None:
            # An earlier attempt may have made the issue there: publishing again keeps this
            # job's key and diary (to find it), so only connecting that diary again helps.
            key, detail = DISCONNECTED_IN_DOUBT, job.target.repository
        log.warning("publish job %d: the member's own diary is unavailable (%s)", job.id, key)
        await self._jobs.fail_publish_job(
            job.id, self._clock.now(), key, detail, outcome_unknown=maybe_created
        )
        self._signal(job.id)

    async def _failed_attempt(
        self, job: PublishJob, error: GitHubError, maybe_created: bool = False
    ) -> None:
        now = self._clock.now()
        if error.transient and job.attempts + 1 >= MAX_ATTEMPTS:
            log.error("publish job %d given up after %d attempts: %s", job.id, MAX_ATTEMPTS, error)
            await self._jobs.fail_publish_job(
                job.id,
                now,
                GAVE_UP,
                error.detail or error.key,
                outcome_unknown=error.outcome_unknown or maybe_created,
            )
            self._signal(job.id)
            return
        if error.transient:
            delay = error.retry_after or retry_delay(job.attempts)
            log.warning(
                "publish job %d attempt %d failed (%s); retrying in %.1fs",
                job.id,
                job.attempts + 1,
                error,
                delay,
            )
            await self._jobs.update_publish_job_attempt(
                job.id,
                now,
                next_attempt_at=now + timedelta(seconds=delay),
                outcome_unknown=error.outcome_unknown or maybe_created,
                error_key=error.key,
                error_detail=error.detail,
            )
            if error.key == TOKEN_REJECTED:
                self._signal(job.id)  # the member hears at once; the job waits for a new token
            return
        log.error("publish job %d failed: %s", job.id, error)
        await self._jobs.fail_publish_job(
            job.id, now, error.key, error.detail, outcome_unknown=maybe_created
        )
        self._signal(job.id)

    async def _complete(self, job: PublishJob, created: CreatedIssue, body: str) -> None:
        entry = Entry(
            number=created.number,
            title=job.title,
            body=body,  # as the issue shows it: the excerpt and first image come from it
            url=created.url,
            labels=job.labels,
            author_name=job.author_name,
            author_avatar_url=job.author_avatar_url,
            created_at=created.created_at,
        )
        await self._jobs.complete_publish_job(
            job.id,
            self._clock.now(),
            issue_number=created.number,
            issue_url=created.url,
            announcements=await self._plan_announcements(job, entry),
        )
        log.info("publish job %d done: issue #%d %s", job.id, created.number, created.url)
        self._announcements.wake()
        self._signal(job.id)

    async def _plan_announcements(self, job: PublishJob, entry: Entry) -> list[Announcement]:
        """The server diary's entry is announced in every server; an entry of a member's own
        diary in every server where a member connected that repository (the watcher leaves it
        to this job), and always in the member's own, keyed by its repository; a member who
        connected the server diary's repository itself publishes to every server, like it."""
        if job.target is None or job.target.member is None:
            return await self._announcements.plan(entry, self._announcements.server_repository)
        repository = job.target.repository
        servers = await self._announcements.servers_following(repository)
        guild_ids = None if servers is None else sorted({*servers, job.guild_id})
        return await self._announcements.plan(entry, repository, guild_ids)

    def _signal(self, job_id: int) -> None:
        self._waits.finished(job_id)

    def error_for(self, job: PublishJob) -> UserFacingError:
        """The user-facing error a failed job ended with."""
        return UserFacingError(
            job.error_key or "github.unexpected",
            id=job.draft_id or 0,
            detail=job.error_detail or "",
            attempts=MAX_ATTEMPTS,
        )
