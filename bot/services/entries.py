"""Published entries: list them, edit one (adding to one, as a comment that gialog shows under
the article, is a durable job in `comments.py`)."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from bot.errors import NotAllowed
from bot.github_records import IssueSnapshot
from bot.markdown_scan import marker_at_end
from bot.models import Entry
from bot.services.announcing import AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.clock import Clock
from bot.services.drafts import clean_body, clean_title
from bot.store import Store

log = logging.getLogger(__name__)

RECENT_CACHE_SECONDS = 60.0


class EntryGateway(Protocol):
    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]: ...

    async def get_issue(self, number: int) -> IssueSnapshot: ...

    async def update_issue(self, number: int, *, title: str, body: str) -> IssueSnapshot: ...


def split_marker(body: str) -> tuple[str, str]:
    """(visible text, the publish marker at its end or '')."""
    start = marker_at_end(body)
    return body[:start], body[start:]


class EntryService:
    def __init__(
        self,
        store: Store,
        gateway: EntryGateway,
        announcements: AnnouncementService,
        clock: Clock,
        authors: AuthorPolicy | None = None,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._announcements = announcements
        self._clock = clock
        self._authors = authors or AuthorPolicy()
        self._recent: tuple[float, list[Entry]] | None = None

    async def recent(self, limit: int = 10) -> list[Entry]:
        """The newest diary entries (never pull requests, nor issues by authors the diary does
        not have), cached for a minute."""
        if self._recent is None or time.monotonic() - self._recent[0] > RECENT_CACHE_SECONDS:
            _, page = await self._gateway.list_issues_page(sort="created", per_page=30)
            snapshots = list(page or [])
            published = await self._store.list_published_issue_numbers(
                [s.entry.number for s in snapshots]
            )
            entries = [
                s.entry
                for s in snapshots
                if self._authors.is_entry(s, published_by_bot=s.entry.number in published)
            ]
            self._recent = (time.monotonic(), entries)
        return self._recent[1][:limit]

    async def check_may_change(
        self, guild_id: int, user_id: int, number: int, *, manage_guild: bool
    ) -> Entry | None:
        """Refuse unless the member may change entry #`number`: one this bot published from
        the member's draft here (or another member's here, with Manage Server), or, with Manage
        Server, one an allowed author wrote on GitHub; never a pull request, an issue by anyone
        else, or an entry of another server. Returns the entry if GitHub had to be asked (one
        written there), None when the store vouches for it (one this bot published)."""
        draft = await self._store.get_draft_of_issue(number)
        if draft is not None:
            if draft.guild_id != guild_id or not (draft.author_id == user_id or manage_guild):
                raise NotAllowed("error.entry_not_yours", number=number)
            return None
        if not manage_guild:
            raise NotAllowed("error.entry_not_yours", number=number)
        snapshot = await self._gateway.get_issue(number)
        if not self._authors.is_entry(snapshot):
            raise NotAllowed("error.not_an_entry", number=number)
        return snapshot.entry

    async def get(self, number: int) -> Entry:
        """The entry as GitHub has it now."""
        return (await self._gateway.get_issue(number)).entry

    async def edit(self, number: int, title: str, body: str) -> Entry:
        """New title and text; the hidden publish marker stays; announcements follow."""
        title = clean_title(title)
        body = clean_body(body)
        current = (await self._gateway.get_issue(number)).entry
        _, marker = split_marker(current.body)
        snapshot = await self._gateway.update_issue(number, title=title, body=body + marker)
        await self._announcements.update_entry(
            snapshot.entry,
            self._announcements.server_repository,
            closed=snapshot.closed,
            updated_at=snapshot.updated_at,
        )
        log.info("entry #%d edited", number)
        self._recent = None
        return snapshot.entry
