"""WatchService: baseline, conditional polls, new and changed entries; and the announcer's
edits and page wait that follow from them (real store, real PyGithub on the local GitHub)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import GitHubError
from bot.github_gateway import GitHubGateway
from bot.github_gateways import GatewayPool
from bot.github_records import IssueSnapshot
from bot.models import (
    Announcement,
    Entry,
    EntryState,
    JobState,
    Owner,
    TrackedAnnouncement,
    WatchedRepository,
)
from bot.page_probe import PageProbe
from bot.services.announcement_delivery import AnnouncementDelivery
from bot.services.announcing import AnnouncementFailed, AnnouncementService
from bot.services.authors import AuthorPolicy
from bot.services.posting import RecentPost
from bot.services.publishing import key_marker
from bot.services.watching import PollResult, WatchService
from bot.workers.announcer import AnnounceWorker
from bot.workers.watcher import Watcher, polling_interval
from tests.bot.builders import job_for

GUILD = 100000000000000001
CHANNEL = 300000000000000001
REPOSITORY = "alice/diary"
OWNER = Owner(guild_id=GUILD, user_id=200000000000000001)


class Channels:
    """A ChannelDirectory of one server with one announcement channel."""

    def guild_ids(self) -> list[int]:
        return [GUILD]

    def guild_of_channel(self, channel_id: int) -> int | None:
        return GUILD if channel_id == CHANNEL else None


class Clock:
    """Stands still (near real time: GitHub's timestamps are real) until told to move."""

    def __init__(self) -> None:
        self.current = datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class Sender:
    """An AnnouncementSender that records posts and edits."""

    def __init__(self) -> None:
        self.sent: list[Announcement] = []
        self.edits: list[tuple[int, TrackedAnnouncement]] = []
        self.edit_error: AnnouncementFailed | None = None

    async def send_announcement(self, announcement: Announcement, nonce: str) -> int:
        self.sent.append(announcement)
        return 900000000000000000 + len(self.sent)

    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        return []

    async def edit_announcement(
        self, channel_id: int, message_id: int, announcement: TrackedAnnouncement
    ) -> None:
        if self.edit_error is not None:
            raise self.edit_error
        self.edits.append((message_id, announcement))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(fake_github) -> GitHubGateway:
    return GitHubGateway("ghp_test", REPOSITORY, fake_github.url, seconds_between_writes=0)


def announcements_for(store, clock, template: str | None = None) -> AnnouncementService:
    return AnnouncementService(
        store.announcements,
        store.watching,
        store.settings,
        Channels(),
        clock,
        server_repository=REPOSITORY,
        default_channel_id=CHANNEL,
        blog_url_template=template,
    )


@pytest.fixture
def announcements(store, clock) -> AnnouncementService:
    return announcements_for(store, clock)


@pytest.fixture
def watching(store, gateway, announcements) -> WatchService:
    return WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, REPOSITORY),
        announcements,
        repository=REPOSITORY,
    )


@pytest.fixture
def sender() -> Sender:
    return Sender()


@pytest.fixture
def worker(store, sender, clock) -> AnnounceWorker:
    async def ready() -> None:
        return None

    return AnnounceWorker(AnnouncementDelivery(store.announcements, sender, clock), clock, ready)


async def drain(worker: AnnounceWorker) -> None:
    """Run every due announcement job."""
    while await worker._run_due() == 0:
        pass


def snapshot(
    number: int,
    title: str,
    updated_at: datetime,
    *,
    closed: bool = False,
    author: str = "alice",
    association: str = "OWNER",
):
    entry = Entry(
        number=number,
        title=title,
        body="Dear diary",
        url=f"https://github.com/alice/diary/issues/{number}",
        labels=(),
        author_name=author,
        author_avatar_url=None,
        created_at=updated_at - timedelta(hours=1),
    )
    return IssueSnapshot(
        entry=entry,
        closed=closed,
        updated_at=updated_at,
        pull_request=False,
        author_association=association,
    )


async def announced(store, number: int) -> list[TrackedAnnouncement]:
    return await store.announcements.list_tracked_announcements(REPOSITORY, number)


async def test_first_poll_records_a_baseline_and_announces_nothing(
    watching, store, fake_github, peek
):
    """On a repository with 30 issues, the first poll announces none of them."""
    for day in range(30):
        fake_github.add_issue_from_web(f"Day {day}", body="Earlier entry")

    assert await watching.poll() is PollResult.BASELINE

    assert peek.pending_announcements() == []
    watched = await store.watching.get_watched_repository(REPOSITORY)
    assert watched is not None and watched.newest == 30


