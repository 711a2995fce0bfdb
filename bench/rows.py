"""Turn each measurement into its row of the table: result, floor, verdict and notes."""

from __future__ import annotations

import os
import statistics

from bench.drain import CHANNEL, Drain
from bench.github_cost import DEFAULT_POLL_INTERVAL, POLL_INTERVAL, PollingCost, PublishCosts
from bench.latency import GITHUB_HOLD, MEMBERS, NAIVE_SEND_FOR, PUBLISHERS, STEPS, DraftingRun
from bench.process_costs import Memory, Startup
from bench.report import FAIL, Row, verdict
from bench.stalls import FLOOR as STALL_FLOOR
from bench.stalls import Stalls
from bench.store_scale import StoreScale
from bench.throughput import ROUNDS, Throughput
from tests.e2e.kill_storm import KillStorm

P99_FLOOR = 0.100
MAX_FLOOR = 1.0
SLOW_FACTOR = 2.0
BARE_SHARE = 0.5  # diary-bot's commands/s at saturation, at least this share of the bare bot's
SPEED_UP = 2.0  # ... and at least this many times the baseline commit's
STORE_FLOOR = 0.020
RSS_FLOOR_MB = 120.0
RSS_ABOVE_IMPORTS_MB = 30.0  # peak RSS at most this much above a process that only imports
STARTUP_FLOOR = 3.0
LINEAR_FACTOR = 0.5
CREATE_PATH = "POST /repos/alice/diary/issues"


def _mb(kib: int) -> str:
    return f"{kib * 1024 / 1e6:.1f} MB"


def _load_notes(run: DraftingRun) -> list[str]:
    result = run.result
    wall = max(result.wall, 1e-9)
    notes = [
        f"{result.summary().ms()}; {len(result.of())} first responses in {result.wall:.1f} s "
        f"({result.rate():.0f}/s)",
        f"CPU during the run, in cores busy on average: bot {run.bot_cpu / wall:.2f}, bench "
        f"process (fakes and driver) {run.bench_cpu / wall:.2f}, other processes "
        f"{run.other_cpu / wall:.2f}, stolen by the hypervisor {run.steal / wall:.2f} "
        f"(of {_cores()} cores); the bot's event-loop thread waited {run.loop_waited:.2f} s "
        f"in all for a CPU while runnable ({run.loop_waited / max(run.loop_slices, 1) * 1e3:.2f} "
        f"ms per wake-up on average, {run.loop_slices} wake-ups)",
        "per command: "
        + "; ".join(f"{op} p99 {result.summary((op,)).p99 * 1000:.1f} ms" for op in _ops()),
    ]
    if run.breakdown is not None:
        notes.append("where the time went (trace from the bot process):")
        notes.extend(f"  - {line}" for line in run.breakdown.lines())
    problems = []
    if result.unanswered:
        problems.append(f"{len(result.unanswered)} commands got no answer within 15 s")
    if result.late():
        problems.append(f"{result.late()} first responses after Discord's 3 s deadline")
    if run.tracebacks:
        problems.append(f"{run.tracebacks} tracebacks in the bot's log")
    if result.cut_short:
        problems.append("the run was cut short before every command was sent")
    notes.append("; ".join(problems) if problems else "every command answered, none late")
    notes.append(
        f"while the commands ran: {run.stalls.text()}; the fake Discord's own event loop "
        f"(in the bench process, measured the same way) stalled up to "
        f"{run.rig_stall * 1000:.0f} ms: that part of a latency is the rig's, not the bot's"
    )
    return notes


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _ops() -> tuple[str, ...]:
    return ("new", "append", "list", "show")


