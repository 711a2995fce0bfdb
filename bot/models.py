"""Frozen records that the store returns and the services pass around."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Owner:
    """Who a draft belongs to: one member in one server."""

    guild_id: int
    user_id: int


@dataclass(frozen=True)
class DiaryTarget:
    """Where an entry goes: a repository (`owner/name`) and whose credential acts there.

    `member` is (guild_id, user_id) of the member whose connection's user token acts (their
    own diary); None is the server diary (GITHUB_TOKEN on GITHUB_REPOSITORY). Durable jobs
    store this, never a token."""

    repository: str
    member: tuple[int, int] | None = None

    @property
    def is_member(self) -> bool:
        return self.member is not None


@dataclass(frozen=True)
class Draft:
    id: int
    guild_id: int
    author_id: int
    title: str
    body: str
    labels: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    issue_number: int | None = None
    issue_url: str | None = None
    published_at: datetime | None = None
    job_state: JobState | None = None
    revision: int = 0  # id of the latest revision in effect: changes with every change
    job_error_key: str | None = None  # why its latest publish job last failed, if it did
    issue_repository: str | None = None  # where its issue lives if not the server diary
    # False: no images and no schedule to show (its preview needs no more reading); True
    # also when it is not known (a draft not read from the store).
    has_extras: bool = True

    @property
    def owner(self) -> Owner:
        return Owner(self.guild_id, self.author_id)

    @property
    def issue_target(self) -> DiaryTarget | None:
        """Where its issue lives: its author's own repository, or None (the server diary)."""
        if self.issue_repository is None:
            return None
        return DiaryTarget(self.issue_repository, (self.guild_id, self.author_id))

    @property
    def is_published(self) -> bool:
        return self.issue_number is not None


@dataclass(frozen=True)
class DraftListing:
    """What `/draft list` shows: the newest drafts, how many the member has in all, and the
    pending or failed schedule of each listed draft that has one (by draft id)."""

    drafts: list[Draft]
    total: int
    schedules: dict[int, Schedule]


@dataclass(frozen=True)
class Revision:
    """A draft's state right after one change."""

    id: int
    draft_id: int
    title: str
    body: str
    labels: tuple[str, ...]
    reason: str
    created_at: datetime
    undone: bool


class JobState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class PublishJob:
    id: int
    draft_id: int | None
    guild_id: int
    author_id: int
    author_name: str
    author_avatar_url: str | None
    idempotency_key: str
    title: str
    body: str
    labels: tuple[str, ...]
    state: JobState
    attempts: int
    outcome_unknown: bool
    next_attempt_at: datetime
    created_at: datetime
    issue_number: int | None = None
    issue_url: str | None = None
    error_key: str | None = None
    error_detail: str | None = None
    byline: str | None = None  # the line after the text (and images) in the issue body
    create_started_at: datetime | None = None  # when the latest issue creation was sent
    target: DiaryTarget | None = None  # where the issue goes; None: the server diary


@dataclass(frozen=True)
class CommentJob:
    """An addendum (`/entry add`) to post as a comment on an entry, exactly once."""

    id: int
    issue_number: int
    guild_id: int
    author_id: int
    idempotency_key: str
    body: str  # with the hidden key at its end
    state: JobState
    attempts: int
    outcome_unknown: bool
    next_attempt_at: datetime
    created_at: datetime
    comment_url: str | None = None
    error_key: str | None = None
    error_detail: str | None = None
    target: DiaryTarget | None = None  # where the entry lives; None: the server diary


@dataclass(frozen=True)
class Entry:
    """A published diary entry (a GitHub issue), however it was written."""

    number: int
    title: str
    body: str
    url: str
    labels: tuple[str, ...]
    author_name: str
    author_avatar_url: str | None
    created_at: datetime


@dataclass(frozen=True)
class WatchedRepository:
    """What the watcher remembers of one repository it follows: the last ETag of its issue
    list, the highest issue number seen (nothing up to it is announced as new), the newest
    `updated_at` seen (ISO 8601), and how its last check went."""

    repository: str  # `owner/name` in lower case
    etag: str | None
    newest: int
    seen_until: str | None
    baseline_at: datetime | None = None  # None: no baseline taken yet
    checked_at: datetime | None = None
    result: str | None = None  # a PollResult value, or `failed:<error key>`
    failures: int = 0  # failed checks in a row
    next_check_at: datetime | None = None  # after failures: not before this


@dataclass(frozen=True)
class ConnectedRepository:
    """A repository a member connected in a server (/diary connect): the watcher follows it,
    reading it with that member's token, and announces its entries in that server."""

    repository: str  # `owner/name` as the member chose it
    guild_id: int
    user_id: int
    login: str  # the member's GitHub login: their issues there are entries
    failing: bool = False  # their sign-in last failed (connect.again)