async def test_the_baseline_covers_the_newest_issue_beyond_the_first_page(
    watching, store, fake_github, peek
):
    """With over a page of issues, the newest one counts as existing even if a hundred older
    ones were updated after it: changing it later announces nothing."""
    for day in range(120):
        fake_github.add_issue_from_web(f"Day {day}", body="Earlier entry")
    for number in range(1, 101):
        fake_github.edit_issue_from_web(number, updated_at="2099-01-01T00:00:00Z")
    await watching.poll()

    fake_github.edit_issue_from_web(120, title="Day 119, edited", updated_at="2099-01-02T00:00:00Z")
    await watching.poll()

    assert peek.pending_announcements() == []


async def test_issue_written_on_github_after_the_baseline_is_announced(
    watching, store, fake_github
):
    """An issue created after the baseline is queued for announcement with its contents."""
    fake_github.add_issue_from_web("Old", body="Before the bot")
    await watching.poll()
    number = fake_github.add_issue_from_web("Rainy day", body="It rained.", labels=["diary"])

    assert await watching.poll() is PollResult.CHANGED

    (queued,) = await announced(store, number)
    assert (queued.channel_id, queued.title, queued.labels) == (CHANNEL, "Rainy day", ("diary",))
    assert queued.excerpt == "It rained." and queued.author_name == "alice"
    assert queued.issue_url == f"https://github.com/alice/diary/issues/{number}"


async def test_an_unchanged_repository_costs_no_rate_limit(watching, fake_github):
    """Polling an unchanged repository sends the ETag and GitHub answers 304, for free."""
    fake_github.add_issue_from_web("Old", body="Before the bot")
    await watching.poll()
    remaining = fake_github.rate_remaining

    assert await watching.poll() is PollResult.UNCHANGED

    last = fake_github.requests[-1]
    assert last.headers.get("If-None-Match") and last.status == 304
    assert fake_github.rate_remaining == remaining
    assert fake_github.violations == []


async def test_the_etag_survives_a_restart(store, gateway, announcements, fake_github):
    """A new service on the same database polls conditionally at once: no new baseline."""
    await WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, REPOSITORY),
        announcements,
        repository=REPOSITORY,
    ).poll()
    restarted = WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, REPOSITORY),
        announcements,
        repository=REPOSITORY,
    )

    assert await restarted.poll() is PollResult.UNCHANGED


async def test_a_pull_request_is_never_announced(watching, store, fake_github):
    """A pull request opened after the baseline is skipped; an issue after it is not."""
    await watching.poll()
    pull = fake_github.add_issue_from_web("Fix typo", body="PR", pull_request=True)
    issue = fake_github.add_issue_from_web("Day 2", body="Entry")

    await watching.poll()

    assert await announced(store, pull) == []
    assert len(await announced(store, issue)) == 1


async def test_an_issue_published_by_the_bot_is_left_to_its_publish_job(
    watching, store, fake_github, clock, peek
):
    """An issue carrying the key of one of our publish jobs is not announced by the watcher."""
    await watching.poll()
    draft = await store.drafts.add_draft(OWNER, "Day 1", "Dear diary", (), clock.now())
    job, _ = await store.jobs.add_publish_job(job_for(draft, at=clock.now(), key="0123abcd" * 4))
    fake_github.add_issue_from_web(
        "Day 1", body=f"Dear diary\n\n{key_marker(job.idempotency_key)}", user="diarybot-owner"
    )

    await watching.poll()

    assert peek.pending_announcements() == []


async def test_a_strangers_issue_is_not_announced(watching, store, fake_github):
    """An issue by someone with no role in the repository is no diary entry: not announced."""
    await watching.poll()
    number = fake_github.add_issue_from_web("Buy now", body="Spam", user="mallory")

    await watching.poll()

    assert await announced(store, number) == []


async def test_a_collaborators_issue_is_announced(watching, store, fake_github):
    """A collaborator (or organization member) writes the diary too."""
    await watching.poll()
    fake_github.set_association("carol", "COLLABORATOR")
    fake_github.set_association("dave", "MEMBER")
    numbers = [
        fake_github.add_issue_from_web("Carol's day", user="carol"),
        fake_github.add_issue_from_web("Dave's day", user="dave"),
    ]

    await watching.poll()

    for number in numbers:
        assert len(await announced(store, number)) == 1


async def test_a_strangers_opened_webhook_is_not_announced(watching, store, clock):
    """The webhook applies the same rule as the watcher."""
    stranger = snapshot(8, "Spam", clock.now(), author="mallory", association="NONE")

    await watching.issue_event("opened", stranger)

    assert await announced(store, 8) == []


