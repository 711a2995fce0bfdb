"""Channel posts as Discord keys them, and faults around a post.

Discord's Create Message: `nonce` is an integer or a string of at most 25 characters; with
`enforce_nonce: true` it "will be checked for uniqueness in the past few minutes. If another
message was created by the same author with the same nonce, that message will be returned and
no new message will be created." The fake keys nonces by (channel, author, nonce) and forgets
them after `window` seconds (a few minutes by default; tests shorten it).

Faults: a post can be stored and then answered with an error (discord.py re-sends on 500, 502
and 504), or stored with its answer held back until released (to kill the bot meanwhile).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

NONCE_MAX = 25
DEFAULT_WINDOW = 180.0


class PostControl:
    """Nonce memory and post faults; callers hold the fake's lock except in `wait_released`."""

    def __init__(self, window: float = DEFAULT_WINDOW) -> None:
        self.window = window
        self._seen: dict[tuple[str, str, str], tuple[str, float]] = {}
        self._fail_after_store: dict[str, list[int]] = {}  # channel -> [remaining, status]
        self._released = threading.Event()
        self._released.set()
        self.held = 0  # answers waiting for `release()` now
        self.returned_earlier = 0  # posts answered with an earlier message

    @staticmethod
    def problems(body: dict[str, Any]) -> list[str]:
        """What Discord rejects about a post's nonce."""
        nonce = body.get("nonce")
        if nonce is None or (isinstance(nonce, int) and not isinstance(nonce, bool)):
            return []
        if not isinstance(nonce, str):
            return [f"nonce must be an integer or a string, not {type(nonce).__name__}"]
        if len(nonce) > NONCE_MAX:
            return [f"nonce is {len(nonce)} characters (max {NONCE_MAX})"]
        return []

    def earlier(self, channel_id: str, author_id: str, body: dict[str, Any]) -> str | None:
        """The id of the message an enforced nonce already created, within the window."""
        if body.get("nonce") is None or not body.get("enforce_nonce"):
            return None
        found = self._seen.get((channel_id, author_id, str(body["nonce"])))
        if found is None or time.monotonic() - found[1] > self.window:
            return None
        self.returned_earlier += 1
        return found[0]

    def remember(
        self, channel_id: str, author_id: str, body: dict[str, Any], message_id: str
    ) -> None:
        if body.get("nonce") is not None:
            now = time.monotonic()
            self._seen = {k: v for k, v in self._seen.items() if now - v[1] <= self.window}
            self._seen[(channel_id, author_id, str(body["nonce"]))] = (message_id, now)

    def fail_after_store(self, channel_id: str, n: int, status: int) -> None:
        self._fail_after_store[channel_id] = [n, status]

    def failure_after_store(self, channel_id: str) -> int | None:
        """The status to answer a post that was just stored with, if one is due."""
        fault = self._fail_after_store.get(channel_id)
        if fault and fault[0] > 0:
            fault[0] -= 1
            return fault[1]
        return None

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    async def wait_released(self) -> None:
        """Wait (without the lock) until answers are released; the post is already stored."""
        # A threading.Event (set from test threads), polled: asyncio.Event is loop-bound.
        while not self._released.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
