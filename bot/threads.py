"""Blocking calls in daemon threads, so the event loop never waits for them and a shutdown
never waits for a request that hangs (its durable job resumes at the next start)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def run_in_thread(
    call: Callable[[], T], *, name: str = "worker", slots: asyncio.Semaphore | None = None
) -> T:
    """Run `call` in a new daemon thread and await its result.

    With `slots`, wait (cancellably) for a free slot first; the thread holds it until the call
    returns, even when the awaiting task is cancelled meanwhile, so `slots` bounds the threads
    that exist, and a hung call costs one slot but never holds up a shutdown."""
    if slots is not None:
        await slots.acquire()
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(setter: Callable[[Any], None], value: object) -> None:
        if slots is not None:
            slots.release()
        if not future.done():
            setter(value)

    def target() -> None:
        try:
            result = context.run(call)
        except BaseException as error:
            outcome: tuple[Callable[[Any], None], object] = (future.set_exception, error)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:
            pass  # the loop closed while we ran: nobody is waiting any more

    try:
        threading.Thread(target=target, name=name, daemon=True).start()
    except BaseException:
        if slots is not None:
            slots.release()
        raise
    return await future
