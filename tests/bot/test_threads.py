"""Blocking calls in daemon threads: bounded by slots, never holding up a cancelled caller."""

from __future__ import annotations

import asyncio
import threading

from bot.threads import run_in_thread


async def test_slots_bound_the_threads_running_at_once():
    """With two slots, five blocking calls run two at a time, and all finish."""
    slots = asyncio.Semaphore(2)
    gate = threading.Event()
    lock = threading.Lock()
    running, most = [0], [0]

    def call() -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        gate.wait(5)
        with lock:
            running[0] -= 1
        return "done"

    tasks = [asyncio.create_task(run_in_thread(call, slots=slots)) for _ in range(5)]
    await asyncio.sleep(0.2)
    assert running[0] == 2
    gate.set()

    assert await asyncio.gather(*tasks) == ["done"] * 5
    assert most[0] == 2


async def test_a_hung_call_never_holds_up_its_cancelled_caller():
    """Cancelling the caller of a hung call returns at once; its slot stays taken until the
    thread ends, and a caller still waiting for a slot never starts a thread."""
    slots = asyncio.Semaphore(1)
    hang = threading.Event()
    started = []

    def hung() -> None:
        started.append("hung")
        hang.wait(5)

    def later() -> None:
        started.append("later")

    first = asyncio.create_task(run_in_thread(hung, slots=slots))
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(run_in_thread(later, slots=slots))
    await asyncio.sleep(0.1)

    first.cancel()
    waiting.cancel()
    done, _ = await asyncio.wait([first, waiting], timeout=0.5)

    assert done == {first, waiting}
    assert started == ["hung"]
    assert slots.locked()  # the hung thread still holds its slot
    hang.set()
    await asyncio.wait_for(slots.acquire(), 2)  # released when the thread ended


async def test_an_error_in_the_call_reaches_the_caller_and_frees_the_slot():
    """The call's exception is raised in the caller, and its slot is free again."""
    slots = asyncio.Semaphore(1)

    def broken() -> None:
        raise ValueError("no")

    try:
        await run_in_thread(broken, slots=slots)
    except ValueError as error:
        assert str(error) == "no"
    else:
        raise AssertionError("the error was lost")
    assert not slots.locked()
