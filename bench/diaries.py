"""`python -m bench.diaries`: issue 18's 1,000 connected diaries, watched by the real bot.

The local GitHub serves 1,000 members' repositories (`diarist0000/diary` ...), each with the
app installed and a user token of its own; the database (a real SQLite file, made by
`bot.store.Store`) holds 1,000 member connections with those tokens sealed by `TokenCipher`,
as `/diary connect` leaves them. The real bot process (`python -m bot`, the fake Discord)
then watches, and the bench counts what GitHub saw (per user: requests, rate-limit points,
304s) and what the bot process used (CPU seconds from /proc, peak RSS).

Two variants: polling alone at the default POLL_INTERVAL, and the webhook carrying the events
(signed `issues` deliveries to the bot's endpoint) with polling as the safety net at its longer
interval. Each is measured idle (nothing changes) and with new entries written on GitHub.

Time is compressed, and the output says so: the watcher's timers run faster than the product's
defaults (POLL_INTERVAL=3 for the default 60, 20×; in the webhook variant POLL_INTERVAL=1 and
the bench-only switch BENCH_SAFETY_NET_MINIMUM, so the safety net polls every 10 s for the
default 600, 60×), and entries arrive that much faster too. What a window counts (requests,
points, the bot's CPU beyond its idle rate) stands for `compression` times its length at the
defaults and is scaled to an hour from there. The rest of the bot (heartbeats, job loops) runs
in real time: its CPU is measured in a run with the watcher off and counted once, not scaled.
Announcement delays are wall-clock seconds; with polling they are scaled too (the poll that
finds an entry is what it waits for).

The bench fails, saying so, unless the bot polls every member's repository with that member's
token: it measures the watcher that follows every connected diary (issue 18).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.diaries_report import RESULTS, Measured, Round, Unit, Window, report, write_section
from bench.rig import MeasuredBotProcess, bench_rig, new_process, stop
from bot.models import Owner
from bot.settings import Settings
from bot.store import Store
from bot.token_cipher import TokenCipher, new_key
from bot.webhooks import signature
from bot.workers.watcher import polling_interval
from tests.bot.builders import store_grant
from tests.e2e.harness import Rig
from tests.fakes.github_oauth import repository_json
from tests.fakes.github_server import Recorded

DIARIES = 1000
ENTRIES_PER_HOUR = 200  # in the whole bot: 1,000 diarists, most writing in the same evening hours
DEFAULT_POLL = Settings.poll_interval  # 60 s
DEFAULT_SAFETY_NET = polling_interval(DEFAULT_POLL, webhooks=True)  # 600 s
POLL_COMPRESSION = 20.0  # POLL_INTERVAL=3
SAFETY_NET_COMPRESSION = 60.0  # safety net every 10 s
WINDOW = 30.0  # seconds of wall time per measured window
IDLE_WINDOW = 10.0
LOOK_EVERY = 0.25  # seconds between looks at the announcement channel
BASELINE_TIMEOUT = 240.0
ISSUES_EACH = 2  # entries each repository already has (the watcher's baseline)
SECRET = "bench-webhook-secret-0123456789"
CLIENT_SECRET = "fake-client-secret"
TOKEN_LIFE = 8 * 3600 + 60  # seconds: past a user access token's 8 hours


def _login(number: int) -> str:
    return f"diarist{number:04d}"


class Diaries:
    """The fakes, the database and the bot process for one run of the bench."""

    def __init__(self, rig: Rig, members: list[str], diaries: int, seed: int = 18) -> None:
        self.rig = rig
        self.members = members  # fake Discord member keys, one per diary
        self.logins = [_login(n) for n in range(diaries)]
        self.key = new_key()
        self.random = random.Random(seed)
        self.entries = 0
        self.deliveries = 0

    # ---- setting up --------------------------------------------------------------------------
    def populate(self) -> None:
        """Repositories with a couple of entries each, the app installed, a token per member,
        and the connections in the database."""
        github = self.rig.github
        grants = []
        for login in self.logins:
            repository = f"{login}/diary"
            github.add_repository(repository)
            github.oauth.add_installation(login, [repository], {login: "admin"})
            for day in range(ISSUES_EACH):
                github.add_issue_from_web(
                    f"Day {day}", "Written earlier.", user=login, repository=repository
                )
            grants.append(github.oauth.grant(login))
        for day in range(ISSUES_EACH):
            github.add_issue_from_web(f"Server day {day}", "Written earlier.")
        asyncio.run(self._connect(grants))

    async def _connect(self, grants: list[dict[str, Any]]) -> None:
        cipher = TokenCipher(self.key)
        guild = int(self.rig.discord.world.guild_id)
        now = datetime.now(UTC)
        store = await Store.open(self.rig.database_path)
        try:
            for member, login, grant in zip(self.members, self.logins, grants, strict=True):
                user = int(self.rig.discord.user_id(member))
                owner = Owner(guild, user)
                await store_grant(store, cipher, owner, login, grant, f"{login}/diary", now)
        finally:
            await store.close()

    def env(self, poll_interval: float, **extra: str) -> dict[str, str]:
        github = self.rig.github
        return {
            "POLL_INTERVAL": f"{poll_interval:g}",
            "GITHUB_APP_CLIENT_ID": github.oauth.state.client_id,
            "GITHUB_APP_CLIENT_SECRET": CLIENT_SECRET,
            "TOKEN_ENCRYPTION_KEY": self.key,
            "GITHUB_APP_PUBLIC_LINK": "https://github.com/apps/diary-bot-app",
            "GITHUB_WEB_URL": github.web_url,
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def start(self, name: str, env: dict[str, str]) -> MeasuredBotProcess:
        stop(self.rig)
        process = new_process(self.rig, name, env)
        self.rig.start_bot(timeout=60)
        return process

    # ---- watching ----------------------------------------------------------------------------
    def polled(self) -> set[str]:
        """The users whose repositories the watcher has polled since the usage was reset."""
        return {login for login, used in self.rig.github.usage().items() if used.requests}

    def wait_for_baseline(self) -> None:
        """Wait until the watcher has looked at every member's repository (its baseline)."""
        deadline = time.monotonic() + BASELINE_TIMEOUT
        while len(polled := self.polled() & set(self.logins)) < len(self.logins):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"in {BASELINE_TIMEOUT:.0f} s the watcher polled {len(polled)} of "
                    f"{len(self.logins)} members' diaries: it does not follow every connected "
                    "repository, and this bench measures the one that does"
                )
            time.sleep(0.5)

    def window(
        self,
        seconds: float,
        compression: float,
        *,
        entries: int = 0,
        deliver_to: str | None = None,
        then: float = 0.0,
        until_announced: bool = True,
    ) -> Window:
        """Measure `seconds` of the running bot while `entries` new entries are written on
        GitHub, evenly spread (each one also delivered as a webhook event to `deliver_to`),
        and then up to `then` seconds more (until every entry is announced, unless
        `until_announced` is False): the window counts what finding them cost."""
        rig, process = self.rig, self.rig.bot
        assert isinstance(process, MeasuredBotProcess)
        github = rig.github
        github.reset_usage()
        github.reset_requests()
        refreshes_before = len(github.oauth.requests)
        channel = _Channel(rig)
        server = f"/repos/{github.state.owner}/{github.state.repo}/".lower()
        polled: list[tuple[float, bool]] = []  # (arrival, of the server diary) of every poll

        def stamp(request: Recorded) -> None:
            if request.method == "GET" and request.path.endswith("/issues"):
                polled.append((time.monotonic(), request.path.lower().startswith(server)))

        github.on_request = stamp
        cpu_before, began = process.cpu_seconds(), time.monotonic()
        for number in range(entries):
            channel.look_until(began + (number + 0.5) * seconds / entries)
            channel.written(self._write_entry(deliver_to), time.monotonic())
        channel.look_until(began + seconds)
        channel.look_until(time.monotonic() + then, until_all=until_announced)
        cpu, wall = process.cpu_seconds() - cpu_before, time.monotonic() - began
        github.on_request = None
        recorded = github.requests
        usage = github.usage()
        polls = [r for r in recorded if r.method == "GET" and r.path.endswith("/issues")]
        return Window(
            wall=wall,
            compression=compression,
            bot_cpu=cpu,
            requests=len(recorded),
            polls=len(polls),
            server_polls=sum(r.path.lower().startswith(server) for r in polls),
            rounds=_rounds(polled),
            statuses=dict(Counter(r.status for r in recorded)),
            points={login: u.points for login, u in usage.items()},
            users=len(usage),
            entries=entries,
            announced=len(channel.delays),
            duplicates=channel.duplicates,
            delays=sorted(channel.delays.values()),
            refreshes=len(github.oauth.requests) - refreshes_before,
            delivered=entries if deliver_to else 0,
            peak_rss_kib=process.status_kib("VmHWM"),
            violations=len(github.violations) + len(github.unhandled),
        )

    def _write_entry(self, deliver_to: str | None) -> str:
        """A new entry in a random member's diary, written on github.com by the member."""
        github = self.rig.github
        self.entries += 1
        title = f"New entry {self.entries}"
        login = self.random.choice(self.logins)
        repository = f"{login}/diary"
        number = github.add_issue_from_web(
            title, "Written on github.com.", user=login, repository=repository
        )
        if deliver_to is not None:
            self._deliver(deliver_to, repository, number)
        return title

    def _deliver(self, url: str, repository: str, number: int) -> None:
        """An `issues` `opened` event as GitHub delivers it, signed with the secret."""
        github = self.rig.github
        owner = repository.split("/", 1)[0]
        issue = github.issue_json(number, repository)
        payload = {
            "action": "opened",
            "issue": issue,
            "repository": repository_json(github.state, repository, "admin"),
            "sender": issue["user"],
            "installation": {"id": 1, "node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{owner}"},
        }
        body = json.dumps(payload).encode()
        self.deliveries += 1
        answer = requests.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "GitHub-Hookshot/bench",
                "X-GitHub-Event": "issues",
                "X-GitHub-Delivery": f"00000000-0000-0000-0000-{self.deliveries:012d}",
                "X-Hub-Signature-256": signature(SECRET, body),
            },
            timeout=10,
        )
        if answer.status_code != 202:
            raise RuntimeError(f"delivery refused: {answer.status_code} {answer.text[:200]}")


