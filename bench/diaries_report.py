"""What `bench.diaries` measured, and its report: unit costs measured in compressed time, then
per hour at the product's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.report import Machine, load_average


@dataclass(frozen=True)
class Round:
    """One round of the watcher: the server diary's poll, then the members' diaries due."""

    began: float
    work: float  # seconds from its first poll's arrival to its last's
    period: float  # seconds to the next round's first poll
    polls: int  # the server diary's included


@dataclass(frozen=True)
class Window:
    """One measured stretch of a running bot."""

    wall: float  # seconds it lasted
    compression: float  # how much faster than the defaults the watcher's timer ran
    bot_cpu: float  # CPU seconds the bot process used
    requests: int  # every request GitHub answered
    polls: int  # of them, the watcher's `GET .../issues`
    server_polls: int  # of those, of the server diary: one a round of the watcher
    rounds: list[Round]  # the complete rounds in it
    statuses: dict[int | None, int]
    points: dict[str, int]  # rate-limit points spent, by GitHub user
    users: int  # GitHub users (tokens) that made requests
    entries: int  # new entries written on GitHub during it
    announced: int  # of them, announced in the server's channel
    duplicates: int  # announcements beyond the first of an entry
    delays: list[float]  # wall seconds from writing each entry to its announcement, sorted
    refreshes: int  # requests to the web host's /login endpoints (token refreshes)
    delivered: int  # entries delivered as webhook events too
    peak_rss_kib: int  # the bot's VmHWM at its end
    violations: int  # requests to no route of the local GitHub

    @property
    def all_points(self) -> int:
        return sum(self.points.values())

    @property
    def period(self) -> float:
        """Median seconds from round to round (the window's length if none completed)."""
        return _median([r.period for r in self.rounds]) if self.rounds else self.wall

    @property
    def round_count(self) -> float:
        """Rounds in the window, counting a part of one as that part."""
        return self.wall / self.period if self.period else 0.0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


@dataclass(frozen=True)
class Unit:
    """A variant's two windows (nothing changes; entries arrive) and the watcher's interval
    at the product's defaults."""

    idle: Window
    busy: Window
    interval: float  # POLL_INTERVAL, or the safety net's interval, at the defaults


@dataclass(frozen=True)
class Measured:
    diaries: int
    entries_per_hour: int
    default_poll: float
    default_safety_net: float
    idle: Window  # the bot with its watcher off
    polling: Unit
    webhook: Unit
    expired: Window | None = None  # every member's token expired at once (--expire-tokens)


@dataclass(frozen=True)
class Model:
    """A variant's unit costs: per round of the watcher (from the quiet window) and per entry
    (what the window with entries cost beyond its rounds), and the rounds an hour brings at
    the defaults: the interval plus the time a round's own work took."""

    requests_per_round: float
    member_polls_per_round: float
    points_per_round: float
    cpu_per_round: float
    work: float  # wall seconds a round's polls took, beyond the (compressed) pause
    period: float  # seconds from round to round at the defaults
    requests_per_entry: float
    points_per_entry: float
    cpu_per_entry: float

    @classmethod
    def of(cls, unit: Unit, idle_cpu_rate: float) -> Model:
        quiet, busy = unit.idle, unit.busy
        rounds = max(quiet.round_count, 1e-9)
        own = max(quiet.bot_cpu - idle_cpu_rate * quiet.wall, 0.0)
        work = _median([r.work for r in quiet.rounds]) if quiet.rounds else 0.0
        if quiet.rounds:
            member_polls: float = _median([r.polls - 1 for r in quiet.rounds])
        else:  # no round completed in the window: its polls over the server diary's
            member_polls = (quiet.polls - quiet.server_polls) / max(quiet.server_polls, 1)
        # Requests a round: its polls (counted in complete rounds), and any other request.
        others = (quiet.requests - quiet.polls) / rounds
        per_round = (member_polls + 1 + others, quiet.all_points / rounds, own / rounds)
        entries = max(busy.entries, 1)
        busy_own = max(busy.bot_cpu - idle_cpu_rate * busy.wall, 0.0)
        return cls(
            requests_per_round=per_round[0],
            member_polls_per_round=member_polls,
            points_per_round=per_round[1],
            cpu_per_round=per_round[2],
            work=work,
            period=unit.interval + work,
            # A poll that finds an entry is still one poll: only requests beyond the polls.
            requests_per_entry=(busy.requests - busy.polls) / entries,
            points_per_entry=(busy.all_points - busy.round_count * per_round[1]) / entries,
            cpu_per_entry=(busy_own - busy.round_count * per_round[2]) / entries,
        )

    @property
    def rounds_per_hour(self) -> float:
        return 3600 / self.period

    def hourly(self, idle_cpu_rate: float, entries: float) -> tuple[float, float, float]:
        """(GitHub requests, rate-limit points, bot CPU seconds) an hour at the defaults."""
        rounds = self.rounds_per_hour
        return (
            self.requests_per_round * rounds + self.requests_per_entry * entries,
            self.points_per_round * rounds + self.points_per_entry * entries,
            idle_cpu_rate * 3600 + self.cpu_per_round * rounds + self.cpu_per_entry * entries,
        )


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report(measured: Measured, seconds: float) -> str:
    """The section for bench/RESULTS.md."""
    m = measured
    rate = m.idle.bot_cpu / m.idle.wall if m.idle.wall else 0.0
    polling, webhook = Model.of(m.polling, rate), Model.of(m.webhook, rate)
    rows = [
        ("polling, nothing changes", polling, m.polling.idle, 0),
        (f"polling, {m.entries_per_hour} new entries/h", polling, m.polling.busy, 1),
        ("webhook + safety net, nothing changes", webhook, m.webhook.idle, 0),
        (f"webhook + safety net, {m.entries_per_hour} entries/h", webhook, m.webhook.busy, 1),
    ]
    lines = [
        f"## {m.diaries:,} connected diaries (`python -m bench.diaries`)",
        "",
        "Written by `python -m bench.diaries` (see `bench/diaries.py`). The local GitHub served "
        f"{m.diaries:,} members' repositories, each with the app installed and a user token of "
        f"its own; the database held {m.diaries:,} member connections (tokens sealed with "
        "TokenCipher); the real bot process watched them, with the fake Discord.",
        "",
        *Machine.here().lines(),
        f"- Load average at the end: {load_average()}; the run took {seconds:.0f} s.",
        "",
        f"Per hour at the defaults (POLL_INTERVAL={m.default_poll:g} s; with the webhook, the "
        f"safety net every {m.default_safety_net:g} s), from unit costs measured in compressed "
        "time (below):",
        "",
        "| variant | GitHub requests/h | polls of each diary/h | rate-limit points/h, all "
        "tokens (a token's mean) | bot CPU s/h (of one core) | bot peak RSS | entries announced "
        "(delay at the defaults) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, model, window, busy in rows:
        requests, points, cpu = model.hourly(rate, m.entries_per_hour * busy)
        each = model.member_polls_per_round * model.rounds_per_hour / m.diaries
        lines.append(
            f"| {name} | {requests:,.0f} | {each:.1f} | {points:,.0f} ({points / m.diaries:.2f}) "
            f"| {cpu:,.0f} ({cpu / 36:.1f}%) | {window.peak_rss_kib / 1000:.1f} MB | "
            f"{_announced(window, model, m.polling.busy is window)} |"
        )
    lines += ["", "Measured:", ""]
    lines += _lines("polling", m.polling, polling, rate)
    lines += _lines("webhook", m.webhook, webhook, rate)
    if m.expired is not None:
        lines.append(_expired_line(m.expired, polling, rate))
    lines += [
        f"- The bot with its watcher off: {m.idle.bot_cpu:.2f} CPU s in {m.idle.wall:.0f} s "
        f"({rate * 3600:.0f} s/h: heartbeats and job loops, in real time, counted once in "
        f"each figure above, not scaled); peak RSS {m.idle.peak_rss_kib / 1000:.1f} MB with "
        f"{m.diaries:,} connections in the database. MB = 10^6 bytes.",
    ]
    return "\n".join(lines)


def _announced(window: Window, model: Model, polled: bool) -> str:
    if not window.entries:
        return "—"
    p50, worst = _quantile(window.delays, 0.5), max(window.delays, default=float("nan"))
    if polled:  # waiting for the round that finds it: as many rounds at the defaults
        scale = model.period / ((model.period - model.work) / window.compression + model.work)
        delay = f"p50 {p50 * scale / 60:.1f} / max {worst * scale / 60:.1f} min"
    else:
        delay = f"p50 {p50:.2f} / max {worst:.2f} s, the delivery"
    return f"{window.announced} of {window.entries}, {window.duplicates} twice ({delay})"


def _expired_line(window: Window, polling: Model, rate: float) -> str:
    """Every member's token expired at once: what refreshing them all cost."""
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(window.statuses.items(), key=str))
    own = max(window.bot_cpu - rate * window.wall, 0.0)
    refreshes = max(window.refreshes, 1)
    extra = (own - window.round_count * polling.cpu_per_round) / refreshes * 1000
    return (
        f"- polling, every member's token expired at once (the local GitHub's clock moved 8 h "
        f"on; `--expire-tokens`): {window.wall:.0f} s, {window.round_count:.1f} rounds, "
        f"{window.polls:,} polls, {window.requests:,} API requests ({statuses}), "
        f"{window.refreshes:,} token refreshes (requests to the web host's /login), "
        f"{window.all_points} points; bot {window.bot_cpu:.2f} CPU s, {extra:.1f} ms a refresh "
        "beyond the rounds (the 401, the refresh grant, the new tokens sealed and stored, the "
        "poll again)."
    )


def _lines(name: str, unit: Unit, model: Model, rate: float) -> list[str]:
    out = []
    for window in (unit.idle, unit.busy):
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(window.statuses.items(), key=str))
        own = max(window.bot_cpu - rate * window.wall, 0.0)
        what = "nothing changing" if not window.entries else f"{window.entries} new entries"
        if window.delivered:
            what += " (each delivered as a signed `issues` event)"
        out.append(
            f"- {name}, {what}: {window.wall:.0f} s with the interval "
            f"{unit.interval / window.compression:g} s for {unit.interval:g} s "
            f"({window.compression:g}×): {window.round_count:.1f} rounds (one every "
            f"{window.period:.2f} s), {window.polls:,} polls by "
            f"{window.users:,} tokens, {window.requests:,} requests ({statuses}), "
            f"{window.all_points} points (most by one token: "
            f"{max(window.points.values(), default=0)}), bot {window.bot_cpu:.2f} CPU s "
            f"({own:.2f} beyond the watcher-off rate); token refreshes {window.refreshes}; "
            f"requests to no route {window.violations}."
        )
    out.append(
        f"- {name}, unit costs: a round polls {model.member_polls_per_round:.0f} members' "
        f"diaries and the server diary in {model.work:.2f} s ({model.requests_per_round:.1f} "
        f"requests, {model.points_per_round:.2f} points, {model.cpu_per_round * 1000:.0f} ms "
        f"of bot CPU: {model.cpu_per_round / max(model.requests_per_round, 1) * 1000:.2f} ms "
        f"a poll), so a round every {model.period:.1f} s at the defaults "
        f"({model.rounds_per_hour:.1f} an hour); an entry costs "
        f"{model.requests_per_entry:.2f} requests, {model.points_per_entry:.2f} points and "
        f"{model.cpu_per_entry * 1000:.1f} ms of bot CPU beyond the rounds."
    )
    return out


RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN = "<!-- python -m bench.diaries writes from here to its end marker -->"
END = "<!-- end of what python -m bench.diaries writes -->"


def write_section(path: Path, text: str) -> None:
    """Put `text` between this bench's markers in `path` (appended, with the markers, the
    first time); the rest of the file is left as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        before, rest = old.split(BEGIN, 1)
        new = before + section + rest.split(END, 1)[1]
    else:
        new = f"{old.rstrip()}\n\n{section}\n" if old.strip() else f"{section}\n"
    path.write_text(new, encoding="utf-8")