def latency_row(normal: DraftingRun, repeats: list[DraftingRun]) -> Row:
    summary = normal.result.summary()
    passed = summary.p99 < P99_FLOOR and summary.max < MAX_FLOOR
    passed = passed and not normal.result.unanswered
    think = f"{normal.think[0]:g}–{normal.think[1]:g} s"
    notes = [
        f"{MEMBERS} members (added to the fake guild, each with the Author role) each ran "
        f"{STEPS} commands one after another: 2× `/draft new` (title and body), 6× `append`, "
        f"6× `list`, 6× `show`, waiting for each answer and then a random think time of "
        f"{think} (uniform) before the next; all {MEMBERS} at once.",
        "Latency: from the fake Discord writing INTERACTION_CREATE on the gateway to it "
        "receiving the interaction callback (the first response), stamped by the fake.",
        *_load_notes(normal),
    ]
    if repeats:
        notes.append(
            "The same run repeated as the A side of row 2's pairs: p99 "
            + ", ".join(f"{run.result.summary().p99 * 1000:.1f} ms" for run in repeats)
            + "; saturation (no think time) is row 9."
        )
    return Row(
        1,
        f"Interaction latency, {MEMBERS} members × {STEPS} draft commands",
        summary.ms(),
        f"p99 < {P99_FLOOR * 1000:.0f} ms, max < {MAX_FLOOR:g} s",
        verdict(passed),
        notes,
    )


def slow_github_row(pairs: list[tuple[DraftingRun, DraftingRun]], naive: DraftingRun | None) -> Row:
    base = statistics.median(a.result.summary().p99 for a, _ in pairs)
    held = statistics.median(b.result.summary().p99 for _, b in pairs)
    ratio = held / base
    passed = held <= SLOW_FACTOR * base and not any(b.result.unanswered for _, b in pairs)
    slow = pairs[0][1]
    deferrals = [s.seconds for _, b in pairs for s in b.result.of(("publish",), background=True)]
    notes = [
        f"The same {MEMBERS} members and commands, while {PUBLISHERS} more members publish "
        f"over and over (new draft, `/draft publish`, wait for the outcome) and the local "
        f"GitHub holds every issue creation {GITHUB_HOLD:g} s. The bot's publish worker "
        f"sends one creation at a time, so one publish is at GitHub and the others wait in "
        f"the job queue throughout; {sum(b.issues_created for _, b in pairs)} issues were "
        "created in the B runs.",
        f"Judged on {len(pairs)} interleaved pairs (A = row 1's load with GitHub answering at "
        f"once, B = the same with GitHub slow; A B A B …, each a new bot process and fresh "
        f"fakes): median p99 of B {held * 1000:.1f} ms against median p99 of A "
        f"{base * 1000:.1f} ms. A single pair varies a lot on a shared machine, which is why "
        "the medians are compared:",
        *(_pair_line(number, a, b) for number, (a, b) in enumerate(pairs, 1)),
        f"The publishers' {len(deferrals)} `/draft publish` commands were acknowledged "
        f"(deferred) within {max(deferrals, default=float('nan')) * 1000:.1f} ms; only the "
        f"{MEMBERS} members' draft commands are in the row.",
        "The first B run in detail:",
        *_load_notes(slow),
    ]
    result = (
        f"median p99 {held * 1000:.1f} ms vs {base * 1000:.1f} ms: {ratio:.2f}× "
        f"({len(pairs)} pairs)"
    )
    if naive is None:
        notes.append("Naive variant: not measured (it failed; see the bench's output).")
    else:
        blocked = naive.result.summary()
        result += f"; naive on-loop p99 {blocked.p99:.1f} s ({blocked.p99 / held:.0f}×)"
        notes.append(
            f"Naive variant (bench-only switch `BENCH_GITHUB_ON_LOOP=1`: `bot.threads."
            f"run_in_thread` replaced by a direct call, so PyGithub runs on the event loop), "
            f"same load, commands sent for at most {NAIVE_SEND_FOR:g} s: {blocked.ms()}, p99 "
            f"{blocked.p99 / held:.0f}× the threaded bot's; {naive.result.late()} of "
            f"{blocked.count} first responses missed Discord's 3 s deadline (the fake refused "
            f"{naive.late_callbacks} callbacks as too late, counting the bot's retries through "
            f"its error route); {naive.stalls.text()} (expected: it blocks on purpose)."
        )
    return Row(
        2,
        f"Latency while GitHub holds each publish {GITHUB_HOLD:g} s",
        result,
        "median p99 of B ≤ 2× median p99 of A",
        verdict(passed),
        notes,
    )


