"""REST plumbing of the fake Discord (routing, recording, contract and limit checks,
rate-limit headers) and the non-interaction routes: users, application, gateway, commands,
channels, messages, guilds, DMs."""

from __future__ import annotations

import copy
import email.parser
import email.policy
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.discord_interactions import UploadedFile

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

API_PREFIX = "/api/v10"
_log = logging.getLogger(__name__)
Reply = tuple[int, Any]
Handler = Callable[["Req"], Awaitable[Reply]]


@dataclass
class Req:
    method: str
    path: str  # relative to /api/v10
    route: str
    params: dict[str, str]
    query: Any  # MultiDictProxy
    headers: Any
    json: Any
    files: list[UploadedFile]
    received_at: float  # time.monotonic()


@dataclass
class RequestRecord:
    method: str
    path: str
    route: str | None
    query: str
    json: Any
    files: list[str]
    status: int = 0
    time: float = field(default_factory=time.time)
    response: Any = None


def error(status: int, message: str, code: int = 0, problems: list[str] | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "code": code}
    if problems:
        body["errors"] = {
            "_fake": {"_errors": [{"code": "FAKE_LIMIT", "message": p} for p in problems]}
        }
    return status, body


def invalid_form(problems: list[str]) -> Reply:
    return error(400, "Invalid Form Body", 50035, problems)


def parse_body(content_type: str, raw: bytes) -> tuple[Any, list[tuple[str, int, str | None]]]:
    if not raw:
        return None, []
    if content_type.startswith("multipart/"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
        payload, files = None, []
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "payload_json":
                payload = json.loads(data)
            else:
                filename = part.get_filename() or str(name)
                files.append(UploadedFile(filename, len(data), part.get_content_type(), data))
        return payload, files
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


class RestRouter:
    """Catch-all aiohttp handler for /api/v10; routes are `(METHOD, template)` -> handler."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.routes: list[tuple[str, str, re.Pattern[str], Handler, bool]] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append((method, template, re.compile(f"^{pattern}$"), handler, auth))

    def match(self, method: str, path: str) -> tuple[str, Handler, bool, dict] | None:
        for m, template, pattern, handler, auth in self.routes:
            found = pattern.match(path)
            if m == method and found:
                return template, handler, auth, found.groupdict()
        return None

    async def handle(self, request: web.Request) -> web.Response:
        with self.fake._cond:
            self.fake._inflight += 1
        try:
            return await self._handle(request)
        finally:
            with self.fake._cond:
                self.fake._inflight -= 1
                self.fake._last_reply = time.monotonic()

    async def _handle(self, request: web.Request) -> web.Response:
        fake = self.fake
        received = time.monotonic()
        raw = await request.read()
        full_path = request.path
        in_api = full_path == API_PREFIX or full_path.startswith(API_PREFIX + "/")
        path = (full_path[len(API_PREFIX) :] or "/") if in_api else full_path
        body, files = parse_body(request.headers.get("Content-Type", ""), raw)
        found = self.match(request.method, path) if in_api else None
        record = RequestRecord(
            request.method,
            path,
            found[0] if found else None,
            request.query_string,
            body,
            [f[0] for f in files],
        )
        with fake._cond:
            fake._requests.append(record)
        if in_api:
            fake._contract_check(
                request.method, full_path, request.query_string, request.headers, raw or None
            )
        if found is None:
            with fake._cond:
                fake.unknown_routes.append(f"{request.method} {path}")
            status, reply = error(404, "404: Not Found")
        else:
            template, handler, auth, params = found
            expected = f"Bot {fake.token}"
            if auth and request.headers.get("Authorization") != expected:
                status, reply = error(401, "401: Unauthorized")
            else:
                req = Req(
                    request.method,
                    path,
                    template,
                    params,
                    request.query,
                    request.headers,
                    body,
                    files,
                    received,
                )
                try:
                    status, reply = await handler(req)
                except Exception as exc:  # a bug in the fake: make it loud, not a retry loop
                    _log.exception("fake Discord failed on %s %s", request.method, path)
                    fake._violate(f"FAKE BUG on {request.method} {path}: {exc!r}")
                    status, reply = error(503, f"fake Discord bug: {exc!r}")
        with fake._cond:
            record.status, record.response = status, copy.deepcopy(reply)
            fake._cond.notify_all()
        bucket = hashlib.md5(f"{request.method} {found[0] if found else path}".encode())
        headers = {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket.hexdigest()[:16],
            "Via": "1.1 google",
        }
        if status == 204 or reply is None:
            return web.Response(status=204 if status < 300 else status, headers=headers)
        # Exactly "application/json" (no charset), as Discord sends and discord.py expects.
        headers["Content-Type"] = "application/json"
        return web.Response(body=json.dumps(reply).encode(), status=status, headers=headers)
