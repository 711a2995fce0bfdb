"""Entries written on GitHub directly: found by cheap conditional polls (or webhooks),
announced once in every server following their diary, and their announcements kept in step
with the entries.

The watcher follows the server diary and every repository members connected (`followed.py`).
What it remembers of each is a row of `watched_repositories`: the last ETag, the highest issue
number seen (the baseline) and the newest `updated_at` seen. A first look only records that
baseline: entries already in a repository are never announced. Each poll looks at the server
diary and at most `max_per_poll` members' diaries (`READS_AT_ONCE` at a time), the least
recently checked first; a diary that cannot be read (its member must connect again, the
repository is gone) is recorded as failed and looked at again after a growing pause, without
holding up the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.errors import GitHubError, UserFacingError
from bot.markdown_scan import first_marker_key
from bot.models import DiaryTarget, JobState, WatchedRepository
from bot.repositories import repository_key
from bot.services.announcing import AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.clock import Clock, SystemClock
from bot.services.followed import ConnectedRepositories, FollowedDiary, followed_diaries
from bot.services.status import FAILED_PREFIX, WATCHER_LAST_POLL_KEY, WATCHER_LAST_RESULT_KEY
from bot.services.store_ports import NamedValues, WatchRecords

if TYPE_CHECKING:
    from bot.github_records import IssueSnapshot

log = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 10  # when more than a page changed between two polls; bounds the cost
MAX_DIARIES_PER_POLL = 500  # members' diaries looked at per poll, least recently checked first
READS_AT_ONCE = 4  # members' diaries read at the same time (each read is a worker thread)
RETRY_FIRST_SECONDS = 60.0  # a member's diary that failed waits this, doubling per failure
RETRY_MAX_SECONDS = 3600.0


class IssueLister(Protocol):
    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]: ...


class DiaryReaders(Protocol):
    """The gateway pool: the server diary's gateway for None, a member's for their target."""

    async def for_target(self, target: DiaryTarget | None) -> IssueLister: ...


class PollResult(StrEnum):
    BASELINE = "baseline"  # first look: recorded what exists, announced nothing
    UNCHANGED = "unchanged"  # 304: nothing changed, no rate limit spent
    CHANGED = "changed"


class Delivery(StrEnum):
    """What became of a webhook delivery when it arrived."""

    ACCEPTED = "accepted"  # to be handled (`handle_delivery`)
    REPEATED = "repeated"  # handled before (GitHub redelivers)
    NOT_FOLLOWED = "not followed"  # an issue event of a repository no server follows


@dataclass(frozen=True)
class WatchState:
    repository: str
    etag: str | None
    newest: int  # the highest issue or pull request number seen
    seen_until: str | None  # the newest `updated_at` seen (ISO 8601)

    def changed(self, snapshot: IssueSnapshot) -> bool:
        """Whether the issue is new or changed since this state was saved (ties included)."""
        return (
            snapshot.entry.number > self.newest
            or self.seen_until is None
            or _iso(snapshot.updated_at) >= self.seen_until
        )


class WatchService:
    """Finds new and changed issues in every followed diary and hands them to the
    announcements."""

    def __init__(
        self,
        watching: WatchRecords,
        values: NamedValues,
        readers: DiaryReaders,
        announcements: AnnouncementService,
        *,
        repository: str,
        clock: Clock | None = None,
        authors: AuthorPolicy | None = None,
        connections: ConnectedRepositories | None = None,
        max_per_poll: int = MAX_DIARIES_PER_POLL,
    ) -> None:
        self._watching = watching
        self._values = values
        self._readers = readers
        self._announcements = announcements
        self._repository = repository_key(repository)
        self._clock = clock or SystemClock()
        self._authors = authors or AuthorPolicy()
        self._connections: ConnectedRepositories = connections or watching
        self._max_per_poll = max_per_poll

    async def followed(self) -> list[FollowedDiary]:
        """The server diary, then every repository members connected, each once."""
        return await followed_diaries(self._connections, self._repository)

    async def poll(self) -> PollResult:
        """One look at the server diary's recently updated issues (a conditional request) and
        at the members' diaries due; the server diary's time and result (or the GitHub error's
        key) are kept for `/diary-admin status`, and its error is raised once the members'
        diaries had their turn."""
        server, *members = await self.followed()
        watched = {w.repository: w for w in await self._watching.list_watched_repositories()}
        # A diary nobody follows any more is forgotten: connected again later, it starts
        # from a new baseline instead of announcing what was written meanwhile.
        followed = {server.repository, *(d.repository for d in members)}
        if gone := [name for name in watched if name not in followed]:
            await self._watching.delete_watched_repositories(gone)
        failure: GitHubError | None = None
        result = PollResult.UNCHANGED
        try:
            result = await self._poll(server, watched.get(server.repository))
        except GitHubError as error:
            await self._record(f"{FAILED_PREFIX}{error.key}")
            failure = error
        else:
            await self._record(result.value)
        slots = asyncio.Semaphore(READS_AT_ONCE)

        async def look(diary: FollowedDiary) -> None:
            async with slots:
                await self._poll_member(diary, watched.get(diary.repository))

        await asyncio.gather(*(look(diary) for diary in self._due(members, watched)))
        if failure is not None:
            raise failure
        return result

    async def _record(self, result: str) -> None:
        await self._values.set_values(
            {WATCHER_LAST_POLL_KEY: self._clock.now().isoformat(), WATCHER_LAST_RESULT_KEY: result}
        )

    def _due(
        self, members: list[FollowedDiary], watched: dict[str, WatchedRepository]
    ) -> list[FollowedDiary]:
        """Members' diaries not resting after a failure, least recently checked first (never
        checked before all), at most `max_per_poll`."""
        now = self._clock.now()
        due = []
        for diary in members:
            known = watched.get(diary.repository)
            if known is None or known.next_check_at is None or known.next_check_at <= now:
                due.append((known.checked_at if known else None, diary))
        due.sort(key=lambda pair: (pair[0] is not None, pair[0] or now))
        return [diary for _, diary in due[: self._max_per_poll]]

    async def _poll_member(self, diary: FollowedDiary, known: WatchedRepository | None) -> None:
        """Look at one member's diary; a failure is recorded for it alone, with a pause."""
        now = self._clock.now()
        try:
            result = await self._poll(diary, known)
        except Exception as error:
            key = error.key if isinstance(error, UserFacingError) else "unexpected"
            failures = (known.failures if known else 0) + 1
            pause = min(RETRY_FIRST_SECONDS * 2 ** (failures - 1), RETRY_MAX_SECONDS)
            if isinstance(error, GitHubError) and error.retry_after:
                pause = max(pause, error.retry_after)
            if failures == 1:
                log.warning(
                    "watcher: cannot read %s (%s); trying again later, silently until it works",
                    diary.repository,
                    key,
                    exc_info=None if isinstance(error, UserFacingError) else error,
                )
            await self._watching.record_watch_check(
                diary.repository,
                now,
                f"{FAILED_PREFIX}{key}",
                failures=failures,
                next_check_at=now + timedelta(seconds=pause),
            )
            return
        if known is not None and known.failures:
            log.info(
                "watcher: %s answers again after %d failures", diary.repository, known.failures
            )
        await self._watching.record_watch_check(diary.repository, now, result.value)

    async def _poll(self, diary: FollowedDiary, known: WatchedRepository | None) -> PollResult:
        reader = await self._readers.for_target(diary.target)
        state = _state_of(known)
        if state is None:
            return await self._take_baseline(diary, reader)
        etag, page = await reader.list_issues_page(etag=state.etag, per_page=PER_PAGE)
        if page is None:
            return PollResult.UNCHANGED
        snapshots = await self._with_older_pages(reader, page, state)
        changed = [s for s in snapshots if state.changed(s)]
        for snapshot in sorted(changed, key=lambda s: s.entry.number):
            await self._apply(diary, snapshot, state.newest)
        await self._save(diary.repository, etag, snapshots, state)
        return PollResult.CHANGED

    # ---- webhook deliveries ----------------------------------------------------------------
    async def receive_delivery(self, delivery: str, repository: str) -> Delivery:
        """A signed `issues` delivery arrived: an event of a repository nobody follows is
        left alone (nothing stored); one seen before (by `X-GitHub-Delivery`) is not handled
        again; otherwise it is remembered and to be handled."""
        if await self._diary_named(repository) is None:
            log.info("ignoring an issues event of %.100r: no server follows it", repository)
            return Delivery.NOT_FOLLOWED
        if delivery and not await self._watching.add_webhook_delivery(delivery, self._clock.now()):
            log.info("delivery %s was handled before; ignoring it", delivery)
            return Delivery.REPEATED
        return Delivery.ACCEPTED

    async def handle_delivery(
        self, delivery: str, action: str, repository: str, snapshot: IssueSnapshot
    ) -> bool:
        """Handle an accepted delivery; False if that failed (it is forgotten, so GitHub's
        redelivery or the next poll catches up)."""
        name = "" if repository_key(repository) == self._repository else repository
        log.info("issue %s#%d %s", name, snapshot.entry.number, action)
        try:
            await self.issue_event(action, snapshot, repository)
        except Exception:
            log.exception("handling delivery %s failed; the next poll catches up", delivery)
            if delivery:
                await self._watching.delete_webhook_delivery(delivery)
            return False
        return True

    async def issue_event(
        self, action: str, snapshot: IssueSnapshot, repository: str | None = None
    ) -> None:
        """One `issues` event (opened, edited, closed, reopened, (un)labeled, deleted) of
        `repository` (default: the server diary)."""
        diary = await self._diary_named(repository or self._repository)
        if diary is None or snapshot.pull_request:
            return
        if action == "deleted":
            await self._announcements.entry_deleted(diary.repository, snapshot.entry.number)
            return
        state = _state_of(await self._watching.get_watched_repository(diary.repository))
        newest = state.newest if state else None
        await self._apply(diary, snapshot, newest, opened=action == "opened")

    async def _diary_named(self, repository: str) -> FollowedDiary | None:
        found = await followed_diaries(self._connections, self._repository, only=repository)
        return found[0] if found else None

    # ---- what an issue means ---------------------------------------------------------------
    async def _apply(
        self,
        diary: FollowedDiary,
        snapshot: IssueSnapshot,
        newest: int | None,
        *,
        opened: bool = False,
    ) -> None:
        if snapshot.pull_request:
            return
        entry = snapshot.entry
        if (opened or (newest is not None and entry.number > newest)) and not (
            await self._publish_job_announces(entry.body)
        ):
            if not diary.is_entry(snapshot, self._authors):
                # Not the diary's: neither announced nor, therefore, counted as a day's entry.
                log.info(
                    "issue %s#%d by %r (%s) is not a diary entry (ANNOUNCE_AUTHORS); not announced",
                    diary.name,
                    entry.number,
                    entry.author_name,
                    snapshot.author_association,
                )
                return
            log.info("new entry %s#%d written on GitHub; announcing it", diary.name, entry.number)
            await self._announcements.announce(entry, diary.repository, diary.guild_ids)
        await self._announcements.update_entry(
            entry, diary.repository, closed=snapshot.closed, updated_at=snapshot.updated_at
        )

    async def _publish_job_announces(self, body: str) -> bool:
        """True for an issue this bot's publish job made: the job announces it itself, with
        the Discord author, once it has recorded the issue."""
        key = first_marker_key(body)
        if key is None:
            return False
        return await self._watching.publish_job_state(key) in (
            JobState.PENDING,
            JobState.DONE,
        )

    # ---- what is remembered of a repository ------------------------------------------------
    async def _take_baseline(self, diary: FollowedDiary, reader: IssueLister) -> PollResult:
        etag, page = await reader.list_issues_page(per_page=PER_PAGE)
        snapshots = list(page or [])
        if len(snapshots) == PER_PAGE:  # a fuller repository: its newest may be on no page 1
            _, newest = await reader.list_issues_page(sort="created", per_page=1)
            snapshots.extend(newest or [])
        empty = WatchState(diary.repository, None, 0, None)
        state = await self._save(diary.repository, etag, snapshots, empty)
        log.info(
            "watcher: first look at %s; entries up to #%d are left unannounced, newer ones "
            "will be announced",
            diary.repository,
            state.newest,
        )
        return PollResult.BASELINE

    async def _with_older_pages(
        self, reader: IssueLister, page: list[IssueSnapshot], state: WatchState
    ) -> list[IssueSnapshot]:
        """Page 1 and, only if all of it changed since the last poll, the pages after it."""
        snapshots = list(page)
        number = 1
        while len(page) == PER_PAGE and number < MAX_PAGES and state.changed(page[-1]):
            number += 1
            _, older = await reader.list_issues_page(per_page=PER_PAGE, page=number)
            page = older or []
            snapshots.extend(page)
        if number == MAX_PAGES and page and state.changed(page[-1]):
            log.warning(
                "watcher: more than %d issues of %s changed at once; older ones are skipped",
                PER_PAGE * MAX_PAGES,
                state.repository,
            )
        return snapshots

    async def _save(
        self, repository: str, etag: str | None, snapshots: list[IssueSnapshot], before: WatchState
    ) -> WatchState:
        seen = [_iso(s.updated_at) for s in snapshots]
        if before.seen_until:
            seen.append(before.seen_until)
        state = WatchState(
            repository,
            etag,
            max([before.newest, *(s.entry.number for s in snapshots)]),
            max(seen, default=None),
        )
        await self._watching.put_watched_repository(
            WatchedRepository(state.repository, state.etag, state.newest, state.seen_until),
            self._clock.now(),
        )
        return state


def _state_of(known: WatchedRepository | None) -> WatchState | None:
    """The repository's state, or None before its baseline was taken."""
    if known is None or known.baseline_at is None:
        return None
    return WatchState(known.repository, known.etag, known.newest, known.seen_until)


def _iso(moment: datetime) -> str:
    """Comparable text for a UTC time (GitHub's timestamps have whole seconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