class _Channel:
    """The announcement channel, looked at every LOOK_EVERY seconds: when each entry written
    during a window was first announced, and how many were announced more than once."""

    def __init__(self, rig: Rig) -> None:
        self._discord = rig.discord
        self._before = len(self._discord.channel_messages("announcements"))
        self._written: dict[str, float] = {}
        self.delays: dict[str, float] = {}  # title -> seconds from writing to announcement
        self.duplicates = 0

    def written(self, title: str, at: float) -> None:
        self._written[title] = at

    def look_until(self, moment: float, *, until_all: bool = False) -> None:
        while True:
            self._look()
            if until_all and len(self.delays) == len(self._written):
                return
            left = moment - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(LOOK_EVERY, left))

    def _look(self) -> None:
        now = time.monotonic()
        posted = self._discord.channel_messages("announcements")[self._before :]
        texts = [json.dumps(message, ensure_ascii=False, default=str) for message in posted]
        counts = Counter(
            title
            for title in self._written
            for text in texts
            if f"{title}]" in text or f'"{title}"' in text
        )
        for title in counts:
            self.delays.setdefault(title, now - self._written[title])
        self.duplicates = sum(n - 1 for n in counts.values())


def measure(
    workdir: Path, diaries: int = DIARIES, window: float = WINDOW, *, expire_tokens: bool = False
) -> Measured:
    """Every phase of the bench, in one set of fakes and one database; with `expire_tokens`,
    also every member's token expiring at once after the polling windows."""
    say = _Say()
    with bench_rig(workdir, members=diaries) as (rig, members):
        bench = Diaries(rig, members, diaries)
        say(f"{diaries} repositories, installations, user tokens and connections")
        bench.populate()

        say(f"the bot with its watcher off, {IDLE_WINDOW:.0f} s (CPU of the rest of the bot)")
        bench.start("idle", bench.env(0))
        idle = bench.window(IDLE_WINDOW, 1.0)

        poll = DEFAULT_POLL / POLL_COMPRESSION
        say(
            f"polling: POLL_INTERVAL={poll:g} (the default {DEFAULT_POLL:g} s compressed "
            f"{POLL_COMPRESSION:g}×); waiting for every diary's baseline"
        )
        bench.start("polling", bench.env(poll))
        rig.github.reset_usage()
        bench.wait_for_baseline()
        say(f"polling, nothing changes: {window:.0f} s")
        polling_idle = bench.window(window, POLL_COMPRESSION)
        count = _entries(window * POLL_COMPRESSION)
        revisit = _revisit(polling_idle, diaries)
        say(
            f"polling, {count} new entries written on GitHub: {window:.0f} s, then until "
            f"announced (a diary is polled again after about {revisit:.0f} s)"
        )
        polling_entries = bench.window(
            window, POLL_COMPRESSION, entries=count, then=revisit * 1.5 + 10
        )

        expired = None
        if expire_tokens:
            say(
                "every member's token expired at once (the local GitHub's clock moved 8 h on): "
                f"{revisit * 1.3 + 5:.0f} s, once round every diary"
            )
            rig.github.oauth.advance(TOKEN_LIFE)
            expired = bench.window(revisit * 1.3 + 5, POLL_COMPRESSION)

        port = _free_port()
        safety = DEFAULT_SAFETY_NET / SAFETY_NET_COMPRESSION
        say(
            f"webhook: safety net every {safety:g} s (the default {DEFAULT_SAFETY_NET:g} s "
            f"compressed {SAFETY_NET_COMPRESSION:g}×)"
        )
        bench.start(
            "webhook",
            bench.env(
                1,
                WEBHOOK_PORT=str(port),
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_HOST="127.0.0.1",
                BENCH_SAFETY_NET_MINIMUM=f"{safety:g}",
            ),
        )
        _wait_listening(port)
        quiet = max(window, 4 * safety + 2)  # complete rounds to time, at least three
        say(f"webhook, nothing changes: {quiet:.0f} s")
        webhook_idle = bench.window(quiet, SAFETY_NET_COMPRESSION)
        count = _entries(window * SAFETY_NET_COMPRESSION)
        revisit = _revisit(webhook_idle, diaries)
        say(
            f"webhook, {count} new entries, each delivered: {window:.0f} s, then {revisit:.0f} s "
            "(until the safety net has polled every diary again)"
        )
        webhook_entries = bench.window(
            window,
            SAFETY_NET_COMPRESSION,
            entries=count,
            deliver_to=f"http://127.0.0.1:{port}/github",
            then=revisit,
            until_announced=False,
        )
    return Measured(
        diaries=diaries,
        entries_per_hour=ENTRIES_PER_HOUR,
        default_poll=DEFAULT_POLL,
        default_safety_net=DEFAULT_SAFETY_NET,
        idle=idle,
        polling=Unit(polling_idle, polling_entries, DEFAULT_POLL),
        webhook=Unit(webhook_idle, webhook_entries, DEFAULT_SAFETY_NET),
        expired=expired,
    )


