"""GitHub's `issues` webhook: a small aiohttp endpoint, so changes arrive at once instead of at
the next poll.

Every delivery must carry a valid `X-Hub-Signature-256` (HMAC-SHA256 of the body with
WEBHOOK_SECRET): 401 otherwise. A valid one is answered 202 at once and handled in the
background by the watcher's service; deliveries are remembered by `X-GitHub-Delivery`, so a
redelivery changes nothing. Events and actions the bot does not use are answered 204.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.github_records import IssueSnapshot, issue_snapshot
from bot.services.clock import Clock
from bot.services.watching import WatchService
from bot.store import Store
from bot.workers.watcher import Watcher

log = logging.getLogger(__name__)

HANDLED_ACTIONS = frozenset(
    {"opened", "edited", "closed", "reopened", "deleted", "labeled", "unlabeled"}
)
MAX_BODY_BYTES = 10 * 1024 * 1024  # GitHub caps payloads at 25 MB; issue events are far smaller


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookServer:
    """Listens on `host:port` while the bot runs."""

    def __init__(
        self,
        service: WatchService,
        store: Store,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        *,
        secret: str,
        repository: str,
        host: str,
        port: int,
        watcher: Watcher | None = None,
        poll_interval: float = 0.0,
    ) -> None:
        self._service = service
        self._store = store
        self._clock = clock
        self._ready = ready
        self._secret = secret
        self._repository = repository.lower()
        self._host = host
        self._port = port
        self._watcher = watcher  # the safety net: catches up when a delivery is lost
        self._poll_interval = poll_interval
        self._runner: web.AppRunner | None = None
        self._starting: asyncio.Task[None] | None = None
        self._handling: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._starting = asyncio.create_task(self._listen(), name="diary-webhooks")

    async def stop(self) -> None:
        """Stop listening; events being handled are abandoned (the next poll catches up)."""
        tasks = [task for task in (self._starting, *self._handling) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _listen(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post("/{tail:.*}", self._receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as error:
            log.error(
                "cannot listen on %s:%d (%s); relying on polling alone",
                self._host,
                self._port,
                error.strerror or error,
            )
            await runner.cleanup()
            if self._watcher is not None:
                self._watcher.set_interval(self._poll_interval)
            return
        self._runner = runner
        log.info("listening on %s:%d for GitHub's issues events", self._host, self._port)

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get("X-Hub-Signature-256", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, signature(self._secret, body).encode()):
            log.warning("refused a delivery with a missing or wrong signature")
            return web.Response(status=401, text="signature missing or wrong\n")
        event = request.headers.get("X-GitHub-Event", "")
        if event != "issues":
            log.info("ignoring a %r event", event[:40])
            return web.Response(status=204)
        try:
            payload = json.loads(body)
            action = str(payload["action"])
            repository = str(payload["repository"]["full_name"]).lower()
            snapshot = issue_snapshot(payload["issue"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an issues event payload\n")
        if action not in HANDLED_ACTIONS or repository != self._repository:
            return web.Response(status=204)
        delivery = request.headers.get("X-GitHub-Delivery", "")[:100]
        if delivery and not await self._store.add_webhook_delivery(delivery, self._clock.now()):
            log.info("delivery %s was handled before; ignoring it", delivery)
            return web.Response(status=202)
        task = asyncio.create_task(self._handle(delivery, action, snapshot))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        return web.Response(status=202)

    async def _handle(self, delivery: str, action: str, snapshot: IssueSnapshot) -> None:
        await self._ready()  # announcements need the servers and channels Discord reports
        log.info("issue #%d %s", snapshot.entry.number, action)
        try:
            await self._service.issue_event(action, snapshot)
        except Exception:
            log.exception("handling delivery %s failed; the next poll catches up", delivery)
            if delivery:
                await self._store.delete_webhook_delivery(delivery)
            if self._watcher is not None:
                self._watcher.wake()