def _pair_line(number: int, a: DraftingRun, b: DraftingRun) -> str:
    first, second = a.result.summary(), b.result.summary()
    return (
        f"  - pair {number}: A p99 {first.p99 * 1000:.1f} ms (max {first.max * 1000:.0f} ms, "
        f"loop stall {a.stalls.longest * 1000:.0f} ms, rig's {a.rig_stall * 1000:.0f} ms), "
        f"B p99 {second.p99 * 1000:.1f} ms (max {second.max * 1000:.0f} ms, loop stall "
        f"{b.stalls.longest * 1000:.0f} ms, rig's {b.rig_stall * 1000:.0f} ms); "
        f"B/A {second.p99 / first.p99:.2f}×; other processes {_others(a):.2f} / "
        f"{_others(b):.2f} cores"
    )


def _others(run: DraftingRun) -> float:
    return run.other_cpu / max(run.result.wall, 1e-9)


def throughput_row(tp: Throughput, diary_row1: DraftingRun) -> Row:
    bare_name, diary_name = tp.programs[0], tp.programs[-1]
    base_name = tp.programs[1] if len(tp.programs) == 3 else None
    diary, bare = tp.median_rate(diary_name), tp.median_rate(bare_name)
    share = diary / bare
    passed = share >= BARE_SHARE
    result = f"diary-bot {diary:.0f}/s = {share:.2f} of the bare bot's {bare:.0f}/s"
    floor = f"≥ {BARE_SHARE:g} of the bare bot's, ≥ {SPEED_UP:g}× the baseline's"
    if base_name is not None:
        base = tp.median_rate(base_name)
        speed_up = diary / base
        passed = passed and speed_up >= SPEED_UP
        result += f"; {speed_up:.2f}× the baseline's {base:.0f}/s"
    notes = [
        f"Saturation: the {MEMBERS} members of row 1 with no think time (each sends the next "
        f"command as soon as the last is answered, {MEMBERS} in flight), {MEMBERS * STEPS} "
        f"commands a run. {ROUNDS} rounds, each running the programs one after another in "
        "this order, so that a busy moment of the shared machine falls on all alike; the "
        "medians are judged:",
    ]
    for name in tp.programs:
        runs = tp.runs.get(name, [])
        notes.append(
            f"  - {name}: "
            + "; ".join(
                f"{run.result.rate():.0f}/s, p99 {run.result.summary().p99 * 1000:.0f} ms, "
                f"{cost * 1000:.2f} ms CPU a command, bot "
                f"{run.bot_cpu / max(run.result.wall, 1e-9):.2f} cores, others "
                f"{_others(run):.2f}"
                for run, cost in zip(runs, tp.cpu_per_command(name), strict=True)
            )
            + f" — median {tp.median_rate(name):.0f}/s, p99 {tp.median_p99(name) * 1000:.0f} ms, "
            f"{tp.median_cpu(name) * 1000:.2f} ms CPU a command"
        )
    cpu_note = (
        f"CPU the bot process used per command (median): diary-bot "
        f"{tp.median_cpu(diary_name) * 1000:.2f} ms, the bare bot "
        f"{tp.median_cpu(bare_name) * 1000:.2f} ms"
    )
    if base_name is not None:
        cpu_note += (
            f", the baseline {tp.median_cpu(base_name) * 1000:.2f} ms (diary-bot needs "
            f"{tp.median_cpu(diary_name) / tp.median_cpu(base_name):.2f} of it)"
        )
    notes.append(
        cpu_note + ". On a machine shared with other work the commands/s follow the share of "
        "the cores each run got (the bot's cores above); the CPU a command costs does not."
    )
    notes.append(
        f"p99 at saturation: diary-bot {tp.median_p99(diary_name) * 1000:.0f} ms, the bare bot "
        f"{tp.median_p99(bare_name) * 1000:.0f} ms (diary-bot's is "
        f"{tp.median_p99(diary_name) / tp.median_p99(bare_name):.2f}× the bare bot's)."
    )
    bare_run = tp.bare_at_row1_load
    if bare_run is not None:
        ours, theirs = diary_row1.result.summary(), bare_run.result.summary()
        notes.append(
            f"At row 1's load (think time {diary_row1.think[0]:g}–{diary_row1.think[1]:g} s): "
            f"the bare bot {theirs.ms()}, {bare_run.result.rate():.0f}/s; diary-bot's p99 "
            f"(row 1) is {ours.p99 / theirs.p99:.2f}× the bare bot's and its throughput "
            f"{diary_row1.result.rate() / bare_run.result.rate():.2f} of it (both set by the "
            "members' think time)."
        )
    notes.append(
        "The bare bot (`bench/bare_bot.py`) is a `discord.Client` with diary-bot's intents "
        "that syncs a `/draft` command of the same shape and answers every interaction with "
        "one fixed ephemeral reply: what discord.py and the rig allow on this machine."
    )
    if base_name is None:
        notes.append(f"Baseline: not measured ({tp.baseline_error}).")
    else:
        notes.append(
            f"Baseline: `{base_name}` is diary-bot's `bot/` and `cogs/` at that commit (main "
            "before issue 17: settings read from SQLite on every interaction, several "
            "aiosqlite hops per store call, one connection for reads and writes), extracted "
            "with `git archive` and run by the same rig."
        )
    return Row(
        9,
        "Throughput at saturation against a bare discord.py bot",
        result,
        floor,
        verdict(passed),
        notes,
    )


