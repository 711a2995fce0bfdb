"""The numbers behind /diary-admin status, from a real store and a small rate-limit port."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.models import Announcement, JobState, Owner, PublishJob
from bot.services.status import (
    WATCHER_LAST_POLL_KEY,
    WATCHER_LAST_RESULT_KEY,
    StatusService,
)

OWNER = Owner(guild_id=1, user_id=2)
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Limit:
    remaining: int
    limit: int
    reset_at: datetime | None


class RateLimits:
    def __init__(self, limit: Limit | None) -> None:
        self.limit = limit
        self.calls = 0

    async def last_rate_limit(self) -> Limit | None:
        self.calls += 1
        return self.limit


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


def job(draft_id: int, key: str) -> PublishJob:
    return PublishJob(
        id=0,
        draft_id=draft_id,
        guild_id=OWNER.guild_id,
        author_id=OWNER.user_id,
        author_name="Alice",
        author_avatar_url=None,
        idempotency_key=key,
        title="t",
        body="b",
        labels=(),
        state=JobState.PENDING,
        attempts=0,
        outcome_unknown=False,
        next_attempt_at=T0,
        created_at=T0,
    )


def announcement(issue: int) -> Announcement:
    return Announcement(
        channel_id=9,
        repository="alice/diary",
        issue_number=issue,
        title="t",
        url=f"https://github.com/alice/diary/issues/{issue}",
        excerpt="",
        labels=(),
        author_name="Alice",
        author_avatar_url=None,
        entry_created_at=T0,
        state=JobState.PENDING,
        attempts=0,
        next_attempt_at=T0,
    )


async def test_counts_pending_retrying_and_failed_jobs(store):
    """Publish and announcement jobs are counted as pending, retrying and failed."""
    drafts = [await store.drafts.add_draft(OWNER, f"d{n}", "b", [], T0) for n in range(3)]
    await store.jobs.add_publish_job(job(drafts[0].id, "k1"))
    second, _ = await store.jobs.add_publish_job(job(drafts[1].id, "k2"))
    third, _ = await store.jobs.add_publish_job(job(drafts[2].id, "k3"))
    await store.jobs.update_publish_job_attempt(
        second.id, T0, next_attempt_at=T0, outcome_unknown=False, error_key="x", error_detail=""
    )
    await store.jobs.fail_publish_job(third.id, T0, "github.forbidden", "403")
    await store.announcements.add_announcements([announcement(1), announcement(2)])
    await store.announcements.update_announcement(9, "alice/diary", 2, T0, state=JobState.FAILED)
    service = StatusService(
        store.status, store.settings, RateLimits(None), Clock(), watcher_enabled=False
    )

    jobs = (await service.report(latency=0.05)).jobs

    assert (jobs.publish_pending, jobs.publish_retrying, jobs.publish_failed) == (2, 1, 1)
    assert (jobs.announce_pending, jobs.announce_retrying, jobs.announce_failed) == (1, 0, 1)


async def test_uptime_latency_size_and_rate_limit(store):
    """Uptime runs from the service's start; latency, size and the last rate limit are
    reported as given."""
    clock = Clock()
    limit = Limit(4990, 5000, T0 + timedelta(hours=1))
    service = StatusService(
        store.status, store.settings, RateLimits(limit), clock, watcher_enabled=False, version="9.9"
    )
    clock.at = T0 + timedelta(hours=2, minutes=5)

    report = await service.report(latency=0.042)

    assert report.version == "9.9"
    assert report.uptime == timedelta(hours=2, minutes=5)
    assert report.latency == 0.042
    assert report.rate_limit == limit
    assert report.database_bytes > 0


async def test_an_unmeasured_latency_is_none(store):
    """discord.py's latency before the first heartbeat (inf or nan) becomes None."""
    service = StatusService(
        store.status, store.settings, RateLimits(None), Clock(), watcher_enabled=False
    )
    assert (await service.report(latency=float("inf"))).latency is None
    assert (await service.report(latency=float("nan"))).latency is None


