"""Entries written on GitHub directly: found by the watcher's polls, announced once, and their
announcements edited when they change; optionally linked only once the blog page is live."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from aiohttp import web

from tests.e2e.harness import Rig, announcements, wait_for_announcements
from tests.e2e.test_schedules import _clock_in as clock_in
from tests.fakes.github_server import Recorded
from tests.fakes.server_thread import ServerThread

INTERVAL = 1  # seconds; the bot accepts POLL_INTERVAL down to 1


def polls(rig: Rig, start: int = 0) -> list[Recorded]:
    """The watcher's answered list requests (sorted by update time) from request `start` on."""
    return [
        r
        for r in rig.github.requests[start:]
        if r.method == "GET"
        and r.path == "/repos/alice/diary/issues"
        and "sort=updated" in r.query
        and r.status is not None
    ]


def wait_for_polls(rig: Rig, count: int, start: int = 0, timeout: float = 20) -> list[Recorded]:
    deadline = time.monotonic() + timeout
    while len(found := polls(rig, start)) < count:
        assert time.monotonic() < deadline, (
            f"fewer than {count} polls:\n{rig.bot and rig.bot.log()}"
        )
        time.sleep(0.05)
    return found


def start_watching(rig: Rig, **env: str) -> None:
    """Start the bot with a short poll interval; return once its baseline is recorded (the
    poll after it has been answered)."""
    rig.extra_env.update({"POLL_INTERVAL": str(INTERVAL), **env})
    rig.start_bot()
    wait_for_polls(rig, 2)


def test_issue_written_on_github_is_announced_once_within_two_polls(rig: Rig) -> None:
    """An issue created on github.com is announced by one of the next two polls, and once."""
    start_watching(rig)
    start = len(rig.github.requests)
    number = rig.github.add_issue_from_web("Rainy day", body="It rained all day.")

    (message,) = wait_for_announcements(rig)

    first_changed = next(i for i, r in enumerate(polls(rig, start)) if r.status == 200)
    assert first_changed < 2
    embed = message["embeds"][0]
    assert embed["title"] == "Rainy day" and "It rained all day." in embed["description"]
    assert embed["url"] == f"https://github.com/alice/diary/issues/{number}"
    wait_for_polls(rig, 3, start)
    assert len(announcements(rig)) == 1


def test_a_restart_announces_nothing_again(rig: Rig) -> None:
    """After a restart on the same database, the entry already announced is not announced
    again."""
    start_watching(rig)
    rig.github.add_issue_from_web("Rainy day", body="It rained.")
    wait_for_announcements(rig)
    assert rig.stop_bot() == 0

    start = len(rig.github.requests)
    rig.start_bot()
    wait_for_polls(rig, 3, start)

    assert len(announcements(rig)) == 1


def test_first_start_on_existing_issues_announces_none(rig: Rig) -> None:
    """A first start on a repository with 30 issues announces none of them."""
    for day in range(30):
        rig.github.add_issue_from_web(f"Day {day}", body="Written before the bot came.")

    start_watching(rig)
    wait_for_polls(rig, 3)

    assert announcements(rig) == []


def test_a_pull_request_is_never_announced(rig: Rig) -> None:
    """A pull request and an issue appear together: only the issue is announced."""
    start_watching(rig)
    rig.github.add_issue_from_web("Fix a typo", body="A pull request.", pull_request=True)
    rig.github.add_issue_from_web("Day 2", body="An entry.")

    wait_for_announcements(rig)
    wait_for_polls(rig, 2, len(rig.github.requests))

    assert [m["embeds"][0]["title"] for m in announcements(rig)] == ["Day 2"]


def test_idle_polls_are_conditional_and_cost_no_rate_limit(rig: Rig) -> None:
    """With nothing changing, every poll sends If-None-Match, gets 304, and spends nothing."""
    rig.github.add_issue_from_web("Day 1", body="An entry.")
    start_watching(rig)
    remaining = rig.github.rate_remaining
    start = len(rig.github.requests)

    idle = wait_for_polls(rig, 3, start)

    assert all(r.headers.get("If-None-Match") and r.status == 304 for r in idle)
    assert rig.github.rate_remaining == remaining


