"""What the services and workers ask of the store: one Protocol per part of it (the classes in
`bot/store/`, named in each docstring), holding the methods they call. A service takes the parts
it uses; a second back end would implement these. `tests/bot/test_store_ports.py` checks that
each part still has every method as declared here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.models import (
    Announcement,
    CommentJob,
    ConnectedRepository,
    ConnectionCounts,
    ConnectionSummary,
    DiaryTarget,
    Draft,
    DraftImage,
    DraftListing,
    EntryState,
    GuildSettings,
    ImageCommit,
    JobCounts,
    JobImage,
    JobState,
    NewImage,
    Owner,
    PublishedEntry,
    PublishJob,
    Reminder,
    Revision,
    Schedule,
    ScheduleState,
    StoredConnection,
    TrackedAnnouncement,
    WatchedRepository,
)


class DraftRecords(Protocol):
    """Members' drafts and their revisions (`DraftStore`)."""

    async def add_draft(
        self,
        owner: Owner,
        title: str,
        body: str,
        labels: Sequence[str],
        at: datetime,
        *,
        limit: int | None = None,
    ) -> Draft: ...
    async def append_to_draft(
        self,
        owner: Owner,
        draft_id: int | None,
        text: str,
        at: datetime,
        accept: Callable[[Draft], bool] | None = None,
    ) -> tuple[Draft | None, Draft | None]: ...
    async def count_drafts(self, owner: Owner, *, published: bool = False) -> int: ...
    async def get_draft_listing(self, owner: Owner, limit: int = 25) -> DraftListing: ...
    async def get_draft(self, owner: Owner, draft_id: int) -> Draft | None: ...
    async def get_draft_of_issue(
        self, issue_number: int, repository: str | None = None
    ) -> Draft | None: ...
    async def get_latest_draft(self, owner: Owner, *, unpublished: bool = True) -> Draft | None: ...
    async def get_revision(
        self, owner: Owner, draft_id: int, revision_id: int
    ) -> Revision | None: ...
    async def list_drafts(self, owner: Owner, limit: int = 25, query: str = "") -> list[Draft]: ...
    async def list_published_issue_numbers(
        self, numbers: Collection[int], repository: str | None = None
    ) -> set[int]: ...
    async def list_revisions(
        self, owner: Owner, draft_id: int, limit: int = 10
    ) -> list[Revision]: ...
    async def undo_draft(self, owner: Owner, draft_id: int, at: datetime) -> Draft | None: ...
    async def update_draft(
        self,
        owner: Owner,
        draft_id: int,
        at: datetime,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        reason: str = "edit",
        expected_revision: int | None = None,
    ) -> Draft | None: ...


class ImageRecords(Protocol):
    """Images of drafts and of publish jobs; a draft deleted with its images (`ImageStore`)."""

    async def add_draft_images(
        self,
        owner: Owner,
        draft_id: int,
        images: Sequence[NewImage],
        at: datetime,
        *,
        max_total_bytes: int,
        max_count: int,
    ) -> list[DraftImage] | None: ...
    async def delete_draft_with_images(self, owner: Owner, draft_id: int) -> bool: ...
    async def finish_publish_job_commit(
        self, job_id: int, links: Sequence[tuple[int, str]], at: datetime
    ) -> None: ...
    async def forget_publish_job_commit(self, job_id: int) -> None: ...
    async def get_committed_image_path(self, sha256: str) -> str | None: ...
    async def get_image_data(self, sha256: str) -> bytes | None: ...
    async def get_preview_extras(
        self, owner: Owner, draft_id: int
    ) -> tuple[list[DraftImage], Schedule | None]: ...
    async def get_publish_job_commit(self, job_id: int) -> ImageCommit | None: ...
    async def list_draft_images(self, owner: Owner, draft_id: int) -> list[DraftImage]: ...
    async def list_publish_job_images(self, job_id: int) -> list[JobImage]: ...
    async def mark_publish_job_image_committed(
        self, job_id: int, position: int, path: str, url: str, at: datetime
    ) -> None: ...
    async def plan_publish_job_images(self, job_id: int) -> list[JobImage]: ...
    async def record_publish_job_blob(self, job_id: int, position: int, blob_sha: str) -> None: ...
    async def record_publish_job_commit(
        self, commit: ImageCommit, paths: Sequence[tuple[int, str]], at: datetime
    ) -> None: ...