@dataclass(frozen=True)
class Announcement:
    """An entry's post in one channel, keyed by (channel, repository, issue number):
    repositories number their issues alike. `repository` is `owner/name` in lower case."""

    channel_id: int
    repository: str
    issue_number: int
    title: str
    url: str
    excerpt: str
    labels: tuple[str, ...]
    author_name: str
    author_avatar_url: str | None
    entry_created_at: datetime
    state: JobState
    attempts: int
    next_attempt_at: datetime
    message_id: int | None = None
    image_url: str | None = None  # the entry's first image, shown in the embed


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    announce_channel_id: int | None = None
    author_role_id: int | None = None
    timezone: str = "UTC"
    title_format: str | None = None
    body_template: str | None = None
    byline: str | None = None  # template with {display_name}; None: no byline
    language: str | None = None  # `ja`/`en` for posts no member triggered; None: not chosen


@dataclass(frozen=True)
class DraftImage:
    """An image attached to a draft; its bytes stay in the store until it is published."""

    draft_id: int
    position: int
    sha256: str
    filename: str
    alt: str
    media_type: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class JobImage:
    """An image a publish job commits into the repository; `path` is set once it is there."""

    job_id: int
    position: int
    sha256: str
    alt: str
    media_type: str
    size: int
    path: str | None = None
    url: str | None = None
    committed_at: datetime | None = None
    blob_sha: str | None = None  # the Git blob, once made
    planned_path: str | None = None  # its path in the job's recorded commit


@dataclass(frozen=True)
class ImageCommit:
    """A publish job's commit of its images, made but perhaps not yet on its branch."""

    job_id: int
    branch: str
    parent_sha: str
    commit_sha: str


@dataclass(frozen=True)
class CreatedIssue:
    number: int
    url: str
    created_at: datetime


class ScheduleState(StrEnum):
    PENDING = "pending"
    DONE = "done"  # handed to a publish job (or the draft was published meanwhile)
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Schedule:
    """A draft to publish at `due_at` (UTC), with the author as the announcement shows them."""

    id: int
    draft_id: int
    guild_id: int
    author_id: int
    due_at: datetime
    labels: str | None
    author_name: str
    author_avatar_url: str | None
    state: ScheduleState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    claimed_at: datetime | None = None
    job_id: int | None = None
    error_key: str | None = None
    error_detail: str | None = None

    @property
    def owner(self) -> Owner:
        return Owner(self.guild_id, self.author_id)


@dataclass(frozen=True)
class Reminder:
    """A server's daily nudge: `time_of_day` (HH:MM[:SS]) in the server's time zone;
    `last_date` is the last server-local date (YYYY-MM-DD) already handled."""

    guild_id: int
    channel_id: int
    time_of_day: str
    on_this_day: bool
    last_date: str | None = None
    outcome: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    nonce: str | None = None  # of `last_date`'s post, made when the day is first claimed
    post_started_at: datetime | None = None  # the first attempt that may have posted it


@dataclass(frozen=True)
class PublishedEntry:
    """An entry published in a server, as stats and reminders see it."""

    number: int
    title: str
    url: str
    published_at: datetime
    length: int  # characters of the text as written (no hidden marker, no image links)
    author_id: int | None = None  # None: written on GitHub directly
    repository: str | None = None  # its author's own diary; None: the server diary's


@dataclass(frozen=True)
class NewImage:
    """A checked image on its way into the store."""

    sha256: str
    data: bytes
    media_type: str
    filename: str
    alt: str


class EntryState(StrEnum):
    """What became of a published entry on GitHub since it was announced."""

    OPEN = "open"
    CLOSED = "closed"
    DELETED = "deleted"


@dataclass(frozen=True)
class TrackedAnnouncement(Announcement):
    """An announcement with what is known of its entry since it was queued."""

    entry_state: EntryState = EntryState.OPEN
    revision: int = 0
    shown_revision: int = 0
    issue_url: str | None = None
    page_deadline: datetime | None = None
    edit_attempts: int = 0
    edit_next_attempt_at: datetime | None = None
    nonce: str | None = None
    post_started_at: datetime | None = None  # the first attempt that may have posted it
    outcome_unknown: bool = False


@dataclass(frozen=True)
class JobCounts:
    """Durable jobs by state; `retrying` ones are pending after at least one failed attempt."""

    publish_pending: int = 0
    publish_retrying: int = 0
    publish_failed: int = 0
    announce_pending: int = 0
    announce_retrying: int = 0
    announce_failed: int = 0


@dataclass(frozen=True)
class StoredConnection:
    """A row of member_connections; the token fields are ciphertext, never plaintext."""

    guild_id: int
    user_id: int
    github_login: str
    repository: str | None
    access_token: bytes
    access_expires_at: datetime | None
    refresh_token: bytes | None
    refresh_expires_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class ConnectionSummary:
    """A member's connection as admins see it: no token, not even sealed."""

    user_id: int
    github_login: str
    repository: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    failure: str | None  # a message key, e.g. connect.again
    failed_at: datetime | None


@dataclass(frozen=True)
class ConnectionCounts:
    """A server's connections: all, those whose last use failed, those with no repository."""

    connected: int
    failing: int
    without_repository: int
