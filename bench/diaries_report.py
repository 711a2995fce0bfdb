"""What `bench.diaries` measured, and its report: unit costs measured in compressed time, then
per hour at the product's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.report import Machine, load_average


@dataclass(frozen=True)
class Window:
    """One measured stretch of a running bot."""

    wall: float  # seconds it lasted
    simulated: float  # seconds of the product's defaults it stands for (wall × compression)
    bot_cpu: float  # CPU seconds the bot process used
    requests: int  # every request GitHub answered
    polls: int  # of them, the watcher's `GET .../issues`
    statuses: dict[int | None, int]
    points: dict[str, int]  # rate-limit points spent, by GitHub user
    not_modified: int  # requests answered 304
    users: int  # GitHub users (tokens) that made requests
    entries: int  # new entries written on GitHub during it
    announced: int  # of them, announced in the server's channel
    duplicates: int  # announcements beyond the first of an entry
    refreshes: int  # requests to the web host's /login endpoints (token refreshes)
    delivered: int  # of them, delivered as webhook events too
    peak_rss_kib: int  # the bot's VmHWM at its end
    violations: int  # requests against the GitHub API description, or to no route

    @property
    def all_points(self) -> int:
        return sum(self.points.values())


@dataclass(frozen=True)
class Unit:
    """A variant's two windows (nothing changes; entries arrive) and its poll interval at the
    product's defaults."""

    idle: Window
    busy: Window
    interval: float  # seconds between polls of one repository at the defaults


@dataclass(frozen=True)
class Measured:
    diaries: int
    every_diary: bool  # False: only the server diary was watched, the rest extrapolated
    entries_per_hour: int
    default_poll: float
    default_safety_net: float
    idle: Window  # the bot with its watcher off
    polling: Unit
    webhook: Unit


@dataclass(frozen=True)
class Hourly:
    requests: float
    points: float
    points_per_token: float  # on average over the diaries
    busiest_token: float  # points an hour of the diary that spent the most
    cpu: float  # bot CPU seconds an hour


@dataclass(frozen=True)
class Costs:
    """Unit costs of one variant, from its two windows."""

    requests_per_poll: float
    points_per_poll: float
    cpu_per_poll: float
    requests_per_entry: float
    points_per_entry: float
    cpu_per_entry: float
    polls_per_hour: float  # at the defaults, every diary
    keeping_up: float  # polls made / polls the compressed interval asks for

    def hourly(self, idle_cpu_rate: float, diaries: int, entries: float) -> Hourly:
        requests = self.requests_per_poll * self.polls_per_hour + self.requests_per_entry * entries
        points = self.points_per_poll * self.polls_per_hour + self.points_per_entry * entries
        polls_each = self.polls_per_hour / diaries
        return Hourly(
            requests=requests,
            points=points,
            points_per_token=points / diaries,
            # One diarist writing three entries in the hour, the rest as everyone.
            busiest_token=self.points_per_poll * polls_each
            + self.points_per_entry * (3 if entries else 0),
            cpu=idle_cpu_rate * 3600
            + self.cpu_per_poll * self.polls_per_hour
            + self.cpu_per_entry * entries,
        )


FEW_POLLS = 50  # fewer polls than this in a window: its CPU per poll is mostly noise


def costs(
    unit: Unit, idle_cpu_rate: float, watched: int, diaries: int, like: Costs | None = None
) -> Costs:
    """A variant's unit costs; with `like`, its per-poll costs stand in for this variant's
    when this one's window saw too few polls to tell (the same poll either way)."""
    idle, busy = unit.idle, unit.busy
    polls = max(idle.polls, 1)
    per_poll_requests = idle.requests / polls
    per_poll_points = idle.all_points / polls
    per_poll_cpu = max(idle.bot_cpu - idle_cpu_rate * idle.wall, 0.0) / polls
    if like is not None and idle.polls < FEW_POLLS:
        per_poll_requests, per_poll_points = like.requests_per_poll, like.points_per_poll
        per_poll_cpu = like.cpu_per_poll
    entries = max(busy.entries, 1)
    extra_requests = busy.requests - busy.polls * per_poll_requests
    extra_points = busy.all_points - busy.polls * per_poll_points
    extra_cpu = busy.bot_cpu - idle_cpu_rate * busy.wall - busy.polls * per_poll_cpu
    nominal = watched * idle.simulated / unit.interval
    return Costs(
        requests_per_poll=per_poll_requests,
        points_per_poll=per_poll_points,
        cpu_per_poll=per_poll_cpu,
        requests_per_entry=max(extra_requests, 0.0) / entries,
        points_per_entry=max(extra_points, 0.0) / entries,
        cpu_per_entry=max(extra_cpu, 0.0) / entries,
        polls_per_hour=diaries * 3600 / unit.interval,
        keeping_up=idle.polls / nominal if nominal else 0.0,
    )