class PublishJobRecords(Protocol):
    """Durable publish jobs (`JobStore`)."""

    async def add_publish_job(
        self, job: PublishJob, *, expected: Draft | None = None, reopen: bool = False
    ) -> tuple[PublishJob, bool]: ...
    async def complete_publish_job(
        self,
        job_id: int,
        at: datetime,
        *,
        issue_number: int,
        issue_url: str,
        announcements: Sequence[Announcement],
    ) -> None: ...
    async def end_publish_job(
        self, job_id: int, at: datetime, error_key: str, detail: str
    ) -> bool: ...
    async def fail_publish_job(
        self,
        job_id: int,
        at: datetime,
        error_key: str,
        detail: str,
        *,
        outcome_unknown: bool | None = None,
    ) -> None: ...
    async def get_pending_publish_job(self, draft_id: int) -> PublishJob | None: ...
    async def get_publish_job(self, job_id: int) -> PublishJob | None: ...
    async def get_unresolved_publish_job(self, draft_id: int) -> PublishJob | None: ...
    async def list_pending_publish_jobs(self, limit: int | None = None) -> list[PublishJob]: ...
    async def mark_publish_job_started(self, job_id: int, at: datetime) -> None: ...
    async def postpone_publish_job(self, job_id: int, until: datetime) -> None: ...
    async def reschedule_publish_job(self, job_id: int, at: datetime) -> None: ...
    async def update_publish_job_attempt(
        self,
        job_id: int,
        at: datetime,
        *,
        next_attempt_at: datetime,
        outcome_unknown: bool,
        error_key: str | None,
        error_detail: str | None,
    ) -> None: ...


class AnnouncementRecords(Protocol):
    """Announcements: queued, posted once, edited with their entry (`AnnouncementStore`)."""

    async def add_announcements(
        self, announcements: Sequence[Announcement], *, issue_url: str | None = None
    ) -> None: ...
    async def list_announcement_edits(
        self, limit: int | None = None
    ) -> list[TrackedAnnouncement]: ...
    async def list_announcements_to_send(
        self, limit: int | None = None
    ) -> list[TrackedAnnouncement]: ...
    async def list_tracked_announcements(
        self, repository: str, issue_number: int
    ) -> list[TrackedAnnouncement]: ...
    async def mark_announcement_started(
        self, channel_id: int, repository: str, issue_number: int, at: datetime
    ) -> str: ...
    async def mark_entry_deleted(self, repository: str, issue_number: int, at: datetime) -> int: ...
    async def postpone_announcement(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        next_attempt_at: datetime,
        *,
        page_deadline: datetime | None = None,
    ) -> None: ...
    async def record_announcement_edit(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        revision: int,
        retry_at: datetime | None = None,
        succeeded: bool,
    ) -> None: ...
    async def record_announcement_sent(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        message_id: int,
        shown_revision: int,
        url: str,
    ) -> None: ...
    async def set_announcement_issue_url(
        self, repository: str, issue_number: int, issue_url: str
    ) -> None: ...
    async def update_announced_entry(
        self,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        title: str,
        excerpt: str,
        labels: Sequence[str],
        entry_state: EntryState,
        entry_updated_at: datetime,
        image_url: str | None = None,
    ) -> int: ...
    async def update_announcement(
        self,
        channel_id: int,
        repository: str,
        issue_number: int,
        at: datetime,
        *,
        state: JobState,
        next_attempt_at: datetime | None = None,
        message_id: int | None = None,
        outcome_unknown: bool | None = None,
    ) -> None: ...


class ScheduleRecords(Protocol):
    """Scheduled publishes (`ScheduleStore`)."""

    async def add_schedule(self, schedule: Schedule) -> tuple[Schedule, Schedule | None]: ...
    async def cancel_schedule(
        self, owner: Owner, draft_id: int, at: datetime
    ) -> Schedule | None: ...
    async def claim_schedule(self, schedule_id: int, at: datetime) -> Schedule | None: ...
    async def find_publish_job_since(self, draft_id: int, since: datetime) -> int | None: ...
    async def finish_schedule(
        self,
        schedule_id: int,
        at: datetime,
        state: ScheduleState,
        *,
        job_id: int | None = None,
        error_key: str | None = None,
        error_detail: str | None = None,
    ) -> None: ...
    async def list_pending_schedules(self, limit: int | None = None) -> list[Schedule]: ...
    async def list_schedules(self, owner: Owner) -> list[Schedule]: ...
    async def retry_schedule(
        self, schedule_id: int, at: datetime, next_attempt_at: datetime, error_key: str, detail: str
    ) -> None: ...


