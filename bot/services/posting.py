"""Channel posts that happen once: a nonce per post, and a look for the post when Discord can
no longer match the nonce.

Discord returns the earlier message for a repeated nonce sent with `enforce_nonce`, but only
for a few minutes. After an attempt whose outcome is unknown (a 5xx, a timeout, a crash), a
repeat within that window simply sends again with the same nonce; past it, the bot first looks
through the channel's recent messages by itself and adopts the post it finds. The store makes
each nonce (random, 25 characters at most as Discord requires) when it records the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

RECENT_POSTS = 50  # how far back a look goes: the bot's posts are rare in these channels
DEFAULT_NONCE_WINDOW = 120.0  # seconds a nonce is trusted; Discord keeps them "a few minutes"


@dataclass(frozen=True)
class RecentPost:
    """A message the bot posted in a channel, as a look for an earlier post sees it."""

    id: int
    content: str
    links: tuple[str, ...]  # the URLs of its embeds
    created_at: datetime


class RecentPosts(Protocol):
    """The bot's own recent messages in a channel, newest first (at most `limit` looked at).
    Raises AnnouncementFailed."""

    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]: ...


def nonce_expired(started_at: datetime | None, now: datetime, window: float) -> bool:
    """Whether Discord may have forgotten the nonce of an attempt begun at `started_at`."""
    return started_at is not None and now - started_at > timedelta(seconds=window)


async def find_post(
    posts: RecentPosts,
    channel_id: int,
    matches: Callable[[RecentPost], bool],
    *,
    since: datetime,
) -> int | None:
    """The id of the bot's newest recent post in the channel that `matches`, made since
    `since` (less a minute for clock skew), or None."""
    earliest = since - timedelta(minutes=1)
    for post in await posts.recent_posts(channel_id, RECENT_POSTS):
        if post.created_at >= earliest and matches(post):
            return post.id
    return None
