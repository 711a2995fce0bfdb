"""Posting to channels for the workers (announcements, reminders): each post carries its
stored nonce, and Discord's failures are told apart as permanent, retryable, or of unknown
outcome (then the post is looked for, never guessed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import aiohttp
import discord

from bot import i18n
from bot.client.replies import NO_MENTIONS
from bot.limits import (
    EMBED_AUTHOR,
    EMBED_FIELD_VALUE,
    EMBED_FOOTER,
    EMBED_TITLE,
    EMBED_URL,
    cut,
)
from bot.models import Announcement, EntryState, TrackedAnnouncement
from bot.services.announcing import AnnouncementFailed
from bot.services.posting import RecentPost


class Posting:
    """The AnnouncementSender, RecentPosts and ReminderPoster ports, mixed into DiaryBot
    (which gives `get_partial_messageable`, `user` and `language_of_channel`)."""

    # AnnouncementSender port
    async def send_announcement(self, announcement: Announcement, nonce: str) -> int:
        embed = announcement_embed(
            announcement, await self.language_of_channel(announcement.channel_id)
        )
        channel = self.get_partial_messageable(announcement.channel_id)
        with posting_errors():
            # discord.py sends `enforce_nonce: true` with every nonce.
            message = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS, nonce=nonce)
        return message.id

    # RecentPosts port
    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        """The bot's own messages among the channel's last `limit`, newest first."""
        channel = self.get_partial_messageable(channel_id)
        me = self.user.id if self.user else self.application_id
        with posting_errors():
            messages = [message async for message in channel.history(limit=limit)]
        return [
            RecentPost(
                id=message.id,
                content=message.content,
                links=tuple(embed.url for embed in message.embeds if embed.url),
                created_at=message.created_at,
            )
            for message in messages
            if message.author.id == me
        ]

    async def edit_announcement(
        self, channel_id: int, message_id: int, announcement: TrackedAnnouncement
    ) -> None:
        locale = await self.language_of_channel(channel_id)
        embed = announcement_embed(announcement, locale)
        if announcement.entry_state is not EntryState.OPEN:
            note = i18n.t(locale, f"announcement.{announcement.entry_state.value}")
            footer = i18n.t(
                locale, "announcement.footer_note", number=announcement.issue_number, note=note
            )
            embed.set_footer(text=cut(footer, EMBED_FOOTER))
            if announcement.entry_state is EntryState.DELETED:
                embed.url, embed.description = None, None
        message = self.get_partial_messageable(channel_id).get_partial_message(message_id)
        with posting_errors():
            await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)

    # ReminderPoster port
    async def post_reminder(
        self, channel_id: int, text_for: Callable[[str | None], str], nonce: str
    ) -> int:
        """Post a text in the server's language, without link previews or pings."""
        text = text_for(await self.language_of_channel(channel_id))
        channel = self.get_partial_messageable(channel_id)
        with posting_errors():
            message = await channel.send(
                text, allowed_mentions=NO_MENTIONS, suppress_embeds=True, nonce=nonce
            )
        return message.id


@contextmanager
def posting_errors() -> Iterator[None]:
    """Discord's failures as AnnouncementFailed: permanent when retrying cannot help; outcome
    unknown when Discord may have done it all the same (a 5xx, a timeout, a lost connection)."""
    try:
        yield
    except (discord.Forbidden, discord.NotFound) as error:
        raise AnnouncementFailed(f"{error.status} {error.text}", permanent=True) from None
    except discord.HTTPException as error:
        raise AnnouncementFailed(
            f"{error.status} {error.text}", permanent=False, outcome_unknown=error.status >= 500
        ) from None
    except (OSError, TimeoutError, aiohttp.ClientError) as error:
        raise AnnouncementFailed(
            type(error).__name__, permanent=False, outcome_unknown=True
        ) from None


def announcement_embed(announcement: Announcement, locale: str | None) -> discord.Embed:
    """One embed: title and link, author, excerpt, labels, time; its own words (the labels'
    name, the footer) in the language of `locale` (the server's), the entry's text as written.
    Mentions in it ping nobody: the message is sent with no allowed mentions, and embeds never
    ping anyway."""
    embed = discord.Embed(
        title=cut(announcement.title, EMBED_TITLE),
        url=announcement.url,
        description=announcement.excerpt or None,
        timestamp=announcement.entry_created_at,
        colour=discord.Colour.blurple(),
    )
    embed.set_author(
        name=cut(announcement.author_name, EMBED_AUTHOR), icon_url=announcement.author_avatar_url
    )
    if announcement.labels:
        embed.add_field(
            name=i18n.t(locale, "announcement.labels"),
            value=cut(", ".join(announcement.labels), EMBED_FIELD_VALUE),
        )
    if announcement.image_url and len(announcement.image_url) <= EMBED_URL:
        embed.set_image(url=announcement.image_url)
    embed.set_footer(text=i18n.t(locale, "announcement.footer", number=announcement.issue_number))
    return embed