@pytest.mark.parametrize(("listed", "announced_numbers"), [(["*"], [8, 9]), (["MALLORY"], [8])])
async def test_announce_authors_replaces_the_default(
    store, gateway, announcements, clock, listed, announced_numbers
):
    """ANNOUNCE_AUTHORS=* announces everyone's issues; a list announces only those logins
    (compared case-insensitively), not even the owner's."""
    watching = WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, REPOSITORY),
        announcements,
        repository=REPOSITORY,
        authors=AuthorPolicy.of(listed),
    )
    stranger = snapshot(8, "Spam", clock.now(), author="mallory", association="NONE")
    owner = snapshot(9, "Mine", clock.now())

    for event in (stranger, owner):
        await watching.issue_event("opened", event)

    found = [n for n in (8, 9) if await announced(store, n)]
    assert found == announced_numbers


async def test_an_issue_with_an_unknown_key_is_announced(watching, store, fake_github):
    """A marker from no publish job of ours (another bot's database) does not hide an issue."""
    await watching.poll()
    number = fake_github.add_issue_from_web("Day 1", body=f"Text {key_marker('ab' * 16)}")

    await watching.poll()

    assert len(await announced(store, number)) == 1


async def test_more_changes_than_one_page_are_all_found(watching, store, fake_github, peek):
    """With 150 new issues between two polls, the older pages are read too."""
    await watching.poll()
    numbers = [fake_github.add_issue_from_web(f"Day {n}", body="x") for n in range(150)]

    await watching.poll()

    assert len(peek.pending_announcements()) == 150
    assert {a.issue_number for a in peek.pending_announcements()} == set(numbers)


async def test_a_new_repository_gets_a_new_baseline(
    store, gateway, announcements, fake_github, peek, clock
):
    """State recorded for another repository is not reused: the first poll is a baseline."""
    await store.watching.put_watched_repository(
        WatchedRepository("bob/blog", None, 0, None), clock.now()
    )
    fake_github.add_issue_from_web("Old", body="Before the bot")
    watching = WatchService(
        store.watching,
        store.settings,
        GatewayPool(gateway, REPOSITORY),
        announcements,
        repository=REPOSITORY,
    )

    assert await watching.poll() is PollResult.BASELINE
    assert peek.pending_announcements() == []


async def test_title_change_on_github_edits_the_posted_announcement(
    watching, worker, sender, store, fake_github
):
    """After a title change, the posted message is edited (same message), not posted again."""
    await watching.poll()
    number = fake_github.add_issue_from_web("Rainy day", body="It rained.")
    await watching.poll()
    await drain(worker)
    fake_github.edit_issue_from_web(number, title="Rainy Sunday")

    await watching.poll()
    await drain(worker)

    assert [a.title for a in sender.sent] == ["Rainy day"]
    ((message_id, edited),) = sender.edits
    (row,) = await announced(store, number)
    assert (edited.title, message_id) == ("Rainy Sunday", row.message_id)
    assert row.shown_revision == row.revision == 1


async def test_closing_an_entry_edits_the_announcement_to_say_so(
    watching, worker, sender, store, fake_github
):
    """Closing the issue on GitHub edits the announcement to the closed state."""
    await watching.poll()
    number = fake_github.add_issue_from_web("Day 1", body="x")
    await watching.poll()
    await drain(worker)
    fake_github.edit_issue_from_web(number, state="closed")

    await watching.poll()
    await drain(worker)

    ((_, edited),) = sender.edits
    assert edited.entry_state is EntryState.CLOSED


async def test_a_change_the_announcement_does_not_show_edits_nothing(
    watching, worker, sender, fake_github
):
    """Locking the issue moves its updated_at but changes nothing shown: no edit."""
    await watching.poll()
    number = fake_github.add_issue_from_web("Day 1", body="x")
    await watching.poll()
    await drain(worker)
    fake_github.edit_issue_from_web(number, locked=True)

    assert await watching.poll() is PollResult.CHANGED
    await drain(worker)

    assert sender.edits == []


async def test_an_older_snapshot_does_not_undo_a_newer_one(watching, announcements, store, clock):
    """A webhook delivered late (older updated_at) leaves the newer title in place."""
    now = clock.now()
    await announcements.announce(snapshot(5, "First", now).entry, REPOSITORY)

    await watching.issue_event("edited", snapshot(5, "Newest", now + timedelta(seconds=20)))
    await watching.issue_event("edited", snapshot(5, "Older", now + timedelta(seconds=10)))

    (row,) = await announced(store, 5)
    assert row.title == "Newest"


