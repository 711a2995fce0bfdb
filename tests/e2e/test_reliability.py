"""Never lose a draft, never publish or announce twice: faults injected at the local servers."""

from __future__ import annotations

import time

import pytest

from bot.limits import KEY_RESERVE
from tests.e2e.harness import Rig, settled_announcements, wait_until


def _write_and_publish(rig: Rig, title: str = "Entry", body: str = "Body text.") -> object:
    rig.slash("owner", "new", {"title": title, "body": body}).wait_final()
    return rig.slash("owner", "publish")


def test_github_502_twice_then_success_gives_one_issue(rig: Rig) -> None:
    """Two 502s are retried with backoff; one issue, one announcement, a success reply."""
    rig.start_bot()
    rig.github.fail_next(2, status=502)
    reply = _write_and_publish(rig).wait_final(timeout=20, quiet=0.5)  # type: ignore[attr-defined]
    assert "#1" in reply["content"]
    assert len(settled_announcements(rig)) == 1  # waits until the fakes are quiet
    assert len(rig.github.issues()) == 1


def test_connection_dropped_after_create_gives_one_issue(rig: Rig) -> None:
    """GitHub creates the issue but the answer is lost: the retry adopts it, no second issue."""
    rig.start_bot()
    rig.github.drop_after_create(1)
    reply = _write_and_publish(rig).wait_final(timeout=20, quiet=0.5)  # type: ignore[attr-defined]
    assert "#1" in reply["content"]
    assert len(settled_announcements(rig)) == 1  # waits until the fakes are quiet
    assert len(rig.github.issues()) == 1


def test_issue_recorded_seconds_after_a_dropped_connection_gives_one_issue(rig: Rig) -> None:
    """GitHub drops the connection and only records the issue 3 s later: the bot looks for
    it once GitHub has settled (GITHUB_SETTLE_SECONDS) and adopts it; no second issue."""
    rig.extra_env["GITHUB_SETTLE_SECONDS"] = "5"
    rig.start_bot()
    rig.github.drop_after_create(1, record_after=3.0)
    reply = _write_and_publish(rig).wait_final(timeout=30, quiet=0.5)  # type: ignore[attr-defined]
    assert "#1" in reply["content"]
    assert len(settled_announcements(rig)) == 1
    assert [issue["number"] for issue in rig.github.issues()] == [1]
    creates = [r for r in rig.github.requests if r.method == "POST" and r.path.endswith("/issues")]
    assert len(creates) == 1


def test_sigkill_during_create_then_restart_gives_one_issue(rig: Rig) -> None:
    """The bot dies right after GitHub received the create; after a restart the job adopts
    the issue: one issue, one announcement, the draft marked published."""
    rig.start_bot()
    rig.github.hold_creates()
    _write_and_publish(rig)
    rig.github.wait_for_request("POST", "/issues", timeout=10)
    assert rig.bot is not None
    rig.bot.kill()
    rig.github.release_creates()  # GitHub finishes creating it, but nobody hears the answer
    wait_until(lambda: len(rig.github.issues()) == 1)
    rig.start_bot()
    assert len(settled_announcements(rig)) == 1
    assert len(rig.github.issues()) == 1
    listing = rig.slash("owner", "list").wait_final()
    assert "published as #1" in listing["embeds"][0]["description"]


def test_announcement_is_posted_once_after_discord_fails_twice(rig: Rig) -> None:
    """Discord answers 503 twice to the announcement: it is retried and posted once."""
    rig.start_bot()
    rig.discord.fail_next_channel_messages("announcements", 2, status=503)
    _write_and_publish(rig).wait_final(timeout=15, quiet=0.5)  # type: ignore[attr-defined]
    assert len(settled_announcements(rig, timeout=30)) == 1
    posts = [r for r in rig.discord.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in posts] == [503, 503, 200]


def test_double_publish_joins_the_job_in_flight(rig: Rig) -> None:
    """Two /draft publish of one draft at once (double click): one issue, both told."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Once", "body": "Only once."}).wait_final()
    rig.github.delay(2, method="POST", path_contains="/issues")
    first = rig.slash("owner", "publish")
    second = rig.slash("owner", "publish")
    for reply in (
        first.wait_final(timeout=20, quiet=0.5),
        second.wait_final(timeout=20, quiet=0.5),
    ):
        assert "#1" in reply["content"]
    assert len(settled_announcements(rig)) == 1  # waits until the fakes are quiet
    assert len(rig.github.issues()) == 1


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ({"token_revoked": True}, "GITHUB_TOKEN"),
        ({"repo_missing": True}, "cannot find the diary repository"),
        ({"issues_disabled": True}, "Issues are turned off"),
        ({"read_only": True}, "Issues: Read and write"),
    ],
    ids=["401", "404", "410", "403"],
)
def test_final_github_errors_explain_and_leave_the_draft(
    rig: Rig, mode: dict[str, bool], expected: str
) -> None:
    """A final GitHub error: a clear reply, the draft unchanged and publishable, no issue."""
    rig.start_bot()
    rig.github.set_mode(**mode)
    reply = _write_and_publish(rig).wait_final(timeout=15, quiet=0.5)  # type: ignore[attr-defined]
    assert expected in reply["content"]
    assert "Traceback" not in reply["content"]
    assert rig.github.issues() == []
    shown = rig.slash("owner", "show").wait_final()
    assert shown["embeds"][0]["description"] == "Body text."
    rig.github.clear_faults()
    again = rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert "#1" in again["content"]


def test_limits_are_checked_before_any_github_request(rig: Rig) -> None:
    """Too long a body and unknown labels are refused with the limit and size, before GitHub
    hears of them."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Long", "body": "x" * 6000}).wait_final()
    length, refused = 6000, None
    for _ in range(12):
        reply = rig.slash("owner", "append", {"text": "y" * 6000}).wait_final()
        length += len("\n\n") + 6000
        if "too long" in reply["content"]:
            refused = reply["content"]
            break
    limit = 65_536 - KEY_RESERVE
    assert refused is not None and str(limit) in refused and str(length) in refused
    assert length > limit >= length - 6002
    rig.github.reset_requests()
    labelled = rig.slash("owner", "publish", {"labels": "nope, bug"}).wait_final(timeout=10)
    assert "nope" in labelled["content"] and "documentation" in labelled["content"]
    assert [r.method for r in rig.github.requests] == ["GET"]  # the label list, nothing else
    assert rig.github.issues() == []


def test_sigterm_during_a_slow_publish_exits_cleanly_and_resumes(rig: Rig) -> None:
    """SIGTERM while GitHub holds the create: exit 0 within 10 s; after a restart the job
    completes with exactly one issue and one announcement."""
    rig.start_bot()
    rig.github.hold_creates()
    _write_and_publish(rig)
    rig.github.wait_for_request("POST", "/issues", timeout=10)
    started = time.monotonic()
    assert rig.stop_bot() == 0
    assert time.monotonic() - started < 10
    rig.github.release_creates()
    rig.start_bot()
    assert len(settled_announcements(rig)) == 1
    assert len(rig.github.issues()) == 1
