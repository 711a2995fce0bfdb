"""Published entries: list them, edit one (adding to one, as a comment that gialog shows under
the article, is a durable job in `comments.py`).

Whose diary: a member who connected their own repository (`/diary connect`) works on that
repository's entries with their own token (the gateway pool's member gateway); their entries
there are the issues their GitHub account wrote (published through the bot with their token, or
written on GitHub). Everyone else works on the server diary, as before.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

from bot.errors import NotAllowed, UserFacingError
from bot.github_gateways import GatewayPool
from bot.github_records import IssueSnapshot
from bot.markdown_scan import marker_at_end
from bot.models import CommentJob, DiaryTarget, Entry, JobState, Owner
from bot.services.announcing import AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.clock import Clock
from bot.services.drafts import clean_body, clean_title
from bot.services.store_ports import DraftRecords

log = logging.getLogger(__name__)

RECENT_CACHE_SECONDS = 60.0
RECENT_CACHED = 256  # diaries whose recent entries are kept


class EntryGateway(Protocol):
    async def list_issues_page(
        self, *, sort: str = "updated", per_page: int = 100, page: int = 1, etag: str | None = None
    ) -> tuple[str | None, list[IssueSnapshot] | None]: ...

    async def get_issue(self, number: int) -> IssueSnapshot: ...

    async def update_issue(self, number: int, *, title: str, body: str) -> IssueSnapshot: ...


class MemberDiaries(Protocol):
    """Members' own diaries (ConnectionService)."""

    async def own_diary(self, guild_id: int, user_id: int) -> tuple[DiaryTarget, str] | None: ...


class Addenda(Protocol):
    """Additions to entries, as durable comment jobs (CommentService)."""

    async def add(
        self, owner: Owner, number: int, text: str, target: DiaryTarget | None = None
    ) -> CommentJob: ...

    async def wait(self, job_id: int, seconds: float) -> CommentJob: ...

    def error_for(self, job: CommentJob) -> UserFacingError: ...


@dataclass(frozen=True)
class Diary:
    """Whose entries a member works on: the server diary (`target` None) or their own
    repository, where the issues of `login` are their entries."""

    target: DiaryTarget | None = None
    login: str | None = None

    @property
    def repository(self) -> str | None:
        return None if self.target is None else self.target.repository

    @property
    def stamp(self) -> int:
        """A short number naming this diary (0: the server diary), carried by an editor so a
        submission never lands in a diary other than the one it was opened on."""
        if self.target is None:
            return 0
        return zlib.crc32(self.target.repository.lower().encode()) or 1


@dataclass(frozen=True)
class MayChange:
    """The member may change the entry: `entry` when GitHub had to be asked (None when the
    store vouches for it), the diary it is in (`target`, None: the server diary) and that
    diary's `stamp` (for an editor)."""

    entry: Entry | None
    stamp: int
    target: DiaryTarget | None = None


@dataclass(frozen=True)
class EntryList:
    """Recent entries of a diary (`repository` None: the server diary); `urls[i]` is where
    `entries[i]` is read (its blog page when the server diary has one, else the issue)."""

    repository: str | None
    entries: list[Entry]
    urls: list[str] = field(default_factory=list)


def split_marker(body: str) -> tuple[str, str]:
    """(visible text, the publish marker at its end or '')."""
    start = marker_at_end(body)
    return body[:start], body[start:]


