"""AnnouncementService: which channels hear about an entry, and what is queued."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.models import Entry, JobState
from bot.services.announcing import AnnouncementService, excerpt, first_image, readable
from tests.bot.builders import FakeDirectory
from tests.bot.conftest import (
    HOME_CHANNEL,
    HOME_GUILD,
    HOME_OTHER_CHANNEL,
    OTHER_CHANNEL,
    OTHER_GUILD,
)

LONELY_GUILD = 100000000000000003
REPO = "alice/diary"
ENTRY = Entry(
    number=7,
    title="Day 1",
    body="Dear   diary,\n\ntoday was long.\n\n<!-- diary-bot:abc -->",
    url="https://github.com/alice/diary/issues/7",
    labels=("diary",),
    author_name="Alice",
    author_avatar_url=None,
    created_at=datetime(2026, 11, 26, 15, 30, tzinfo=UTC),
)


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory(
        {
            HOME_GUILD: [HOME_CHANNEL, HOME_OTHER_CHANNEL],
            OTHER_GUILD: [OTHER_CHANNEL],
            LONELY_GUILD: [],
        }
    )


def service(store, directory, clock, default=HOME_CHANNEL, template=None) -> AnnouncementService:
    return AnnouncementService(
        store.announcements,
        store.watching,
        store.settings,
        directory,
        clock,
        server_repository=REPO,
        default_channel_id=default,
        blog_url_template=template,
    )


async def test_guild_setting_overrides_the_default_channel(store, directory, clock):
    """A server's own announcement channel wins over the default channel in that server."""
    await store.settings.update_guild_settings(
        HOME_GUILD, clock.now(), announce_channel_id=HOME_OTHER_CHANNEL
    )

    channel = await service(store, directory, clock).channel_for_guild(HOME_GUILD)

    assert channel == HOME_OTHER_CHANNEL


async def test_default_channel_serves_its_own_guild(store, directory, clock):
    """Without a setting, a server uses the default channel when that channel is in it."""
    channel = await service(store, directory, clock).channel_for_guild(HOME_GUILD)

    assert channel == HOME_CHANNEL


async def test_default_channel_of_another_guild_is_not_used(store, directory, clock):
    """Without a setting, a server whose channels do not include the default gets none."""
    channel = await service(store, directory, clock).channel_for_guild(LONELY_GUILD)

    assert channel is None


async def test_no_default_and_no_setting_means_no_channel(store, directory, clock):
    """Without a default channel and without a setting, nothing is announced in a server."""
    channel = await service(store, directory, clock, default=None).channel_for_guild(HOME_GUILD)

    assert channel is None


async def test_target_channels_are_one_per_guild_that_has_one(store, directory, clock):
    """Every server with an announcement channel contributes it once."""
    await store.settings.update_guild_settings(
        OTHER_GUILD, clock.now(), announce_channel_id=OTHER_CHANNEL
    )

    channels = await service(store, directory, clock).target_channels()

    assert sorted(channels) == sorted([HOME_CHANNEL, OTHER_CHANNEL])


async def test_announce_queues_one_pending_announcement_per_channel(store, directory, clock, peek):
    """announce() stores a pending announcement of the entry for each target channel, once."""
    await store.settings.update_guild_settings(
        OTHER_GUILD, clock.now(), announce_channel_id=OTHER_CHANNEL
    )
    announcements = service(store, directory, clock)

    await announcements.announce(ENTRY, REPO)
    await announcements.announce(ENTRY, REPO)

    queued = peek.announcements(ENTRY.number)
    assert [a.channel_id for a in queued] == sorted([HOME_CHANNEL, OTHER_CHANNEL])
    assert all(a.state is JobState.PENDING and a.next_attempt_at == clock.now() for a in queued)


async def test_announcement_links_the_blog_when_a_template_is_set(store, directory, clock):
    """With BLOG_URL_TEMPLATE, the announcement links the blog page of the entry."""
    template = "https://alice.github.io/diary/articles/{number}"

    (planned,) = await service(store, directory, clock, template=template).plan(ENTRY, REPO)

    assert planned.url == "https://alice.github.io/diary/articles/7"


async def test_announcement_links_the_issue_without_a_template(store, directory, clock):
    """Without a template, the announcement links the issue."""
    (planned,) = await service(store, directory, clock).plan(ENTRY, REPO)

    assert planned.url == ENTRY.url


def test_excerpt_hides_markers_and_collapses_whitespace():
    """The excerpt drops HTML comments and joins whitespace into single spaces."""
    assert excerpt(ENTRY.body) == "Dear diary, today was long."


def test_excerpt_drops_image_markdown_and_keeps_the_first_image():
    """Image Markdown is not text: the excerpt leaves it out and the first http(s) image is
    the one the announcement shows; an escaped `\\![` is text, not an image."""
    body = (
        "Heron ![a \\] heron](https://raw.example/a.png) by the river.\n\n"
        '![second](https://raw.example/b.png "title") \\![not](https://x) end'
        "\n\n<!-- diary-bot:k -->"
    )

    assert excerpt(body) == "Heron by the river. \\![not](https://x) end"
    assert first_image(body) == "https://raw.example/a.png"
    assert first_image("![local](assets/a.png) ![web](http://w/b.png)") == "http://w/b.png"
    assert first_image("no images [link](https://l)") is None


def test_unclosed_comment_hides_the_rest_as_github_does():
    """An unclosed `<!--` hides the rest of the body, images included."""
    assert readable("seen <!-- hidden ![a](https://h/a.png)") == ("seen  ", None)


@pytest.mark.parametrize(
    "adversarial",
    [
        "![" * 32768,
        "![a](" * 13107,
        "<!--" * 16384,
        "![" + "\\]" * 32767,
        "![a](" + "\\)" * 32765,
        "![a](b)" * 9362,
        "\\" * 32768 + "![a](b)" * 4681,
    ],
    ids=["opens", "open-parens", "comments", "escaped-brackets", "escaped-parens", "images", "run"],
)
def test_excerpt_of_adversarial_text_takes_linear_time(adversarial):
    """65,536 characters built to make backtracking scanners slow take well under a second
    (a generous bound for a loaded machine; quadratic scanning takes many seconds here)."""
    started = time.perf_counter()
    excerpt(adversarial[:65536])
    assert time.perf_counter() - started < 1.0


def test_excerpt_is_cut_to_its_limit():
    """A long body is cut to the excerpt limit with an ellipsis."""
    text = excerpt("word " * 200, limit=50)

    assert len(text) <= 50 and text.endswith("…")
