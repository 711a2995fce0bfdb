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
from bot.services.clock import Clock
from bot.services.drafts import clean_body, clean_title
from bot.store import Store

log = logging.getLogger(__name__)

RECENT_CACHE_SECONDS = 60.0


class EntryGateway(Protocol):
    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]: ...

    async def get_entry(self, number: int) -> Entry: ...

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
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._announcements = announcements
        self._clock = clock
        self._recent: tuple[float, list[Entry]] | None = None

    async def recent(self, limit: int = 10) -> list[Entry]:
        """The newest entries (issues, not pull requests), cached for a minute."""
        if self._recent is None or time.monotonic() - self._recent[0] > RECENT_CACHE_SECONDS:
            _, page = await self._gateway.list_issues_page(sort="created", per_page=30)
            entries = [s.entry for s in page or [] if not s.pull_request]
            self._recent = (time.monotonic(), entries)
        return self._recent[1][:limit]

    async def check_may_change(
        self, guild_id: int, user_id: int, number: int, *, manage_guild: bool
    ) -> None:
        """Only the member who published it here, or a member with Manage Server."""
        if manage_guild:
            return
        draft = await self._store.get_published_draft(guild_id, number)
        if draft is None or draft.author_id != user_id:
            raise NotAllowed("error.entry_not_yours", number=number)

    async def get(self, number: int) -> Entry:
        """The entry as GitHub has it now."""
        return await self._gateway.get_entry(number)

    async def edit(self, number: int, title: str, body: str) -> Entry:
        """New title and text; the hidden publish marker stays; announcements follow."""
        title = clean_title(title)
        body = clean_body(body)
        current = await self._gateway.get_entry(number)
        _, marker = split_marker(current.body)
        snapshot = await self._gateway.update_issue(number, title=title, body=body + marker)
        await self._announcements.update_entry(
            snapshot.entry, closed=snapshot.closed, updated_at=snapshot.updated_at
        )
        log.info("entry #%d edited", number)
        self._recent = None
        return snapshot.entry