class ReminderRecords(Protocol):
    """Daily reminders, one per server (`ReminderStore`)."""

    async def claim_reminder_day(
        self, guild_id: int, day: str, at: datetime
    ) -> Reminder | None: ...
    async def delete_reminder(self, guild_id: int) -> bool: ...
    async def get_reminder(self, guild_id: int) -> Reminder | None: ...
    async def list_reminders(self) -> list[Reminder]: ...
    async def mark_reminder_started(self, guild_id: int, day: str, at: datetime) -> None: ...
    async def record_reminder(
        self,
        guild_id: int,
        day: str,
        at: datetime,
        outcome: str,
        *,
        message_id: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None: ...
    async def set_reminder(
        self,
        guild_id: int,
        at: datetime,
        *,
        channel_id: int,
        time_of_day: str,
        on_this_day: bool,
        handled_through: str | None,
    ) -> Reminder: ...


class PublishedEntryRecords(Protocol):
    """Published entries, as stats and reminders read them (`EntryStore`)."""

    async def list_published_entries(
        self,
        guild_id: int,
        *,
        author_id: int | None = None,
        channel_id: int | None = None,
        written_in: tuple[str, str] | None = None,
    ) -> list[PublishedEntry]: ...


class CommentRecords(Protocol):
    """Durable comment jobs (`/entry add`) (`CommentStore`)."""

    async def add_comment_job(
        self,
        issue_number: int,
        guild_id: int,
        author_id: int,
        key: str,
        body: str,
        at: datetime,
        target: DiaryTarget | None = None,
    ) -> CommentJob: ...
    async def complete_comment_job(self, job_id: int, at: datetime, comment_url: str) -> None: ...
    async def fail_comment_job(
        self, job_id: int, at: datetime, error_key: str, detail: str
    ) -> None: ...
    async def get_comment_job(self, job_id: int) -> CommentJob | None: ...
    async def mark_comment_job_started(self, job_id: int, at: datetime) -> None: ...
    async def next_comment_job(self) -> CommentJob | None: ...
    async def retry_comment_job(
        self,
        job_id: int,
        at: datetime,
        *,
        next_attempt_at: datetime,
        outcome_unknown: bool,
        error_key: str,
        detail: str,
    ) -> None: ...


class ConnectionRecords(Protocol):
    """Members' connections to their own repository (tokens sealed) (`ConnectionStore`)."""

    async def delete_connection(self, guild_id: int, user_id: int) -> bool: ...
    async def get_connection(self, guild_id: int, user_id: int) -> StoredConnection | None: ...
    async def put_connection_tokens(
        self,
        guild_id: int,
        user_id: int,
        login: str,
        access_token: bytes,
        access_expires_at: datetime | None,
        refresh_token: bytes | None,
        refresh_expires_at: datetime | None,
        at: datetime,
    ) -> None: ...
    async def set_connection_repository(
        self, guild_id: int, user_id: int, repository: str, at: datetime
    ) -> bool: ...
    async def set_connection_failure(
        self, guild_id: int, user_id: int, failure: str, at: datetime
    ) -> bool: ...
    async def count_connections(self, guild_id: int) -> ConnectionCounts: ...
    async def list_connection_summaries(
        self, guild_id: int, limit: int, offset: int = 0
    ) -> list[ConnectionSummary]: ...


class GuildSettingsRecords(Protocol):
    """Per-server settings (`SettingsStore`)."""

    async def get_guild_settings(self, guild_id: int) -> GuildSettings: ...
    async def update_guild_settings(
        self,
        guild_id: int,
        at: datetime,
        *,
        announce_channel_id: int | object | None = ...,
        author_role_id: int | object | None = ...,
        timezone: str | object = ...,
        title_format: str | object | None = ...,
        body_template: str | object | None = ...,
        byline: str | object | None = ...,
        language: str | object | None = ...,
        first_language: str | None = None,
    ) -> GuildSettings: ...


class NamedValues(Protocol):
    """Small named values (the watcher's state, the command hash) (`SettingsStore`)."""

    async def get_value(self, key: str) -> str | None: ...
    async def set_value(self, key: str, value: str) -> None: ...
    async def set_values(self, values: Mapping[str, str]) -> None: ...


class WatchRecords(Protocol):
    """Webhook deliveries seen; whether this bot published an issue (`WatchStore`)."""

    async def list_watched_repositories(self) -> list[WatchedRepository]: ...
    async def delete_watched_repositories(self, repositories: list[str]) -> None: ...
    async def record_watch_check(
        self,
        repository: str,
        at: datetime,
        result: str,
        *,
        failures: int = 0,
        next_check_at: datetime | None = None,
    ) -> None: ...
    async def get_watched_repository(self, repository: str) -> WatchedRepository | None: ...
    async def put_watched_repository(self, watch: WatchedRepository, at: datetime) -> None: ...
    async def list_connected_repositories(
        self, repository: str | None = None
    ) -> list[ConnectedRepository]: ...
    async def add_webhook_delivery(self, delivery_id: str, at: datetime) -> bool: ...
    async def delete_webhook_delivery(self, delivery_id: str) -> None: ...
    async def publish_job_state(self, idempotency_key: str) -> JobState | None: ...


class StatusRecords(Protocol):
    """The numbers `/diary-admin status` shows (`StatusStore`)."""

    async def count_jobs(
        self, guild_id: int | None = None, channel_ids: Sequence[int] = ()
    ) -> JobCounts: ...
    async def get_database_size(self) -> int: ...