def stalls_row(entries: list[tuple[str, Stalls]]) -> Row:
    measured = [(name, s) for name, s in entries if s.monitored]
    worst_name, worst = max(measured, key=lambda item: item[1].longest, default=("", None))
    passed = bool(measured) and all(s.passed for _, s in measured)
    own = max((s.longest_own for _, s in measured), default=0.0)
    result = (
        f"worst {worst.longest * 1000:.0f} ms (row {worst_name}); without the waits for a "
        f"CPU at most {own * 1000:.0f} ms"
        if worst is not None
        else "not measured"
    )
    notes = [
        "Bench-only switch `BENCH_STALLS=FILE` (`bench/sitecustomize`): in every bot process "
        "the bench starts, a task on the event loop sleeps 10 ms over and over and writes "
        "down how late it wakes; a stall is that lateness. Rows 1 and 2 count the window in "
        "which the commands ran; the others the whole life of their bot processes, start-up "
        "included. Beside each, the longest stall once the time the loop thread spent "
        "runnable but without a CPU is taken off (from /proc's schedstat): the part the "
        "bot's own code, its threads or the GIL caused, rather than other processes.",
        *(f"  - row {name}: {s.text()}" for name, s in entries),
    ]
    return Row(
        10,
        "Longest event-loop stall in each row",
        result,
        f"≤ {STALL_FLOOR * 1000:.0f} ms in every row",
        verdict(passed),
        notes,
    )


def publish_row(costs: PublishCosts) -> Row:
    text = costs.text_only
    passed = text.requests == [CREATE_PATH] and text.points == 1
    labelled, cached = costs.labelled_first, costs.labelled_cached
    notes = [
        f"A text-only draft published with `/draft publish` (no labels): GitHub saw "
        f"{_listing(text.requests)}, and its rate-limit counter fell by {text.points}. "
        f"Outcome shown to the member: “{text.outcome[:80]}”.",
        f"With `labels:diary`: the first labelled publish cost {len(labelled.requests)} "
        f"requests ({_listing(labelled.requests)}; the label list is cached for 5 minutes), "
        f"the next one {len(cached.requests)} ({_listing(cached.requests)}); "
        f"{labelled.points} and {cached.points} rate-limit points.",
        "Counted from FakeGitHub.requests between the command and 1 s of GitHub silence "
        "after the outcome; the announcement that follows goes to Discord only. Watcher "
        f"off (POLL_INTERVAL=0); contract violations: {costs.contract_violations}.",
    ]
    return Row(
        3,
        "GitHub requests per publish (text only)",
        f"{len(text.requests)} request ({_listing(text.requests)}), {text.points} point",
        "exactly 1 (the create), no repository GET",
        verdict(passed),
        notes,
    )


def _listing(requests: list[str]) -> str:
    return ", ".join(f"`{r}`" for r in requests) or "nothing"


