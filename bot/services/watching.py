"""Entries written on GitHub directly: found by cheap conditional polls (or webhooks),
announced once, and their announcements kept in step with the entries.

What the watcher remembers between runs is a row per repository (`watched_repositories`):
the last ETag, the highest issue number seen (the baseline) and the newest `updated_at` seen.
A first look only records that baseline: entries already in the repository are never
announced.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.errors import GitHubError
from bot.markdown_scan import first_marker_key
from bot.models import JobState, WatchedRepository
from bot.repositories import repository_key
from bot.services.announcing import AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.clock import Clock, SystemClock
from bot.services.status import FAILED_PREFIX, WATCHER_LAST_POLL_KEY, WATCHER_LAST_RESULT_KEY
from bot.store import Store

if TYPE_CHECKING:
    from bot.github_records import IssueSnapshot

log = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 10  # when more than a page changed between two polls; bounds the cost


class IssueLister(Protocol):
    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]: ...


class PollResult(StrEnum):
    BASELINE = "baseline"  # first look: recorded what exists, announced nothing
    UNCHANGED = "unchanged"  # 304: nothing changed, no rate limit spent
    CHANGED = "changed"


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
    """Finds new and changed issues and hands them to the announcements."""

    def __init__(
        self,
        store: Store,
        gateway: IssueLister,
        announcements: AnnouncementService,
        *,
        repository: str,
        clock: Clock | None = None,
        authors: AuthorPolicy | None = None,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._announcements = announcements
        self._repository = repository_key(repository)
        self._clock = clock or SystemClock()
        self._authors = authors or AuthorPolicy()

    async def poll(self) -> PollResult:
        """One look at the repository's recently updated issues (a conditional request); its
        time and result (or the GitHub error's key) are kept for `/diary-admin status`."""
        try:
            result = await self._poll()
        except GitHubError as error:
            await self._record(f"{FAILED_PREFIX}{error.key}")
            raise
        await self._record(result.value)
        return result

    async def _record(self, result: str) -> None:
        await self._store.set_values(
            {WATCHER_LAST_POLL_KEY: self._clock.now().isoformat(), WATCHER_LAST_RESULT_KEY: result}
        )

    async def _poll(self) -> PollResult:
        state = await self._state()
        if state is None:
            return await self._take_baseline()
        etag, page = await self._gateway.list_issues_page(etag=state.etag, per_page=PER_PAGE)
        if page is None:
            return PollResult.UNCHANGED
        snapshots = await self._with_older_pages(page, state)
        changed = [s for s in snapshots if state.changed(s)]
        for snapshot in sorted(changed, key=lambda s: s.entry.number):
            await self._apply(snapshot, state.newest)
        await self._save(etag, snapshots, state)
        return PollResult.CHANGED

    async def issue_event(self, action: str, snapshot: IssueSnapshot) -> None:
        """One `issues` webhook event: opened, edited, closed, reopened, (un)labeled, deleted."""
        if snapshot.pull_request:
            return
        if action == "deleted":
            await self._announcements.entry_deleted(self._repository, snapshot.entry.number)
            return
        state = await self._state()
        await self._apply(snapshot, state.newest if state else None, opened=action == "opened")

    async def _apply(
        self, snapshot: IssueSnapshot, newest: int | None, *, opened: bool = False
    ) -> None:
        if snapshot.pull_request:
            return
        entry = snapshot.entry
        if (opened or (newest is not None and entry.number > newest)) and not (
            await self._publish_job_announces(entry.body)
        ):
            if not self._authors.is_entry(snapshot):
                # Not the diary's: neither announced nor, therefore, counted as a day's entry.
                log.info(
                    "issue #%d by %r (%s) is not a diary entry (ANNOUNCE_AUTHORS); not announced",
                    entry.number,
                    entry.author_name,
                    snapshot.author_association,
                )
                return
            log.info("new entry #%d written on GitHub; announcing it", entry.number)
            await self._announcements.announce(entry, self._repository)
        await self._announcements.update_entry(
            entry, self._repository, closed=snapshot.closed, updated_at=snapshot.updated_at
        )

    async def _publish_job_announces(self, body: str) -> bool:
        """True for an issue this bot's publish job made: the job announces it itself, with
        the Discord author, once it has recorded the issue."""
        key = first_marker_key(body)
        if key is None:
            return False
        return await self._store.publish_job_state(key) in (
            JobState.PENDING,
            JobState.DONE,
        )

    async def _take_baseline(self) -> PollResult:
        etag, page = await self._gateway.list_issues_page(per_page=PER_PAGE)
        snapshots = list(page or [])
        if len(snapshots) == PER_PAGE:  # a fuller repository: its newest may be on no page 1
            _, newest = await self._gateway.list_issues_page(sort="created", per_page=1)
            snapshots.extend(newest or [])
        empty = WatchState(self._repository, None, 0, None)
        state = await self._save(etag, snapshots, empty)
        log.info(
            "watcher: first look at %s; entries up to #%d are left unannounced, newer ones "
            "will be announced",
            self._repository,
            state.newest,
        )
        return PollResult.BASELINE

    async def _with_older_pages(
        self, page: list[IssueSnapshot], state: WatchState
    ) -> list[IssueSnapshot]:
        """Page 1 and, only if all of it changed since the last poll, the pages after it."""
        snapshots = list(page)
        number = 1
        while len(page) == PER_PAGE and number < MAX_PAGES and state.changed(page[-1]):
            number += 1
            _, older = await self._gateway.list_issues_page(per_page=PER_PAGE, page=number)
            page = older or []
            snapshots.extend(page)
        if number == MAX_PAGES and page and state.changed(page[-1]):
            log.warning(
                "watcher: more than %d issues changed at once; older ones are skipped",
                PER_PAGE * MAX_PAGES,
            )
        return snapshots

    async def _state(self) -> WatchState | None:
        watched = await self._store.get_watched_repository(self._repository)
        if watched is None or watched.baseline_at is None:
            return None
        return WatchState(watched.repository, watched.etag, watched.newest, watched.seen_until)

    async def _save(
        self, etag: str | None, snapshots: list[IssueSnapshot], before: WatchState
    ) -> WatchState:
        seen = [_iso(s.updated_at) for s in snapshots]
        if before.seen_until:
            seen.append(before.seen_until)
        state = WatchState(
            self._repository,
            etag,
            max([before.newest, *(s.entry.number for s in snapshots)]),
            max(seen, default=None),
        )
        await self._store.put_watched_repository(
            WatchedRepository(state.repository, state.etag, state.newest, state.seen_until),
            self._clock.now(),
        )
        return state


def _iso(moment: datetime) -> str:
    """Comparable text for a UTC time (GitHub's timestamps have whole seconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
