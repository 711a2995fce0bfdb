"""Which channels hear about an entry, and what the announcement says."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from bot.limits import ANNOUNCE_EXCERPT, cut
from bot.markdown_scan import NextFinder, escaped
from bot.models import Announcement, Entry, EntryState, JobState, TrackedAnnouncement
from bot.repositories import repository_key
from bot.services.clock import Clock
from bot.services.posting import RecentPosts
from bot.services.store_ports import AnnouncementRecords, GuildSettingsRecords, WatchRecords

log = logging.getLogger(__name__)


class ChannelDirectory(Protocol):
    """What the Discord client knows about servers and channels."""

    def guild_ids(self) -> list[int]: ...

    def guild_of_channel(self, channel_id: int) -> int | None: ...


def excerpt(body: str, limit: int = ANNOUNCE_EXCERPT) -> str:
    """The start of a body for an announcement: no hidden comments, no image Markdown,
    whitespace collapsed."""
    return cut(" ".join(readable(body)[0].split()), limit)


def first_image(body: str) -> str | None:
    """The URL of the body's first Markdown image, if it is an http(s) one."""
    return readable(body)[1]


def readable(body: str) -> tuple[str, str | None]:
    """The body without hidden comments (`<!-- -->`) and image Markdown (`![alt](url)`), and
    the first image's http(s) URL. Linear time whatever the text: every search starts where
    the last one of its kind stopped or at a later point, so no character is scanned twice
    by the same kind of search (no regular expressions, nothing that backtracks)."""
    closers = {c: NextFinder(body, c, unescaped=True) for c in "])"}
    out: list[str] = []
    image: str | None = None
    start = 0
    comment, picture = body.find("<!--"), body.find("![")
    while True:
        if comment < 0 and picture < 0:
            break
        if picture < 0 or 0 <= comment < picture:
            end = body.find("-->", comment + 4)
            out += [body[start:comment], " "]
            if end < 0:  # GitHub hides everything after an unclosed comment
                return "".join(out), image
            i = start = end + 3
        else:
            i = picture + 2
            close = len(body) if escaped(body, picture) else closers["]"].at(i)
            if close == len(body):
                if not escaped(body, picture):
                    picture = -1  # no "]" from here on: no later image closes either
            elif body.startswith("(", close + 1):
                end = closers[")"].at(close + 2)
                if end == len(body):
                    picture = -1  # no ")" from here on: no later image closes either
                else:
                    target = body[close + 2 : end].split()
                    url = target[0].strip("<>") if target else ""
                    if image is None and url.startswith(("https://", "http://")):
                        image = url
                    out += [body[start:picture], " "]
                    i = start = end + 1
            else:
                i = close + 1  # every "![" before this "]" ends at it too: none is an image
        # -1 stays -1: nothing found from an earlier point means nothing from a later one.
        if 0 <= comment < i:
            comment = body.find("<!--", i)
        if 0 <= picture < i:
            picture = body.find("![", i)
    out.append(body[start:])
    return "".join(out), image


