"""Bench-only switches for the bot subprocess; the product and the tests never use them.

`bench/rig.py` puts this directory on the bot's PYTHONPATH *after* `tests/fakes/sitecustomize`:
that one is imported as `sitecustomize` and runs the one it shadows, which is this one; this
one in turn runs the next `sitecustomize` on `sys.path` after its own directory, if any.

- `BENCH_GITHUB_ON_LOOP=1`: `bot.threads.run_in_thread` calls the function directly, on the
  event loop (the naive design the product avoids), so PyGithub blocks the loop.
- `BENCH_UNCONDITIONAL_POLL=1`: every HTTP request made with `requests` (PyGithub's transport)
  goes out without `If-None-Match`, so the watcher's polls can never be answered 304.
- `BENCH_TRACE=FILE`: stamps when each interaction reaches the bot and when its callback
  leaves (see `_Tracer`), so the bench can tell time in the bot from time in the fakes.
- `BENCH_STALLS=FILE`: a loop-stall monitor (see `_StallMonitor`): a task on the bot's event
  loop sleeps 10 ms over and over and writes down every wake-up more than 2 ms late; a
  watchdog thread writes the event-loop thread's stack to `FILE.stacks` while a stall lasts.
- `BENCH_SAFETY_NET_MINIMUM=SECONDS`: `bot.workers.watcher.SAFETY_NET_MINIMUM` (the shortest
  pause between the safety-net polls while webhooks deliver, 600 s) set to SECONDS, so
  `bench.diaries` can run the webhook variant's polls in compressed time.
- `BENCH_PROFILE=FILE`: cProfile (in thread CPU time) on the main thread, where the event loop
  runs, from start-up to exit; written to FILE (`pstats` format) when the process exits
  (`python -m bench.cpu --profile`).

With none set this module patches nothing.
"""

from __future__ import annotations

import atexit
import importlib.abc
import importlib.machinery
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any


def _chain_next_sitecustomize() -> None:
    """Run the next `sitecustomize` on `sys.path` after this directory, if there is one."""
    here = os.path.dirname(os.path.abspath(__file__))
    entries = [os.path.abspath(p or os.curdir) for p in sys.path]
    if here not in entries:
        return
    after = sys.path[entries.index(here) + 1 :]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", after)
    if spec is None or spec.loader is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _github_on_loop(module: Any) -> None:
    async def run_on_loop(call: Callable[[], Any], **_: Any) -> Any:
        return call()

    module.run_in_thread = run_on_loop


def _unconditional_requests(module: Any) -> None:
    original = module.Session.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        request.headers.pop("If-None-Match", None)
        return original(self, request, **kwargs)

    module.Session.send = send


class _Tracer:
    """`BENCH_TRACE=FILE`: one line per interaction event, stamped with `time.monotonic()`:
    `ID frame T` (the gateway frame carrying INTERACTION_CREATE arrived), `ID parsed T`
    (discord.py parsed it), `ID send T` (the callback is about to be sent)."""

    def __init__(self, path: str) -> None:
        # Buffered (a write per line would cost the bot a system call per event), flushed
        # when the process exits; the bench reads the file only after the bot stopped.
        self._out = open(path, "a", buffering=1 << 20, encoding="utf-8")
        atexit.register(self._out.flush)
        self._frame_at = 0.0

    def gateway(self, module: Any) -> None:
        original = module.DiscordWebSocket.received_message
        tracer = self

        async def received_message(self: Any, msg: Any, /) -> Any:
            tracer._frame_at = time.monotonic()
            return await original(self, msg)

        module.DiscordWebSocket.received_message = received_message

    def state(self, module: Any) -> None:
        original = module.ConnectionState.parse_interaction_create
        tracer = self

        def parse_interaction_create(self: Any, data: Any) -> Any:
            now = time.monotonic()
            tracer._out.write(f"{data['id']} frame {tracer._frame_at:.6f}\n")
            tracer._out.write(f"{data['id']} parsed {now:.6f}\n")
            return original(self, data)

        module.ConnectionState.parse_interaction_create = parse_interaction_create

    def webhook(self, module: Any) -> None:
        original = module.AsyncWebhookAdapter.create_interaction_response
        tracer = self

        def create_interaction_response(self: Any, interaction_id: Any, *a: Any, **kw: Any) -> Any:
            tracer._out.write(f"{interaction_id} send {time.monotonic():.6f}\n")
            return original(self, interaction_id, *a, **kw)

        module.AsyncWebhookAdapter.create_interaction_response = create_interaction_response