class EntryService:
    def __init__(
        self,
        drafts: DraftRecords,
        gateways: GatewayPool[EntryGateway],
        announcements: AnnouncementService,
        clock: Clock,
        authors: AuthorPolicy | None = None,
        diaries: MemberDiaries | None = None,
        addenda: Addenda | None = None,
    ) -> None:
        self._drafts = drafts
        self._gateways = gateways
        self._announcements = announcements
        self._clock = clock
        self._authors = authors or AuthorPolicy()
        self._diaries = diaries
        self._addenda = addenda
        self._recent: OrderedDict[DiaryTarget | None, tuple[float, list[Entry]]] = OrderedDict()

    async def diary(self, owner: Owner | None) -> Diary:
        """The member's own diary when they connected one here, else the server diary."""
        if owner is None or self._diaries is None:
            return Diary()
        own = await self._diaries.own_diary(owner.guild_id, owner.user_id)
        return Diary() if own is None else Diary(*own)

    async def recent(self, owner: Owner | None = None, limit: int = 10) -> EntryList:
        """The newest entries of the member's diary (never pull requests, nor issues by
        others than its authors), cached for a minute."""
        diary = await self.diary(owner)
        key = diary.target
        cached = self._recent.get(key)
        if cached is None or time.monotonic() - cached[0] > RECENT_CACHE_SECONDS:
            gateway = await self._gateways.for_target(diary.target)
            _, page = await gateway.list_issues_page(sort="created", per_page=30)
            snapshots = list(page or [])
            if diary.target is None:
                published = await self._drafts.list_published_issue_numbers(
                    [s.entry.number for s in snapshots]
                )
                entries = [
                    s.entry
                    for s in snapshots
                    if self._authors.is_entry(s, published_by_bot=s.entry.number in published)
                ]
            else:
                entries = [s.entry for s in snapshots if _is_theirs(s, diary)]
            cached = (time.monotonic(), entries)
            self._recent[key] = cached
            while len(self._recent) > RECENT_CACHED:
                self._recent.popitem(last=False)
        self._recent.move_to_end(key)
        entries = cached[1][:limit]
        urls = [
            self._announcements.entry_url(entry.number, entry.url, diary.repository)
            for entry in entries
        ]
        return EntryList(diary.repository, entries, urls)

    async def check_may_change(
        self,
        guild_id: int,
        user_id: int,
        number: int,
        *,
        manage_guild: bool,
        stamp: int | None = None,
    ) -> MayChange:
        """Refuse unless the member may change entry #`number` of their diary.

        In their own repository: an issue (never a pull request) their GitHub account wrote,
        asked of GitHub with their token (returned). In the server diary: one this bot
        published from the member's draft here (or another member's here, with Manage
        Server), or, with Manage Server, one an allowed author wrote on GitHub; never a pull
        request, an issue by anyone else, or an entry of another server. With `stamp` (an
        editor's `Diary.stamp`), refuses when the member's diary is no longer the one it
        names (0: the server diary)."""
        owner = Owner(guild_id, user_id)
        return await self._check(await self.diary(owner), owner, number, manage_guild, stamp)

    async def to_edit(
        self, owner: Owner, number: int, *, manage_guild: bool, stamp: int | None = None
    ) -> MayChange:
        """`check_may_change`, with the entry as GitHub has it now (for an editor)."""
        diary = await self.diary(owner)
        checked = await self._check(diary, owner, number, manage_guild, stamp)
        if checked.entry is not None:
            return checked
        gateway = await self._gateways.for_target(diary.target)
        return MayChange((await gateway.get_issue(number)).entry, checked.stamp, checked.target)

    async def add(
        self,
        owner: Owner,
        number: int,
        text: str,
        *,
        manage_guild: bool,
        stamp: int | None = None,
        wait: float = 0.0,
    ) -> CommentJob:
        """Add `text` to entry #`number` of the member's diary once they may change it (see
        `check_may_change`): a durable comment job, returned once done or after `wait`
        seconds (still pending); the job's error when it failed."""
        assert self._addenda is not None, "EntryService built without comments"
        diary = await self.diary(owner)
        checked = await self._check(diary, owner, number, manage_guild, stamp)
        job = await self._addenda.add(owner, number, text, checked.target)
        job = await self._addenda.wait(job.id, wait)
        if job.state is JobState.FAILED:
            raise self._addenda.error_for(job)
        return job

    async def save_edit(
        self,
        owner: Owner,
        number: int,
        title: str,
        body: str,
        *,
        manage_guild: bool,
        stamp: int | None = None,
    ) -> Entry:
        """An editor's new title (blank: the entry's own) and text for entry #`number` of the
        member's diary, once they may change it (see `check_may_change`)."""
        diary = await self.diary(owner)
        await self._check(diary, owner, number, manage_guild, stamp)
        return await self._edit(diary, number, title, body)

    async def _check(
        self, diary: Diary, owner: Owner, number: int, manage_guild: bool, stamp: int | None
    ) -> MayChange:
        guild_id, user_id = owner.guild_id, owner.user_id
        if stamp is not None and stamp != diary.stamp:
            raise NotAllowed("error.entry_diary_changed", number=number)
        if diary.target is not None:
            snapshot = await (await self._gateways.for_target(diary.target)).get_issue(number)
            if not _is_theirs(snapshot, diary):
                raise NotAllowed(
                    "error.not_your_diary_entry", number=number, repository=diary.repository
                )
            return MayChange(snapshot.entry, diary.stamp, diary.target)
        draft = await self._drafts.get_draft_of_issue(number)
        if draft is not None:
            if draft.guild_id != guild_id or not (draft.author_id == user_id or manage_guild):
                raise NotAllowed("error.entry_not_yours", number=number)
            return MayChange(None, diary.stamp)
        if not manage_guild:
            raise NotAllowed("error.entry_not_yours", number=number)
        snapshot = await self._gateways.server.get_issue(number)
        if not self._authors.is_entry(snapshot):
            raise NotAllowed("error.not_an_entry", number=number)
        return MayChange(snapshot.entry, diary.stamp)

    async def get(self, number: int, owner: Owner | None = None) -> Entry:
        """The entry of the member's diary as GitHub has it now."""
        diary = await self.diary(owner)
        return (await (await self._gateways.for_target(diary.target)).get_issue(number)).entry

    async def edit(self, number: int, title: str, body: str, owner: Owner | None = None) -> Entry:
        """New title and text in the member's diary; the hidden publish marker stays; the
        entry's announcements follow."""
        return await self._edit(await self.diary(owner), number, title, body)

    async def _edit(self, diary: Diary, number: int, title: str, body: str) -> Entry:
        cleaned = clean_title(title) if title.strip() else None  # None: keep the entry's
        body = clean_body(body)
        gateway = await self._gateways.for_target(diary.target)
        current = (await gateway.get_issue(number)).entry
        title = cleaned or current.title
        _, marker = split_marker(current.body)
        snapshot = await gateway.update_issue(number, title=title, body=body + marker)
        await self._announcements.update_entry(
            snapshot.entry,
            diary.repository or self._announcements.server_repository,
            closed=snapshot.closed,
            updated_at=snapshot.updated_at,
        )
        log.info("entry #%d edited", number)
        self._recent.pop(diary.target, None)
        return snapshot.entry


def _is_theirs(snapshot: IssueSnapshot, diary: Diary) -> bool:
    """An issue (not a pull request) the diary's member wrote with their GitHub account."""
    login = (diary.login or "").lower()
    return not snapshot.pull_request and snapshot.entry.author_name.lower() == login