class AnnouncementService:
    """Turns entries into durable announcement jobs, one per announcement channel. An entry is
    named by its repository (`owner/name`) and number: every diary numbers its issues from 1."""

    def __init__(
        self,
        announcements: AnnouncementRecords,
        watching: WatchRecords,
        settings: GuildSettingsRecords,
        directory: ChannelDirectory,
        clock: Clock,
        *,
        server_repository: str,
        default_channel_id: int | None,
        blog_url_template: str | None,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self._announcements = announcements
        self._watching = watching
        self._settings = settings
        self._directory = directory
        self._clock = clock
        self.server_repository = repository_key(server_repository)
        self._default_channel_id = default_channel_id
        self._blog_url_template = blog_url_template
        self._wake_worker = wake_worker

    def entry_url(self, number: int, issue_url: str, repository: str | None = None) -> str:
        """The blog page of an entry of the server diary when BLOG_URL_TEMPLATE is set, else
        the issue (a member's own diary has no template here)."""
        server = repository is None or repository_key(repository) == self.server_repository
        if self._blog_url_template and server:
            return self._blog_url_template.replace("{number}", str(number))
        return issue_url

    async def channel_for_guild(self, guild_id: int) -> int | None:
        """The server's own setting, else the default channel when it is in this server."""
        settings = await self._settings.get_guild_settings(guild_id)
        if settings.announce_channel_id is not None:
            return settings.announce_channel_id
        default = self._default_channel_id
        if default is not None and self._directory.guild_of_channel(default) == guild_id:
            return default
        return None

    async def target_channels(self, guild_ids: Iterable[int] | None = None) -> list[int]:
        """One announcement channel per server that has one (of `guild_ids`, else of every
        server the bot is in)."""
        present = self._directory.guild_ids()
        wanted = present if guild_ids is None else [g for g in present if g in set(guild_ids)]
        channels = []
        for guild_id in wanted:
            channel = await self.channel_for_guild(guild_id)
            if channel is not None and channel not in channels:
                channels.append(channel)
        return channels

    async def servers_following(self, repository: str) -> list[int] | None:
        """The servers that hear about `repository`'s entries: None (every server) for the
        server diary, else those where a member connected it."""
        if repository_key(repository) == self.server_repository:
            return None
        connected = await self._watching.list_connected_repositories(repository)
        return sorted({c.guild_id for c in connected})

    async def plan(
        self, entry: Entry, repository: str, guild_ids: Iterable[int] | None = None
    ) -> list[Announcement]:
        """The announcements an entry of `repository` needs, not yet stored: in the servers
        `guild_ids` (default: those following the repository)."""
        if guild_ids is None:
            guild_ids = await self.servers_following(repository)
        now = self._clock.now()
        return [
            Announcement(
                channel_id=channel,
                repository=repository_key(repository),
                issue_number=entry.number,
                title=entry.title,
                url=self.entry_url(entry.number, entry.url, repository),
                excerpt=excerpt(entry.body),
                image_url=first_image(entry.body),
                labels=entry.labels,
                author_name=entry.author_name,
                author_avatar_url=entry.author_avatar_url,
                entry_created_at=entry.created_at,
                state=JobState.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
            for channel in await self.target_channels(guild_ids)
        ]

    async def announce(
        self, entry: Entry, repository: str, guild_ids: Iterable[int] | None = None
    ) -> None:
        """Queue an entry's announcements; ones already queued or sent are kept as they are."""
        planned = await self.plan(entry, repository, guild_ids)
        await self._announcements.add_announcements(planned, issue_url=entry.url)
        await self._announcements.set_announcement_issue_url(repository, entry.number, entry.url)
        self._wake_worker()

    async def update_entry(
        self, entry: Entry, repository: str, *, closed: bool, updated_at: datetime
    ) -> None:
        """Bring the entry's announcements in line with what GitHub shows as of `updated_at`;
        posted ones that change are edited (a durable job), never posted again."""
        changed = await self._announcements.update_announced_entry(
            repository,
            entry.number,
            self._clock.now(),
            title=entry.title,
            excerpt=excerpt(entry.body),
            image_url=first_image(entry.body),
            labels=entry.labels,
            entry_state=EntryState.CLOSED if closed else EntryState.OPEN,
            entry_updated_at=updated_at,
        )
        if changed:
            log.info(
                "entry %s#%d changed on GitHub; updating %d announcement(s)",
                repository,
                entry.number,
                changed,
            )
            self._wake_worker()

    async def entry_deleted(self, repository: str, number: int) -> None:
        """The entry was deleted on GitHub: its announcements say so."""
        changed = await self._announcements.mark_entry_deleted(
            repository, number, self._clock.now()
        )
        if changed:
            log.info(
                "entry %s#%d was deleted on GitHub; updating %d announcement(s)",
                repository,
                number,
                changed,
            )
            self._wake_worker()

    def wake(self) -> None:
        self._wake_worker()


class AnnouncementFailed(Exception):
    """Sending failed; `permanent` when retrying cannot help (channel gone, no access);
    `outcome_unknown` when Discord may have posted it all the same (5xx, timeout)."""

    def __init__(self, reason: str, *, permanent: bool, outcome_unknown: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.outcome_unknown = outcome_unknown


class AnnouncementSender(RecentPosts, Protocol):
    """Posts an announcement in Discord with a nonce and returns the message id; edits a
    posted one; lists the bot's recent posts for a look after an unknown outcome."""

    async def send_announcement(self, announcement: Announcement, nonce: str) -> int: ...

    async def edit_announcement(
        self, channel_id: int, message_id: int, announcement: TrackedAnnouncement
    ) -> None: ...