def report(measured: Measured, seconds: float) -> str:
    """The section for bench/RESULTS.md."""
    m = measured
    rate = m.idle.bot_cpu / m.idle.wall if m.idle.wall else 0.0
    watched = m.diaries if m.every_diary else 1
    polling = costs(m.polling, rate, watched, m.diaries)
    webhook = costs(m.webhook, rate, watched, m.diaries, like=polling)
    machine = Machine.here()
    extrapolated = "" if m.every_diary else " (extrapolated from 1 repository)"
    rows = [
        ("polling, nothing changes", polling.hourly(rate, m.diaries, 0), m.polling.idle),
        (
            f"polling, {m.entries_per_hour} new entries/h",
            polling.hourly(rate, m.diaries, m.entries_per_hour),
            m.polling.busy,
        ),
        (
            "webhook + safety net, nothing changes",
            webhook.hourly(rate, m.diaries, 0),
            m.webhook.idle,
        ),
        (
            f"webhook + safety net, {m.entries_per_hour} entries/h delivered",
            webhook.hourly(rate, m.diaries, m.entries_per_hour),
            m.webhook.busy,
        ),
    ]
    lines = [
        f"## {m.diaries:,} connected diaries (`python -m bench.diaries`)",
        "",
        *machine.lines(),
        f"- Load average at the end: {load_average()}; the run took {seconds:.0f} s.",
    ]
    if not m.every_diary:
        lines += [
            "",
            "**Extrapolated, not measured at scale:** the bot's watcher followed only the server "
            "diary (GITHUB_REPOSITORY); none of the members' repositories was polled. The "
            f"figures below are one repository's measured unit costs times {m.diaries:,}.",
        ]
    lines += [
        "",
        f"Per hour at the defaults (POLL_INTERVAL={m.default_poll:g} s; with the webhook, "
        f"the safety net every {m.default_safety_net:g} s){extrapolated}:",
        "",
        "| variant | GitHub requests/h | rate-limit points/h, all tokens | points per token per "
        "hour (mean; busiest) | bot CPU s/h | bot peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for name, hourly, window in rows:
        lines.append(
            f"| {name} | {hourly.requests:,.0f} | {hourly.points:,.0f} | "
            f"{hourly.points_per_token:.2f}; {hourly.busiest_token:.0f} | {hourly.cpu:,.1f} | "
            f"{window.peak_rss_kib / 1000:.1f} MB |"
        )
    lines += ["", "Measured (unit costs in compressed time; per hour = unit × count an hour):", ""]
    lines += _unit_lines("polling", m.polling, polling, m.default_poll, watched)
    lines += _unit_lines("webhook", m.webhook, webhook, m.default_safety_net, watched)
    lines += [
        f"- The bot with its watcher off: {m.idle.bot_cpu:.2f} CPU s in {m.idle.wall:.0f} s "
        f"({rate * 3600:.0f} s/h: heartbeats and job loops, in real time, counted once in "
        f"each figure above); peak RSS {m.idle.peak_rss_kib / 1000:.1f} MB with "
        f"{m.diaries:,} connections in the database.",
        f"- Busiest token: one diarist writing 3 entries in the hour; the mean spreads "
        f"{m.entries_per_hour} entries over {m.diaries:,} tokens.",
    ]
    return "\n".join(lines)


def _unit_lines(name: str, unit: Unit, c: Costs, interval: float, watched: int) -> list[str]:
    idle, busy = unit.idle, unit.busy
    compression = idle.simulated / idle.wall if idle.wall else 0.0
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(idle.statuses.items(), key=str))
    busy_statuses = ", ".join(f"{k}: {v}" for k, v in sorted(busy.statuses.items(), key=str))
    return [
        f"- {name}: interval {interval:g} s compressed {compression:g}× "
        f"({interval / compression:g} s); nothing changing, {idle.wall:.0f} s brought "
        f"{idle.polls:,} polls of {watched:,} repositories by {idle.users:,} tokens "
        f"({c.keeping_up:.2f} of the polls the interval asks for), {idle.requests:,} "
        f"requests ({statuses}), {idle.all_points} points, bot {idle.bot_cpu:.2f} CPU s: "
        f"{c.requests_per_poll:.2f} requests, {c.points_per_poll:.3f} points and "
        f"{c.cpu_per_poll * 1000:.2f} ms of bot CPU per poll"
        + (" (the polling variant's: too few polls here)" if idle.polls < FEW_POLLS else "")
        + ".",
        f"- {name}, entries: {busy.entries} written on GitHub in {busy.wall:.0f} s"
        + (", each delivered as a signed `issues` event" if busy.delivered else "")
        + f"; {busy.announced} of them announced ({busy.duplicates} twice or more); "
        f"{busy.requests:,} requests "
        f"({busy_statuses}), {busy.all_points} points, bot {busy.bot_cpu:.2f} CPU s: per "
        f"entry {c.requests_per_entry:.2f} requests, {c.points_per_entry:.2f} points, "
        f"{c.cpu_per_entry * 1000:.1f} ms of bot CPU beyond the polls. Token refreshes: "
        f"{idle.refreshes + busy.refreshes}; requests to no route of the local GitHub: "
        f"{idle.violations + busy.violations}.",
    ]


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
