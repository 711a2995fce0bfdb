"""Members working at the same time: each member's steps run one after another with a think
time between them, all members at once, driven from one thread. Latency is what the fake
Discord stamps: from writing INTERACTION_CREATE on the gateway to receiving the callback."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench.stats import Summary
from tests.fakes.discord_interactions import Interaction
from tests.fakes.discord_server import FakeDiscord

DRAFT_OPS = ("new", "append", "list", "show")
# One member's working pattern, repeated: 2 new, 6 append, 6 list, 6 show per 20 steps.
PATTERN = ("new", "append", "list", "show", "append", "show", "list", "append", "show", "list")
TITLE = "川沿いの散歩 / A walk by the river"
BODY = "朝、川沿いを歩いた。Cold and bright; the herons were back on the gravel bank."
PARAGRAPH = "夜はお茶を飲んだ。In the evening, tea and a letter to an old friend."
ANSWER_TIMEOUT = 15.0  # a step with no first response by then counts as unanswered
OUTCOME_TIMEOUT = 40.0  # publish: the follow-up with the outcome comes within 20 s or so
WAKE_EVERY = 0.05  # upper bound on how long the driver sleeps between checks
DISCORD_DEADLINE = 3.0


@dataclass(frozen=True)
class Step:
    subcommand: str
    options: dict[str, Any] = field(default_factory=dict)
    until_outcome: bool = False  # publish: the member waits for the follow-up with the result


def drafting_steps(member: str, count: int) -> list[Step]:
    """`count` draft operations following PATTERN."""
    steps = []
    for number in range(count):
        name = PATTERN[number % len(PATTERN)]
        if name == "new":
            options = {"title": f"{TITLE} ({member} #{number})", "body": BODY}
        elif name == "append":
            options = {"text": f"{PARAGRAPH} ({number})"}
        else:
            options = {}
        steps.append(Step(name, options))
    return steps


def publishing_steps(member: str, count: int) -> list[Step]:
    """`count` times: a new draft, then publish it (no labels) and wait for the outcome."""
    steps = []
    for number in range(count):
        options = {"title": f"{TITLE} ({member} #{number})", "body": BODY}
        steps += [Step("new", options), Step("publish", until_outcome=True)]
    return steps


@dataclass(frozen=True)
class Sample:
    op: str  # subcommand
    seconds: float  # dispatch to first response
    interaction_id: str
    dispatched_at: float  # time.monotonic()
    background: bool  # from a background session (the publishers), not the measured members


@dataclass
class Session:
    """One member working through their steps; `background` ones stop when the rest end."""

    member: str
    steps: list[Step]
    think: tuple[float, float]
    rng: random.Random
    background: bool = False
    index: int = 0
    next_at: float = 0.0
    sent_at: float = 0.0
    current: Interaction | None = None

    @property
    def waiting(self) -> bool:
        return self.current is None and self.index < len(self.steps)

    def answered(self) -> bool:
        """Whether the step in flight is complete (read under the fake's lock)."""
        inter = self.current
        if inter is None:
            return False
        if self.steps[self.index].until_outcome:
            return bool(inter.followup_ids)
        return bool(inter.responses)

    def send(self, fake: FakeDiscord, now: float) -> None:
        step = self.steps[self.index]
        self.current = fake.slash(self.member, "draft", step.subcommand, step.options)
        self.sent_at = now

    def finish(self, result: LoadResult, now: float, *, timed_out: bool) -> None:
        step, inter = self.steps[self.index], self.current
        assert inter is not None
        if inter.first_response_seconds is not None and inter.dispatched_at is not None:
            seconds, at = inter.first_response_seconds, inter.dispatched_at
            sample = Sample(step.subcommand, seconds, inter.id, at, self.background)
            result.samples.append(sample)
        else:
            result.unanswered.append(step.subcommand)
        if step.until_outcome and not timed_out:
            result.outcomes += 1
        self.current = None
        self.index += 1
        self.next_at = now + self.rng.uniform(*self.think)

    def overdue(self, now: float) -> bool:
        step = self.steps[self.index]
        limit = OUTCOME_TIMEOUT if step.until_outcome else ANSWER_TIMEOUT
        if step.until_outcome and self.current is not None and not self.current.responses:
            limit = ANSWER_TIMEOUT
        return now - self.sent_at > limit


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    outcomes: int = 0  # publishes whose outcome the member saw
    wall: float = 0.0
    cut_short: bool = False  # the dispatch window ended before every step was sent

    def of(self, ops: Sequence[str] = DRAFT_OPS, *, background: bool = False) -> list[Sample]:
        """The measured members' samples of `ops` (with `background`, the publishers')."""
        return [s for s in self.samples if s.op in ops and s.background == background]

    def latencies(self, ops: Sequence[str] = DRAFT_OPS) -> list[float]:
        return [sample.seconds for sample in self.of(ops)]

    def summary(self, ops: Sequence[str] = DRAFT_OPS) -> Summary:
        return Summary.of(self.latencies(ops))

    def late(self, ops: Sequence[str] = DRAFT_OPS) -> int:
        """The measured members' first responses after Discord's 3-second deadline."""
        return sum(1 for seconds in self.latencies(ops) if seconds > DISCORD_DEADLINE)

    def rate(self) -> float:
        """The measured members' first responses per second."""
        return len(self.of()) / self.wall if self.wall else 0.0


def browsing_steps(member: str) -> list[Step]:
    """Look at one's drafts: list, show, list, show."""
    return [Step("list"), Step("show"), Step("list"), Step("show")]


def members_sessions(
    members: Sequence[str],
    steps: Callable[[str], list[Step]],
    think: tuple[float, float],
    seed: int,
) -> list[Session]:
    """One session per member, each with its own seeded random think times."""
    return [
        Session(member, steps(member), think, random.Random(seed + number))
        for number, member in enumerate(members)
    ]


def publisher_sessions(members: Sequence[str], seed: int) -> list[Session]:
    """Background sessions that publish over and over until the measured members are done."""
    return [
        Session(member, publishing_steps(member, 20), (0.2, 0.5), random.Random(seed + n), True)
        for n, member in enumerate(members)
    ]


def _any_answered(sessions: Sequence[Session]) -> bool:
    return any(session.answered() for session in sessions)


def run(fake: FakeDiscord, sessions: list[Session], *, send_for: float, limit: float) -> LoadResult:
    """Drive `sessions` until the foreground ones are done; no step is sent after `send_for`
    seconds, and nothing is waited for after `limit` seconds."""
    result = LoadResult()
    start = time.monotonic()
    for session in sessions:  # staggered first steps, as members do not start in step
        session.next_at = start + session.rng.uniform(*session.think)
    foreground = [s for s in sessions if not s.background]
    while time.monotonic() - start < limit:
        now = time.monotonic()
        if now - start >= send_for:
            for session in sessions:
                if session.waiting:
                    result.cut_short = result.cut_short or not session.background
                    session.index = len(session.steps)
        if not any(s.waiting or s.current is not None for s in foreground):
            break
        for session in sessions:
            if session.waiting and session.next_at <= now:
                session.send(fake, now)
        busy = [s for s in sessions if s.current is not None]
        upcoming = [s.next_at - now for s in sessions if s.waiting]
        timeout = max(0.001, min([WAKE_EVERY, *upcoming]))
        with contextlib.suppress(TimeoutError):
            fake.wait_for(partial(_any_answered, busy), timeout, "answers")
        now = time.monotonic()
        for session in busy:
            if session.answered():
                session.finish(result, now, timed_out=False)
            elif session.overdue(now):
                session.finish(result, now, timed_out=True)
    result.wall = time.monotonic() - start
    return result
