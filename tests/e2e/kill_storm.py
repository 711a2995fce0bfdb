"""Publishes with a SIGKILL at a random moment in each: the e2e check (a few kills) and the
bench's row (50) run this same scenario."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass

from bot.store import Store
from tests.e2e.harness import Rig, wait_for_quiet

KILL_COUNT_ENV = "DIARY_KILL_COUNT"
SEED = 13
SLOW_GITHUB = 0.8  # seconds GitHub takes to answer an issue creation
KILL_WITHIN = 2.0  # the kill comes 0 to this many seconds after `/draft publish`
QUIET = 2.0  # seconds without a new issue or post before the counts are taken


@dataclass(frozen=True)
class KillStorm:
    kills: int
    issues: int
    duplicate_issues: int
    announcements: int
    duplicate_announcements: int
    lost_drafts: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.kills} SIGKILLs: {self.issues} issues ({self.duplicate_issues} duplicate), "
            f"{self.announcements} announcements ({self.duplicate_announcements} duplicate), "
            f"{self.lost_drafts} drafts lost, in {self.seconds:.0f} s"
        )


def run_kill_storm(rig: Rig, kills: int, seed: int = SEED) -> KillStorm:
    """`kills` drafts, each published and then the bot SIGKILLed after a seeded random delay
    while GitHub answers slowly; restarted each time; counted once everything is quiet."""
    began = time.monotonic()
    chance = random.Random(seed)
    rig.github.delay(SLOW_GITHUB, method="POST", path_contains="/issues")
    rig.start_bot()
    for n in range(kills):
        rig.slash("owner", "new", {"title": f"Storm {n}", "body": f"Kill {n}."}).wait_final()
        rig.slash("owner", "publish")
        time.sleep(chance.uniform(0, KILL_WITHIN))
        assert rig.bot is not None
        rig.bot.kill()
        rig.start_bot()
    rig.github.delay(0, method="POST", path_contains="/issues")
    deadline = time.monotonic() + 60 + 5 * kills
    while _published(rig) < kills or _counts(rig)[1] < kills:
        assert time.monotonic() < deadline, f"not all published: {_counts(rig)}"
        time.sleep(0.2)
    wait_for_quiet(rig, QUIET)
    titles = Counter(issue["title"] for issue in rig.github.issues())
    posts = Counter(
        m["embeds"][0]["url"] for m in rig.discord.channel_messages("announcements") if m["embeds"]
    )
    return KillStorm(
        kills=kills,
        issues=sum(titles.values()),
        duplicate_issues=sum(count - 1 for count in titles.values()),
        announcements=sum(posts.values()),
        duplicate_announcements=sum(count - 1 for count in posts.values()),
        lost_drafts=kills - _published(rig),
        seconds=time.monotonic() - began,
    )


def _counts(rig: Rig) -> tuple[int, int]:
    return len(rig.github.issues()), len(rig.discord.channel_messages("announcements"))


def _published(rig: Rig) -> int:
    """Drafts the store has as published (read beside the running bot)."""

    async def read() -> int:
        store = await Store.open(rig.database_path)
        try:
            return len(await store.entries.list_published_entries(int(rig.discord.world.guild_id)))
        finally:
            await store.close()

    return asyncio.run(read())