def polling_row(polling: PollingCost) -> Row:
    measured = "Idle polling cost (rate-limit points per hour)"
    floor = "0 points/h while nothing changes"
    if not polling.present or polling.conditional is None:
        notes = [
            "No GET of the issues list reached the local GitHub within 15 s of start-up "
            "with POLL_INTERVAL=1."
        ]
        return Row(4, measured, "not measured: watcher not present", floor, "not measured", notes)
    window, naive = polling.conditional, polling.unconditional
    per_hour = window.points_per_hour()
    naive_hour = naive.points_per_hour() if naive is not None else float("nan")
    result = (
        f"{per_hour:.0f} points/h at POLL_INTERVAL={DEFAULT_POLL_INTERVAL:.0f} "
        f"(naive unconditional poll: {naive_hour:.0f} points/h)"
    )
    notes = [
        f"POLL_INTERVAL={POLL_INTERVAL}, a repository with 3 issues and no changes: after the "
        f"watcher's baseline, {window.seconds:.0f} s brought {window.polls} polls "
        f"(statuses {window.statuses}), {window.requests} GitHub requests in all, and "
        f"{window.points} rate-limit points spent: {window.points_per_poll:.2f} per poll, so "
        f"{per_hour:.0f} points/h at the default 60 s (60 polls, {per_hour:.0f} points).",
    ]
    if naive is not None:
        notes.append(
            f"Naive (bench-only switch `BENCH_UNCONDITIONAL_POLL=1` strips If-None-Match from "
            f"every request): {naive.seconds:.0f} s brought {naive.polls} polls (statuses "
            f"{naive.statuses}), {naive.points} points: {naive.points_per_poll:.2f} per poll, "
            f"{naive_hour:.0f} points/h at 60 s; computed: 1 point per poll = 60 points/h "
            "(1.2% of the 5,000/h a token gets)."
        )
    return Row(4, measured, result, floor, verdict(window.points == 0), notes)


def store_row(scale: StoreScale) -> Row:
    summaries = (scale.append, scale.listing, scale.published_listing, scale.published_create)
    passed = all(summary.p99 < STORE_FLOOR for summary in summaries)
    built = scale.built
    notes = [
        f"Built with `bot.store.Store` itself: {built.drafts:,} drafts via `add_draft`, each "
        f"followed by 9 `append_to_draft` calls, in {built.seconds:.0f} s (in a separate "
        f"process while rows 3 and 4 ran): {built.revisions:,} revisions, {built.size_mb:.0f} MB "
        f"on disk; 200 drafts for each of {MEMBERS} members of one server. One more member "
        f"has {built.published:,} published entries (each through a completed publish job) "
        "and no draft.",
        f"append = `DraftService.append` as `/draft append` calls it (alternately the latest "
        f"draft and a random one of the member's): {scale.append.ms()}.",
        f"list = `DraftService.list` + `Store.count_drafts` as `/draft list` calls them "
        f"(25 newest drafts): {scale.listing.ms()}.",
        f"For the member with {built.published:,} published entries: list "
        f"{scale.published_listing.ms()}; `DraftService.create` (counts the unpublished drafts "
        f"against the limit of 500, then inserts) {scale.published_create.ms()}.",
        "Timed in the bench process on a fresh connection, for random members.",
    ]
    result = (
        f"append p99 {scale.append.p99 * 1000:.1f} ms, list p99 {scale.listing.p99 * 1000:.1f} ms"
        f"; with {built.published:,} published: list p99 "
        f"{scale.published_listing.p99 * 1000:.1f} ms, new p99 "
        f"{scale.published_create.p99 * 1000:.1f} ms"
    )
    return Row(
        5,
        f"Store at 10,000 drafts / 100,000 revisions (+{built.published:,} published)",
        result,
        f"p99 < {STORE_FLOOR * 1000:.0f} ms each",
        verdict(passed),
        notes,
    )


def memory_row(startup: Startup, memory: Memory, floor_kib: int) -> Row:
    limit = RSS_FLOOR_MB * 1e6 / 1024
    above = RSS_ABOVE_IMPORTS_MB * 1e6 / 1024
    peaks = (startup.peak_rss_kib, memory.peak_rss_kib)
    passed = all(peak < limit and peak - floor_kib <= above for peak in peaks)
    notes = [
        f"Peak RSS (VmHWM) of the bot process after start (ready, one interaction "
        f"answered): {_mb(startup.peak_rss_kib)}.",
        f"Started on the 10,000-draft database of row 5, after {memory.operations} "
        f"`/draft list` and `/draft show` by its {MEMBERS} members: peak "
        f"{_mb(memory.peak_rss_kib)} (current RSS {_mb(memory.rss_kib)}).",
        f"Floor for comparison: a process that only imports discord.py, PyGithub and "
        f"aiosqlite peaks at {_mb(floor_kib)}; the bot adds "
        f"{_mb(startup.peak_rss_kib - floor_kib)} at start and "
        f"{_mb(memory.peak_rss_kib - floor_kib)} with 10,000 drafts (floor: at most "
        f"{RSS_ABOVE_IMPORTS_MB:.0f} MB above it).",
        "MB = 10^6 bytes.",
    ]
    result = (
        f"{_mb(startup.peak_rss_kib)} after start, {_mb(memory.peak_rss_kib)} with 10,000 "
        f"drafts (imports only: {_mb(floor_kib)})"
    )
    floor = f"< {RSS_FLOOR_MB:.0f} MB, ≤ {RSS_ABOVE_IMPORTS_MB:.0f} MB above imports only"
    return Row(6, "Peak RSS of the bot", result, floor, verdict(passed), notes)


