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

    @property
    def owner(self) -> Owner:
        return Owner(self.guild_id, self.author_id)

    @property
    def is_published(self) -> bool:
        return self.issue_number is not None


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
class Announcement:
    channel_id: int
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


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    announce_channel_id: int | None = None
    author_role_id: int | None = None
    timezone: str = "UTC"
    title_format: str | None = None
    body_template: str | None = None


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


@dataclass(frozen=True)
class CreatedIssue:
    number: int
    url: str
    created_at: datetime