def _runqueue_wait(fd: int) -> float:
    """Seconds this thread has been runnable but waiting for a CPU (Linux schedstat, kept
    open: one pread a wake-up)."""
    try:
        return int(os.pread(fd, 128, 0).split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class _StallMonitor:
    """`BENCH_STALLS=FILE`: started with the client's `login` (the first thing `start` awaits),
    on the bot's own loop. Each line is `T LATE WAITED`: the monotonic time the sleep began,
    how many seconds later than 10 ms it woke, and how long of that period the loop thread was
    runnable but had no CPU (other processes had the cores: not the bot's doing). The bench
    keeps the lines inside a run's window."""

    PERIOD = 0.010
    NOTED = 0.002  # only later wake-ups are written (the file stays small)
    STACK_AFTER = 0.040  # the watchdog writes the loop thread's stack past this
    WATCH_EVERY = 0.020  # how often it looks (each look takes the GIL from the loop)

    def __init__(self, path: str) -> None:
        self._path = path
        self._out = open(path, "a", buffering=1, encoding="utf-8")  # open while the process lives
        self._beat = 0.0
        self._started = False

    def client(self, module: Any) -> None:
        original = module.Client.login
        monitor = self

        async def login(self: Any, token: str) -> Any:
            monitor.start()
            return await original(self, token)

        module.Client.login = login

    def start(self) -> None:
        import asyncio
        import threading

        if self._started:
            return
        self._started = True
        self._beat = time.monotonic()
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._watch(), name="bench-stall-monitor")
        loop_thread = threading.get_ident()
        threading.Thread(
            target=self._watchdog, args=(loop_thread,), name="bench-stall-watchdog", daemon=True
        ).start()

    async def _watch(self) -> None:
        import asyncio
        import threading

        stat = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
        waited = _runqueue_wait(stat)
        while True:
            began = time.monotonic()
            self._beat = began
            await asyncio.sleep(self.PERIOD)
            late = time.monotonic() - began - self.PERIOD
            before, waited = waited, _runqueue_wait(stat)
            if late > self.NOTED:
                self._out.write(f"{began:.6f} {late:.6f} {waited - before:.6f}\n")

    def _watchdog(self, loop_thread: int) -> None:
        import traceback

        stacks = open(self._path + ".stacks", "a", buffering=1, encoding="utf-8")
        dumped_at = 0.0
        while True:
            time.sleep(self.WATCH_EVERY)
            now, beat = time.monotonic(), self._beat
            if now - beat < self.PERIOD + self.STACK_AFTER or now - dumped_at < self.STACK_AFTER:
                continue
            dumped_at = now
            frame = sys._current_frames().get(loop_thread)
            if frame is None:
                continue
            stack = "".join(traceback.format_stack(frame, limit=25))
            stacks.write(f"--- stall since {beat:.6f}, seen at {time.monotonic():.6f}\n{stack}")


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then the patch."""

    def __init__(self, original: Any, patch: Callable[[Any], None]) -> None:
        self._original, self._patch = original, patch

    def create_module(self, spec: Any) -> Any:
        return self._original.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._original.exec_module(module)
        self._patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Wraps the loaders of the patched modules. The tests' finder (which wraps
    `discord.gateway` too) asks every other finder, this one included, and this one asks
    the others in turn: a module being resolved here is left to the rest meanwhile."""

    def __init__(self, patches: dict[str, Callable[[Any], None]]) -> None:
        self._patches = patches
        self._resolving: set[str] = set()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        patch = self._patches.get(fullname)
        if patch is None or fullname in self._resolving:
            return None
        self._resolving.add(fullname)
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader, patch)
                    return spec
            return None
        finally:
            self._resolving.discard(fullname)


def _safety_net_minimum(seconds: float) -> Callable[[Any], None]:
    def patch(module: Any) -> None:
        if not hasattr(module, "SAFETY_NET_MINIMUM"):
            raise RuntimeError("BENCH_SAFETY_NET_MINIMUM: the watcher has no SAFETY_NET_MINIMUM")
        module.SAFETY_NET_MINIMUM = seconds

    return patch


def _profile(path: str) -> None:
    """Profile the main thread (where the event loop runs) until the process exits."""
    import cProfile

    # CPU time of the thread, not the wall clock: on a shared machine the wall clock would
    # charge whatever runs when the thread is preempted (or waits for the GIL) to it.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(path)

    atexit.register(dump)

    def exit_on_sigterm(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    # A process without its own SIGTERM handler (the bare bot) would die without running
    # atexit; diary-bot's own handler (on its event loop) replaces this one.
    signal.signal(signal.SIGTERM, exit_on_sigterm)


def _install() -> None:
    if os.environ.get("BENCH_PROFILE"):
        _profile(os.environ["BENCH_PROFILE"])
    patches: dict[str, Callable[[Any], None]] = {}
    if os.environ.get("BENCH_GITHUB_ON_LOOP") == "1":
        patches["bot.threads"] = _github_on_loop
    if os.environ.get("BENCH_UNCONDITIONAL_POLL") == "1":
        patches["requests.sessions"] = _unconditional_requests
    if os.environ.get("BENCH_TRACE"):
        tracer = _Tracer(os.environ["BENCH_TRACE"])
        patches["discord.gateway"] = tracer.gateway
        patches["discord.state"] = tracer.state
        patches["discord.webhook.async_"] = tracer.webhook
    if os.environ.get("BENCH_STALLS"):
        patches["discord.client"] = _StallMonitor(os.environ["BENCH_STALLS"]).client
    if os.environ.get("BENCH_SAFETY_NET_MINIMUM"):
        minimum = float(os.environ["BENCH_SAFETY_NET_MINIMUM"])
        patches["bot.workers.watcher"] = _safety_net_minimum(minimum)
    for name in [name for name in patches if name in sys.modules]:
        patches.pop(name)(sys.modules[name])  # already imported: patch it now
    if patches:
        sys.meta_path.insert(0, _PatchAfterImport(patches))


_chain_next_sitecustomize()
_install()
