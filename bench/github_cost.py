"""Rows 3 and 4: what publishing and idle watching cost against GitHub's rate limit, counted
from the requests the local GitHub received and from its rate-limit counter."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rig import bench_rig, new_process, start, stop
from tests.e2e.harness import Rig

OUTCOME_TIMEOUT = 40.0
QUIET = 1.0  # seconds without GitHub requests that end a measurement
POLL_INTERVAL = 1  # seconds, for the watcher measurement
WINDOW = 30.0  # seconds of idle watching measured
UNCONDITIONAL_WINDOW = 10.0
DEFAULT_POLL_INTERVAL = 60.0
TITLE = "川沿いの散歩"
BODY = "朝、川沿いを歩いた。夜はお茶を飲んだ。"  # the product's default, for the per-hour figure
FIRST_POLL_TIMEOUT = 15.0


@dataclass(frozen=True)
class PublishCost:
    requests: list[str]  # "METHOD /path" of every GitHub request the publish caused
    points: int  # rate-limit points spent
    outcome: str


@dataclass(frozen=True)
class PublishCosts:
    text_only: PublishCost
    labelled_first: PublishCost  # the first publish with labels (the label list is fetched)
    labelled_cached: PublishCost  # the next one, within the label cache's 5 minutes
    contract_violations: int


def requests_per_publish(workdir: Path) -> PublishCosts:
    """Publish a text-only draft, then two drafts with a label, counting GitHub requests."""
    with bench_rig(workdir, contracts=True) as (rig, _):
        start(rig)
        text_only = _publish(rig, None)
        rig.github.add_label("diary")
        labelled_first = _publish(rig, "diary")
        labelled_cached = _publish(rig, "diary")
        violations = len(rig.github.violations) + len(rig.github.unhandled)
    return PublishCosts(text_only, labelled_first, labelled_cached, violations)


def _publish(rig: Rig, labels: str | None) -> PublishCost:
    rig.slash("author", "new", {"title": TITLE, "body": BODY}).wait_final()
    _wait_quiet(rig)
    rig.github.reset_requests()
    before = rig.github.rate_remaining
    options: dict[str, Any] = {"labels": labels} if labels else {}
    outcome = rig.slash("author", "publish", options).wait_followup(OUTCOME_TIMEOUT)
    _wait_quiet(rig)
    requests = [f"{r.method} {r.path}" for r in rig.github.requests]
    return PublishCost(requests, before - rig.github.rate_remaining, outcome.get("content", ""))


def _wait_quiet(rig: Rig, limit: float = 10.0) -> None:
    """Wait until GitHub has seen no request for QUIET seconds (at most `limit`)."""
    deadline = time.monotonic() + limit
    seen, since = len(rig.github.requests), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        count = len(rig.github.requests)
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= QUIET:
            return


@dataclass(frozen=True)
class PollWindow:
    seconds: float
    requests: int  # every GitHub request in the window
    polls: int
    statuses: dict[int, int]  # HTTP status -> count
    points: int  # rate-limit points spent

    @property
    def points_per_poll(self) -> float:
        return self.points / self.polls if self.polls else float("nan")

    def points_per_hour(self, interval: float = DEFAULT_POLL_INTERVAL) -> float:
        """Extrapolated to one hour of polling every `interval` seconds."""
        return self.points_per_poll * 3600 / interval


@dataclass(frozen=True)
class PollingCost:
    present: bool  # False: no poll arrived, the bot has no watcher
    conditional: PollWindow | None = None
    unconditional: PollWindow | None = None  # bench-only switch: If-None-Match stripped


def idle_polling(workdir: Path) -> PollingCost:
    """The watcher with POLL_INTERVAL=1 on a repository where nothing changes; then the same
    with the bench-only switch that strips If-None-Match (a naive unconditional poll)."""
    with bench_rig(workdir, env={"POLL_INTERVAL": str(POLL_INTERVAL)}, contracts=True) as (
        rig,
        _,
    ):
        for number in range(3):
            rig.github.add_issue_from_web(f"Entry {number}", "Written on github.com directly.")
        start(rig, configure=False)
        if not _polls_answered(rig, 2, FIRST_POLL_TIMEOUT):  # the baseline takes two
            return PollingCost(present=False)
        time.sleep(POLL_INTERVAL * 1.5)
        conditional = _window(rig, WINDOW)
        stop(rig)
        new_process(rig, "unconditional", {"BENCH_UNCONDITIONAL_POLL": "1"})
        rig.start_bot()
        _polls_answered(rig, 1, FIRST_POLL_TIMEOUT, fresh=True)
        unconditional = _window(rig, UNCONDITIONAL_WINDOW)
    return PollingCost(True, conditional, unconditional)


def _polls(rig: Rig) -> list[Any]:
    return [
        r
        for r in rig.github.requests
        if r.method == "GET" and r.path.endswith("/issues") and r.status is not None
    ]


def _polls_answered(rig: Rig, count: int, timeout: float, *, fresh: bool = False) -> bool:
    if fresh:
        rig.github.reset_requests()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(_polls(rig)) >= count:
            return True
        time.sleep(0.1)
    return False


def _window(rig: Rig, seconds: float) -> PollWindow:
    rig.github.reset_requests()
    before = rig.github.rate_remaining
    time.sleep(seconds)
    requests = rig.github.requests
    points = before - rig.github.rate_remaining
    polls = _polls(rig)
    statuses = dict(Counter(r.status for r in polls))
    return PollWindow(seconds, len(requests), len(polls), statuses, points)