def _entries(simulated_seconds: float) -> int:
    """Entries written in a window: ENTRIES_PER_HOUR over the time it stands for."""
    return max(1, round(ENTRIES_PER_HOUR * simulated_seconds / 3600))


def _rounds(polled: list[tuple[float, bool]]) -> list[Round]:
    """The watcher's complete rounds among stamped polls: each starts with the server diary's
    poll and ends before the next one."""
    starts = [n for n, (_, server) in enumerate(polled) if server]
    return [
        Round(
            began=polled[a][0],
            work=polled[b - 1][0] - polled[a][0],
            period=polled[b][0] - polled[a][0],
            polls=b - a,
        )
        for a, b in itertools.pairwise(starts)
    ]


def _revisit(window: Window, diaries: int) -> float:
    """Wall seconds the watcher took to come back to a diary in `window`."""
    return diaries * window.wall / max(window.polls - window.server_polls, 1)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class _Say:
    def __init__(self) -> None:
        self.began = time.monotonic()

    def __call__(self, what: str) -> None:
        print(f"[{time.monotonic() - self.began:5.0f} s] {what}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diaries", description=__doc__)
    parser.add_argument("--diaries", type=int, default=DIARIES)
    parser.add_argument("--window", type=float, default=WINDOW, help="seconds per window")
    parser.add_argument(
        "--expire-tokens",
        action="store_true",
        help="after the polling windows, every member's token expires at once (about 1 min more)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="the Markdown file whose section this bench writes ('-': print only)",
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="diary-diaries-") as tmp:
        measured = measure(Path(tmp), args.diaries, args.window, expire_tokens=args.expire_tokens)
    text = report(measured, time.monotonic() - began)
    print(text)
    if str(args.output) != "-":
        write_section(args.output, text)
        print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
