"""Small builders and fakes of the project's own ports, shared by the tests under tests/bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Announcement, Draft, JobState, Owner, PublishJob
from bot.services.access import AccessUnknown, MemberFacts
from bot.services.announcing import AnnouncementFailed
from bot.services.posting import RecentPost

T0 = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
ALICE = Owner(guild_id=100000000000000001, user_id=200000000000000001)


def job_for(draft: Draft, at: datetime = T0, key: str = "key-1") -> PublishJob:
    """A pending publish job snapshotting `draft`, as PublishingService would record it."""
    return PublishJob(
        id=0,
        draft_id=draft.id,
        guild_id=draft.guild_id,
        author_id=draft.author_id,
        author_name="Alice",
        author_avatar_url=None,
        idempotency_key=key,
        title=draft.title,
        body=draft.body,
        labels=draft.labels,
        state=JobState.PENDING,
        attempts=0,
        outcome_unknown=False,
        next_attempt_at=at,
        created_at=at,
    )


REPOSITORY = "alice/diary"  # the server diary of the tests


def announcement(
    channel_id: int,
    issue_number: int,
    at: datetime = T0,
    title: str = "Day 1",
    repository: str = REPOSITORY,
) -> Announcement:
    """A pending announcement due at `at`."""
    return Announcement(
        channel_id=channel_id,
        repository=repository,
        issue_number=issue_number,
        title=title,
        url=f"https://github.com/alice/diary/issues/{issue_number}",
        excerpt="Dear diary",
        labels=("diary",),
        author_name="Alice",
        author_avatar_url=None,
        entry_created_at=at,
        state=JobState.PENDING,
        attempts=0,
        next_attempt_at=at,
    )


class FakeClock:
    """A Clock that stands still until told to move, or moves `tick` on every reading."""

    def __init__(self, now: datetime, tick: timedelta = timedelta(0)) -> None:
        self.current = now
        self.tick = tick

    def now(self) -> datetime:
        self.current += self.tick
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeDirectory:
    """A ChannelDirectory over a fixed map of guild id → channel ids."""

    def __init__(self, channels: dict[int, list[int]]) -> None:
        self.channels = channels

    def guild_ids(self) -> list[int]:
        return list(self.channels)

    def guild_of_channel(self, channel_id: int) -> int | None:
        for guild_id, channel_ids in self.channels.items():
            if channel_id in channel_ids:
                return guild_id
        return None


class FakeSender:
    """An AnnouncementSender that records what it sent and raises queued failures per channel."""

    def __init__(self) -> None:
        self.sent: list[Announcement] = []
        self.failures: dict[int, list[Exception]] = {}
        self.nonces: dict[str, int] = {}  # forgotten when a test clears it (the window passed)
        self.posted: list[tuple[int, Announcement]] = []
        self.lost_answers = 0  # posts made whose answer is then lost (a 502 after storing)
        self.looks = 0
        self.clock: FakeClock | None = None
        self._next_message_id = 900000000000000000

    def fail(self, channel_id: int, *errors: Exception) -> None:
        self.failures.setdefault(channel_id, []).extend(errors)

    async def send_announcement(self, announcement: Announcement, nonce: str) -> int:
        queued = self.failures.get(announcement.channel_id)
        if queued:
            raise queued.pop(0)
        if nonce in self.nonces:  # as Discord matches an enforced nonce
            return self.nonces[nonce]
        self.sent.append(announcement)
        self._next_message_id += 1
        self.nonces[nonce] = self._next_message_id
        self.posted.append((self._next_message_id, announcement))
        if self.lost_answers:
            self.lost_answers -= 1
            raise AnnouncementFailed("502 Bad Gateway", permanent=False, outcome_unknown=True)
        return self._next_message_id

    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        """The posts made so far (newest first), stamped now: as `GET messages` lists them."""
        self.looks += 1
        return [
            RecentPost(message_id, "", (a.url,), self.clock.now() if self.clock else T0)
            for message_id, a in reversed(self.posted)
            if a.channel_id == channel_id
        ][:limit]


def transient(reason: str = "503 Service Unavailable") -> AnnouncementFailed:
    return AnnouncementFailed(reason, permanent=False)


def permanent(reason: str = "403 Missing Access") -> AnnouncementFailed:
    return AnnouncementFailed(reason, permanent=True)


class FakeMembers:
    """The MemberLookup port: every member is in their server with Manage Server (a writer
    while no author role is set), unless `gone`, given `roles`, or Discord is `unreachable`."""

    def __init__(self) -> None:
        self.gone: set[int] = set()
        self.roles: dict[int, frozenset[int]] = {}
        self.unreachable = False

    async def __call__(self, guild_id: int, user_id: int) -> MemberFacts | None:
        if self.unreachable:
            raise AccessUnknown("ClientConnectorError")
        if user_id in self.gone:
            return None
        roles = self.roles.get(user_id)
        return MemberFacts(guild_id, user_id, roles or frozenset(), manage_guild=roles is None)


async def store_grant(
    store: Any,
    cipher: Any,
    owner: Owner,
    login: str,
    grant: dict[str, Any],
    repository: str | None,
    now: datetime,
) -> None:
    """Keep `grant` (user tokens from the local GitHub's `oauth.grant`) as a finished sign-in
    does: sealed with `cipher`, their expiries counted from `now`, and `repository` chosen
    (unless None)."""
    await store.connections.put_connection_tokens(
        owner.guild_id,
        owner.user_id,
        login,
        cipher.encrypt(grant["access_token"]),
        now + timedelta(seconds=grant["expires_in"]),
        cipher.encrypt(grant["refresh_token"]),
        now + timedelta(seconds=grant["refresh_token_expires_in"]),
        now,
    )
    if repository is not None:
        await store.connections.set_connection_repository(
            owner.guild_id, owner.user_id, repository, now
        )


async def connect_member(
    store: Any, fake: Any, clock: Any, cipher: Any, owner: Owner, login: str, repository: str | None
) -> str:
    """A member's connection as a finished sign-in leaves it: `login`'s user tokens from the
    local GitHub, sealed with `cipher`, and `repository` chosen (unless None); the plaintext
    access token."""
    grant = fake.oauth.grant(login)
    await store_grant(store, cipher, owner, login, grant, repository, clock.now())
    return str(grant["access_token"])