async def test_watcher_off_not_running_or_last_poll(store):
    """The watcher is off with POLL_INTERVAL=0; on, it shows the last recorded poll if any."""
    off = StatusService(
        store.status, store.settings, RateLimits(None), Clock(), watcher_enabled=False
    )
    on = StatusService(
        store.status, store.settings, RateLimits(None), Clock(), watcher_enabled=True
    )
    assert not (await off.report(latency=None)).watcher.enabled
    assert (await on.report(latency=None)).watcher.last_poll_at is None

    await store.settings.set_value(WATCHER_LAST_POLL_KEY, "2024-05-01T09:00:00+00:00")
    await store.settings.set_value(WATCHER_LAST_RESULT_KEY, "unchanged")
    watcher = (await on.report(latency=None)).watcher

    assert (watcher.last_poll_at, watcher.last_result) == (T0, "unchanged")


async def test_the_status_reads_what_the_watchers_polls_wrote(store, fake_github):
    """A real poll (baseline), then one that GitHub fails: the status shows each one's time
    and result, the failure by its error's key."""
    from bot.errors import GitHubError
    from bot.github_gateway import GitHubGateway
    from bot.github_gateways import GatewayPool
    from bot.services.announcing import AnnouncementService
    from bot.services.watching import WatchService

    clock = Clock()
    gateway = GitHubGateway("ghp_test", "alice/diary", fake_github.url, seconds_between_writes=0)
    announcements = AnnouncementService(
        store.announcements,
        store.watching,
        store.settings,
        None,  # type: ignore[arg-type]  # a baseline and a failure announce nothing
        clock,
        server_repository="alice/diary",
        default_channel_id=None,
        blog_url_template=None,
    )
    watching = WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, "alice/diary"),
        announcements,
        repository="alice/diary",
        clock=clock,
    )
    status = StatusService(
        store.status, store.settings, RateLimits(None), clock, watcher_enabled=True
    )

    await watching.poll()
    first = (await status.report(latency=None)).watcher
    assert (first.last_poll_at, first.last_result) == (T0, "baseline")

    clock.at = T0 + timedelta(minutes=5)
    fake_github.set_mode(token_revoked=True)
    try:
        await watching.poll()
    except GitHubError:
        pass
    else:
        raise AssertionError("the poll should have failed")
    second = (await status.report(latency=None)).watcher
    assert second.last_poll_at == T0 + timedelta(minutes=5)
    assert second.last_result == "failed:github.unauthorized"


class Token:
    def __init__(self, expires_at: datetime | None) -> None:
        self.expires_at = expires_at

    def token_expires_at(self) -> datetime | None:
        return self.expires_at


async def test_the_tokens_expiry_and_its_warning(store):
    """The status carries the token's expiry; it is flagged from seven days before."""
    far = StatusService(
        store.status,
        store.settings,
        RateLimits(None),
        Clock(),
        watcher_enabled=False,
        token=Token(T0 + timedelta(30)),
    )
    near = StatusService(
        store.status,
        store.settings,
        RateLimits(None),
        Clock(),
        watcher_enabled=False,
        token=Token(T0 + timedelta(6)),
    )
    unknown = StatusService(
        store.status, store.settings, RateLimits(None), Clock(), watcher_enabled=False
    )

    report = await far.report(latency=None)
    assert (report.token_expires_at, report.token_expiring) == (T0 + timedelta(30), False)
    assert (await near.report(latency=None)).token_expiring is True
    assert (await unknown.report(latency=None)).token_expires_at is None


async def test_a_server_sees_only_its_own_jobs(store):
    """Asked for a server, only its publish jobs and the announcements in its announcement
    channel count; another server's stay out of sight."""
    other = Owner(guild_id=3, user_id=4)
    mine = await store.drafts.add_draft(OWNER, "mine", "b", [], T0)
    theirs = await store.drafts.add_draft(other, "theirs", "b", [], T0)
    await store.jobs.add_publish_job(job(mine.id, "k1"))
    foreign = replace(job(theirs.id, "k2"), guild_id=other.guild_id, author_id=other.user_id)
    await store.jobs.add_publish_job(foreign)
    await store.announcements.add_announcements(
        [announcement(1), replace(announcement(2), channel_id=8)]
    )

    async def channel_for_guild(guild_id: int) -> int | None:
        return {OWNER.guild_id: 9, other.guild_id: 8}[guild_id]

    service = StatusService(
        store.status,
        store.settings,
        RateLimits(None),
        Clock(),
        watcher_enabled=False,
        channel_for_guild=channel_for_guild,
    )

    jobs = (await service.report(OWNER.guild_id, latency=None)).jobs
    everything = (await service.report(latency=None)).jobs

    assert (jobs.publish_pending, jobs.announce_pending) == (1, 1)
    assert (everything.publish_pending, everything.announce_pending) == (2, 2)