def test_title_change_on_github_edits_the_announcement(rig: Rig) -> None:
    """A title changed on GitHub edits the posted announcement: same message, new title."""
    start_watching(rig)
    number = rig.github.add_issue_from_web("Rainy day", body="It rained.")
    (posted,) = wait_for_announcements(rig)

    rig.github.edit_issue_from_web(number, title="Rainy Sunday")
    rig.discord.wait_for(
        lambda: announcements(rig)[0]["embeds"][0]["title"] == "Rainy Sunday", 20, "edit"
    )

    (edited,) = announcements(rig)
    assert edited["id"] == posted["id"] and edited["edited_timestamp"]
    patches = [r for r in rig.discord.requests if r.method == "PATCH" and "/messages/" in r.path]
    assert len(patches) == 1 and patches[0].json["allowed_mentions"] == {"parse": []}


def test_an_entry_published_from_discord_is_announced_once_with_polling_on(rig: Rig) -> None:
    """With the watcher on, /draft publish still gives one announcement, by the author."""
    start_watching(rig)
    rig.configure_author_role()
    rig.slash("author", "new", {"title": "From Discord", "body": "Written in Discord."})
    rig.slash("author", "publish").wait_final(timeout=15, quiet=0.5)

    (message,) = wait_for_announcements(rig)
    wait_for_polls(rig, 3, len(rig.github.requests))

    assert len(announcements(rig)) == 1
    assert message["embeds"][0]["author"]["name"] != "diarybot-owner"


class Blog:
    """A tiny blog: its article pages answer 404 until they have been asked `until` times."""

    def __init__(self, until: int) -> None:
        self.until = until
        self.asked: list[int] = []  # HTTP status of each answer, in order
        self._lock = threading.Lock()
        self.server = ServerThread(self._app)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/articles/{number}", self._page)
        return app

    async def _page(self, request: web.Request) -> web.Response:
        with self._lock:
            status = 200 if len(self.asked) >= self.until else 404
            self.asked.append(status)
        return web.Response(status=status, text=f"article {request.match_info['number']}")


@pytest.fixture
def blog() -> Iterator[Blog]:
    site = Blog(until=3)
    site.server.start()
    try:
        yield site
    finally:
        site.server.stop()


def test_with_wait_for_page_the_announcement_waits_for_the_live_page(rig: Rig, blog: Blog) -> None:
    """With WAIT_FOR_PAGE=1 the announcement is posted only once the blog page answers 200,
    and links to it."""
    template = f"{blog.server.url}/articles/{{number}}"
    start_watching(rig, BLOG_URL_TEMPLATE=template, WAIT_FOR_PAGE="1")
    number = rig.github.add_issue_from_web("Rainy day", body="It rained.")

    (message,) = wait_for_announcements(rig, timeout=30)

    assert blog.asked[: blog.until] == [404] * blog.until and 200 in blog.asked
    assert message["embeds"][0]["url"] == template.replace("{number}", str(number))


def test_a_strangers_issue_is_not_announced_and_does_not_skip_the_reminder(rig: Rig) -> None:
    """On a public repository a stranger opens an issue: it is not announced and today's
    reminder is still posted; an issue by a collaborator is announced."""
    start_watching(rig)
    start = len(rig.github.requests)
    rig.github.add_issue_from_web("Buy now", body="Cheap pills.", user="mallory")
    wait_for_polls(rig, 3, start)  # two polls after the change
    assert announcements(rig) == []

    reminder = rig.slash("admin", "reminder", {"time": clock_in(2)}, command="diary-admin")
    assert "Saved the daily reminder" in reminder.wait_final()["content"]
    bot_id = rig.discord.world.application_id
    rig.discord.wait_for(
        lambda: any(m["author"]["id"] == bot_id for m in rig.discord.channel_messages("writing")),
        15,
        "the reminder",
    )

    rig.github.set_association("carol", "COLLABORATOR")
    rig.github.add_issue_from_web("Carol's day", body="Sunny.", user="carol")
    (message,) = wait_for_announcements(rig)
    assert message["embeds"][0]["title"] == "Carol's day"
    assert "is not a diary entry" in rig.bot.log()
