"""GitHub's `issues` webhook: a small aiohttp endpoint, so changes arrive at once instead of at
the next poll.

Nothing is read before the declared size is known to be small: a request without a
`Content-Length` gets 411, one over `MAX_BODY_BYTES` 413 (and the connection is closed without
reading the body), a body that does not arrive within `READ_SECONDS` 408. Every delivery must
carry a valid `X-Hub-Signature-256` (HMAC-SHA256 of the body with WEBHOOK_SECRET): 401
otherwise. A signed `issues` event that is not the shape GitHub sends gets 400. One endpoint
takes the events of every installation: an event is routed by `repository.full_name` to the
servers following that repository (the server diary, members' own diaries); a repository
nobody follows is answered 204 and nothing is stored. A valid one is answered 202 at once and
handled in the background by the watcher's service, which also remembers deliveries by
`X-GitHub-Delivery`, so a redelivery changes nothing. Events and actions the bot does not use
are answered 204. This module touches no store: the service does.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.github_records import IssueSnapshot, issue_snapshot
from bot.services.watching import Delivery, WatchService
from bot.workers.watcher import Watcher

log = logging.getLogger(__name__)

HANDLED_ACTIONS = frozenset(
    {"opened", "edited", "closed", "reopened", "deleted", "labeled", "unlabeled"}
)
# Issue events are a few KB (the body of an issue is at most 65,536 characters); GitHub caps
# payloads at 25 MB, but nothing the bot handles comes near this.
MAX_BODY_BYTES = 1024 * 1024
READ_SECONDS = 10.0
MAX_ISSUE_NUMBER = 2**63 - 1  # SQLite's integers


class MalformedEvent(ValueError):
    """A signed payload that is not an `issues` event as GitHub sends it."""


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def issues_event(body: bytes) -> tuple[str, str, IssueSnapshot]:
    """(action, repository full name, the issue) of an `issues` event; MalformedEvent for
    anything else, whatever the bytes are."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8 or not JSON; nested past the stack
        raise MalformedEvent("not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("not a JSON object")
    action, repository, issue = (payload.get(k) for k in ("action", "repository", "issue"))
    if not isinstance(action, str) or not isinstance(issue, dict):
        raise MalformedEvent("no action or issue")
    name = repository.get("full_name") if isinstance(repository, dict) else None
    if not isinstance(name, str):
        raise MalformedEvent("no repository")
    try:
        snapshot = issue_snapshot(issue)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise MalformedEvent("not an issue") from None
    if not 0 < snapshot.entry.number <= MAX_ISSUE_NUMBER:
        raise MalformedEvent("not an issue number")
    return action, name.lower(), snapshot


class WebhookServer:
    """Listens on `host:port` while the bot runs."""

    def __init__(
        self,
        service: WatchService,
        ready: Callable[[], Awaitable[object]],
        *,
        secret: str,
        host: str,
        port: int,
        watcher: Watcher | None = None,
        poll_interval: float = 0.0,
    ) -> None:
        self._service = service
        self._ready = ready
        self._secret = secret
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
        # lingering_time=0: a body left unread (refused by its size) is not drained afterwards;
        # the connection is closed instead.
        runner = web.AppRunner(app, access_log=None, lingering_time=0, logger=_HttpErrors(log, {}))
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
        if request.content_length is None:
            return _refuse(411, "Content-Length required\n")
        if request.content_length > MAX_BODY_BYTES:
            log.warning("refused a delivery of %d bytes unread", request.content_length)
            return _refuse(413, f"larger than {MAX_BODY_BYTES} bytes\n")
        try:
            async with asyncio.timeout(READ_SECONDS):
                body = await request.read()
        except TimeoutError:
            return _refuse(408, "the body did not arrive in time\n")
        given = request.headers.get("X-Hub-Signature-256", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, signature(self._secret, body).encode()):
            log.warning("refused a delivery with a missing or wrong signature")
            return web.Response(status=401, text="signature missing or wrong\n")
        event = request.headers.get("X-GitHub-Event", "")
        if event != "issues":
            log.info("ignoring a %r event", event[:40])
            return web.Response(status=204)
        try:
            action, repository, snapshot = issues_event(body)
        except MalformedEvent as error:
            log.warning("refused a signed delivery that is not an issues event: %s", error)
            return web.Response(status=400, text="not an issues event payload\n")
        if action not in HANDLED_ACTIONS:
            return web.Response(status=204)
        delivery = request.headers.get("X-GitHub-Delivery", "")[:100]
        received = await self._service.receive_delivery(delivery, repository)
        if received is Delivery.NOT_FOLLOWED:
            return web.Response(status=204)
        if received is Delivery.ACCEPTED:
            task = asyncio.create_task(self._handle(delivery, action, repository, snapshot))
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)
        return web.Response(status=202)

    async def _handle(
        self, delivery: str, action: str, repository: str, snapshot: IssueSnapshot
    ) -> None:
        await self._ready()  # announcements need the servers and channels Discord reports
        handled = await self._service.handle_delivery(delivery, action, repository, snapshot)
        if not handled and self._watcher is not None:
            self._watcher.wake()


class _HttpErrors(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server log: a malformed request from the network (aiohttp answers it 400)
    is one warning line, not a traceback; anything else is logged as aiohttp logs it."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        error = kwargs.get("exc_info")
        if isinstance(error, HttpProcessingError):
            self.logger.warning("refused a malformed HTTP request: %.200r", error.message)
            return
        self.logger.log(level, msg, *args, **kwargs)


def _refuse(status: int, text: str) -> web.Response:
    """A refusal that closes the connection, so an unread body is never drained."""
    response = web.Response(status=status, text=text)
    response.force_close()
    return response