def startup_row(startup: Startup) -> Row:
    passed = startup.first_answer < STARTUP_FLOOR
    on_ready = "not seen" if startup.on_ready is None else f"{startup.on_ready:.2f} s"
    notes = [
        "On a new database, so the commands are synced (the bot skips the sync when its "
        "commands are unchanged since the last start). Seconds after the process started:",
        f"  - commands synced (PUT received by the fake; the bot syncs in `setup_hook`, "
        f"before it connects to the gateway): {startup.synced:.2f} s",
        f"  - IDENTIFY received: {startup.identified:.2f} s",
        f"  - READY and GUILD_CREATE sent: {startup.ready_sent:.2f} s",
        f"  - first interaction answered (a `/draft list` sent right after READY): "
        f"{startup.first_answer:.2f} s — the judged figure",
        f"  - `on_ready` (the bot's log line): {on_ready}; discord.py dispatches it only after "
        "2 s without another GUILD_CREATE (`guild_ready_timeout`), but it answers "
        "interactions before that.",
    ]
    result = (
        f"first answer {startup.first_answer:.2f} s (synced {startup.synced:.2f} s, "
        f"IDENTIFY {startup.identified:.2f} s, on_ready {on_ready})"
    )
    return Row(
        7,
        "Start-up to ready with commands synced",
        result,
        f"< {STARTUP_FLOOR:g} s to the first answered interaction",
        verdict(passed),
        notes,
    )


def failed_row(number: int, measured: str, floor: str, error: BaseException) -> Row:
    """A row whose measurement itself broke (e.g. the bot did not start)."""
    reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return Row(number, measured, f"not measured ({reason[:120]})", floor, FAIL, [str(error)[:2000]])


def kills_row(storm: KillStorm) -> Row:
    passed = (storm.duplicate_issues, storm.duplicate_announcements, storm.lost_drafts) == (0, 0, 0)
    return Row(
        8,
        "Publishes cut by a SIGKILL at a random moment",
        f"{storm.duplicate_issues} duplicate issues, {storm.duplicate_announcements} duplicate "
        f"announcements, {storm.lost_drafts} lost drafts ({storm.kills} kills)",
        "0 duplicates, 0 lost",
        verdict(passed),
        [
            storm.summary(),
            "Each draft published with `/draft publish`, then the bot SIGKILLed after a seeded "
            "random 0-2 s while GitHub takes 0.8 s per issue creation, and restarted; counted "
            "once GitHub and Discord were quiet. The same scenario runs in the e2e suite with "
            "DIARY_KILL_COUNT kills (5 by default).",
        ],
    )


def drain_row(runs: list[Drain]) -> Row:
    small, large = runs[0], runs[-1]
    passed = large.rate >= LINEAR_FACTOR * small.rate
    return Row(
        11,
        "Queued announcements drained",
        ", ".join(f"{run.rate:.0f} jobs/s at {run.queued:,} queued" for run in runs),
        f"linear: jobs/s at {large.queued:,} ≥ {LINEAR_FACTOR:g}× jobs/s at {small.queued:,}",
        verdict(passed),
        [
            f"{run.queued:,} announcements queued (due now, as after an outage) in channel "
            f"{CHANNEL}, then the real `AnnounceWorker` posting all of them: {run.seconds:.2f} s."
            for run in runs
        ]
        + [
            "Real store on a SQLite file; Discord replaced by a sender that answers at once, so "
            "this is the queue's own cost per job: after each job the loop looks up only the "
            "job due next (one indexed `LIMIT 1` query), not every pending row.",
        ],
    )