async def test_webhook_opened_announces_before_any_poll(watching, store, clock):
    """An `opened` event announces the issue even before the watcher's first poll."""
    await watching.issue_event("opened", snapshot(8, "Pushed", clock.now()))

    assert [a.title for a in await announced(store, 8)] == ["Pushed"]


async def test_webhook_edited_for_an_unannounced_old_issue_announces_nothing(
    watching, store, fake_github, clock
):
    """An `edited` event for an issue from before the baseline announces nothing."""
    number = fake_github.add_issue_from_web("Old", body="Before the bot")
    await watching.poll()

    await watching.issue_event("edited", snapshot(number, "Old, edited", clock.now()))

    assert await announced(store, number) == []


async def test_deleting_a_posted_entry_edits_its_announcement(
    watching, announcements, worker, sender, store, clock
):
    """A `deleted` event edits the posted announcement to say the entry is gone."""
    await announcements.announce(snapshot(6, "Gone soon", clock.now()).entry, REPOSITORY)
    await drain(worker)

    await watching.issue_event("deleted", snapshot(6, "Gone soon", clock.now()))
    await drain(worker)

    ((_, edited),) = sender.edits
    assert edited.entry_state is EntryState.DELETED


async def test_deleting_an_unposted_entry_drops_its_announcement(
    watching, announcements, worker, sender, store, clock
):
    """An entry deleted before its announcement went out is never posted."""
    await announcements.announce(snapshot(6, "Gone soon", clock.now()).entry, REPOSITORY)

    await watching.issue_event("deleted", snapshot(6, "Gone soon", clock.now()))
    await drain(worker)

    assert sender.sent == []
    (row,) = await announced(store, 6)
    assert row.state is JobState.FAILED


async def test_a_permanent_edit_failure_is_given_up(
    watching, announcements, worker, sender, store, clock
):
    """An edit Discord refuses for good (message deleted) is not retried."""
    await announcements.announce(snapshot(4, "Day", clock.now()).entry, REPOSITORY)
    await drain(worker)
    sender.edit_error = AnnouncementFailed("404 Unknown Message", permanent=True)
    await watching.issue_event("edited", snapshot(4, "Day, renamed", clock.now()))

    await drain(worker)

    assert await store.announcements.list_announcement_edits() == []
    (row,) = await announced(store, 4)
    assert row.revision > row.shown_revision


async def test_page_wait_falls_back_to_the_issue_link(store, sender, clock):
    """With WAIT_FOR_PAGE and a blog page that never answers, the announcement is posted
    with the issue link once the wait is over."""
    service = announcements_for(store, clock, template="http://127.0.0.1:9/articles/{number}")
    probe = PageProbe(timeout=1)

    async def ready() -> None:
        return None

    worker = AnnounceWorker(
        AnnouncementDelivery(store.announcements, sender, clock, pages=probe, page_wait=30),
        clock,
        ready,
    )
    await service.announce(snapshot(3, "Day 3", clock.now()).entry, REPOSITORY)
    try:
        await worker._run_due()
        assert sender.sent == [] and await worker._run_due() > 0  # postponed, not posted
        clock.advance(31)

        await drain(worker)
    finally:
        await probe.close()

    (posted,) = sender.sent
    assert posted.url == "https://github.com/alice/diary/issues/3"


class FlakyGitHub:
    """A stand-in WatchService whose polls fail `failures` times, then succeed."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.recovered = asyncio.Event()

    async def poll(self) -> PollResult:
        self.calls += 1
        if self.calls > self.failures:
            self.recovered.set()
            return PollResult.UNCHANGED
        raise GitHubError("github.unavailable", transient=True, detail="HTTP 502")


async def test_a_failure_streak_is_logged_once(caplog):
    """Four failed polls in a row give one warning, then one line when GitHub answers again."""
    flaky = FlakyGitHub(failures=4)

    async def ready() -> None:
        return None

    watcher = Watcher(flaky, interval=0.001, ready=ready)  # type: ignore[arg-type]
    caplog.set_level(logging.INFO, logger="bot.workers.watcher")
    watcher.start()
    try:
        await asyncio.wait_for(flaky.recovered.wait(), 10)
    finally:
        await watcher.stop()

    lines = [r for r in caplog.records if r.name == "bot.workers.watcher"]
    assert [r.levelname for r in lines] == ["WARNING", "INFO"]
    assert "after 4 failed check(s)" in lines[1].getMessage()


def test_with_webhooks_polling_becomes_a_safety_net():
    """With webhooks on, polls come ten times less often and at most every ten minutes."""
    assert polling_interval(60, webhooks=False) == 60
    assert polling_interval(60, webhooks=True) == 600
    assert polling_interval(120, webhooks=True) == 1200
