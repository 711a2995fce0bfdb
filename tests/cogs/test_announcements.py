"""Announcements posted and edited by the running bot in the fake Discord: their own words
(the labels' name, the footer, the closed/deleted note) in the server's language
(/diary-admin config language:), the entry's own text as written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import i18n
from bot.models import Entry


async def announcements(fake, count: int = 1, changed: Any = None) -> list[dict]:
    """The bot's posts in the announcement channel once there are `count` (and `changed`
    holds for the first), without blocking the bot's event loop."""
    for _ in range(200):
        posts = fake.channel_messages("announcements")
        if len(posts) >= count and (changed is None or changed(posts[0])):
            return posts
        await asyncio.sleep(0.05)
    raise TimeoutError("no announcement")


@pytest.mark.parametrize("language", [None, "en", "ja"])
async def test_announcement_words_follow_the_servers_language(drive, bot, fake_github, language):
    """Posted, then edited when the entry is closed on GitHub: labels' name and footer in the
    server's language (English by default, as the fake server's preferred locale is en-US);
    the title, text and labels as the member wrote them."""
    locale = language or "en"
    if language is not None:
        await drive.slash("owner", "diary-admin", "config", {"language": language})
    fake_github.add_label("travel")
    await drive.slash("owner", "draft", "new", {"title": "Day 1", "body": "Dear diary."})
    await drive.slash("owner", "draft", "labels", {"labels": "travel"})

    published = (await drive.slash("owner", "draft", "publish")).wait_final()
    (post,) = await announcements(drive.fake)

    assert "1" in published["content"]
    (embed,) = post["embeds"]
    assert (embed["title"], embed["description"]) == ("Day 1", "Dear diary.")
    assert embed["fields"] == [
        {"name": i18n.t(locale, "announcement.labels"), "value": "travel", "inline": True}
    ]
    assert embed["footer"]["text"] == i18n.t(locale, "announcement.footer", number=1)

    entry = Entry(
        number=1,
        title="Day 1, revised",
        body="Dear diary, again.",
        url=embed["url"],
        labels=("travel",),
        author_name="owner",
        author_avatar_url=None,
        created_at=datetime.now(UTC),
    )
    await bot.services.announcements.update_entry(
        entry, "alice/diary", closed=True, updated_at=datetime.now(UTC)
    )
    (edited,) = await announcements(
        drive.fake, changed=lambda p: p["embeds"][0]["title"] == "Day 1, revised"
    )

    (embed,) = edited["embeds"]
    assert embed["description"] == "Dear diary, again."
    assert embed["fields"][0]["name"] == i18n.t(locale, "announcement.labels")
    note = i18n.t(locale, "announcement.closed")
    assert embed["footer"]["text"] == i18n.t(
        locale, "announcement.footer_note", number=1, note=note
    )
