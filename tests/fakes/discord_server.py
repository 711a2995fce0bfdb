"""A local fake of Discord (REST under /api/v10 plus the gateway WebSocket) that an unmodified
discord.py client logs in to. Tests drive it from plain synchronous code.

Point a bot subprocess at it with `fake.bot_env()` (uses `tests/fakes/sitecustomize`), or an
in-process client with `patch_discord_py(fake)`. See `discord_fixtures.py` for pytest fixtures.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.discord_drive import DriveMixin
from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_interactions import Interaction
from tests.fakes.discord_messages import MessageStore
from tests.fakes.discord_nonces import DEFAULT_WINDOW, PostControl
from tests.fakes.discord_rest import (
    API_PREFIX,
    Reply,
    Req,
    RequestRecord,
    RestRouter,
    invalid_form,
)
from tests.fakes.discord_rest_interactions import InteractionRoutes
from tests.fakes.discord_routes import CoreRoutes
from tests.fakes.discord_world import Snowflakes, World
from tests.fakes.server_thread import ServerThread

SITECUSTOMIZE_DIR = Path(__file__).parent / "sitecustomize"
_CHECKERS: dict[str, Any] = {}


def _contract_checker() -> Any:
    """One ContractChecker per process (loading the spec is slow); None if unavailable."""
    if "discord" not in _CHECKERS:
        try:
            from tests.fakes.contracts import ContractChecker, spec_path
        except ImportError:
            _CHECKERS["discord"] = None
        else:
            _CHECKERS["discord"] = ContractChecker(spec_path("discord"), path_prefix=API_PREFIX)
    return _CHECKERS["discord"]


class FakeDiscord(DriveMixin):
    """Fake Discord. All public methods and attributes are safe to use from test threads."""

    def __init__(
        self,
        token: str = "fake-bot-token",
        *,
        guild_locale: str = "en-US",
        heartbeat_interval: int = 41250,
        callback_deadline: float = 3.0,
        reject_invalid: bool = True,
        gateway_compress: bool = True,
        contract_check: bool = True,
        settle: float = 0.05,
        nonce_window: float = DEFAULT_WINDOW,
    ) -> None:
        self.token = token
        self.callback_deadline = callback_deadline
        self.reject_invalid = reject_invalid
        self.gateway_compress = gateway_compress
        self.settle = settle  # s between the bot's last answered request and a user action
        # False: interactions are recorded and returned, not sent on the gateway; an in-process
        # test builds discord.py's Interaction from the payload and runs it (tests/cogs).
        self.gateway_delivery = True
        # Discord's attachment URLs are signed and expire; then the CDN answers 404.
        self.attachments_expired = False
        self._inflight = 0
        self._last_reply = 0.0
        self.world = World(Snowflakes(), guild_locale=guild_locale)
        self.store = MessageStore(self.world)
        self._cond = threading.Condition(threading.RLock())
        self._checker = _contract_checker() if contract_check else None
        self._requests: list[RequestRecord] = []
        self._violations: list[str] = []
        self.unknown_routes: list[str] = []
        self._commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> list
        self.command_sync_count = 0
        self.left_guilds: list[str] = []  # guilds the bot left, in order
        self._interactions: dict[str, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self._modals: dict[str, Interaction] = {}  # modal custom_id -> interaction shown on
        self._faults: dict[str, list[int]] = {}  # channel id -> [remaining, status]
        self.posts = PostControl(nonce_window)  # nonces and faults after storing a post
        self.first_response_times: list[float] = []
        self.identify_count = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.intents: int | None = None
        self.resume_count = 0
        self.failed_resumes = 0
        self.gateway_connects = 0
        self.gateway_queries: list[dict[str, str]] = []
        self.gateway_other_ops: list[dict[str, Any]] = []
        self.dispatched: list[dict[str, Any]] = []
        self._connected = False
        self._ready_identifies = 0
        self.gateway = Gateway(self, heartbeat_interval)
        self.router = RestRouter(self)
        self._core = CoreRoutes(self, self.router)
        self._interaction_routes = InteractionRoutes(self, self.router)
        self._server = ServerThread(self._app)

    # -- lifecycle --
    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/cdn/attachments/{id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "{tail:(/.*)?}", self.router.handle)
        app.router.add_route("*", "/{tail:.*}", self.router.handle)
        return app

    def start(self) -> FakeDiscord:
        self._server.start()
        self.world.cdn_base = self.url + "/cdn"
        return self

    async def _attachment(self, request: web.Request) -> web.Response:
        """Attachment files, as Discord's CDN serves them (no authorization)."""
        with self._cond:
            blob = self.world.blobs.get(request.match_info["id"])
            expired = self.attachments_expired
        if blob is None or expired:
            raise web.HTTPNotFound(text="This content is no longer available.")
        return web.Response(body=blob, content_type="application/octet-stream")

    def attachment_bytes(self, attachment: dict[str, Any]) -> bytes:
        """The content of an attachment the bot or a member uploaded."""
        with self._cond:
            return self.world.blobs[attachment["id"]]

    def stop(self) -> None:
        self.posts.release()  # held answers go out, so the server can stop
        try:
            self._server.call(self.gateway.close(), timeout=5)
        finally:
            self._server.stop()

    def go_down(self) -> None:
        """Discord unreachable: the port refuses connections (open gateway sessions close)."""
        self._server.call(self.gateway.close(), timeout=5)
        self._server.go_down()

    def come_up(self) -> None:
        """Discord reachable again at the same address."""
        self._server.come_up()

    def __enter__(self) -> FakeDiscord:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._server.port}/gateway"

    def bot_env(self, **extra: str) -> dict[str, str]:
        """Environment for a bot subprocess: sitecustomize on PYTHONPATH, token, guild ids."""
        pythonpath = [str(SITECUSTOMIZE_DIR), os.environ.get("PYTHONPATH", "")]
        return {
            "PYTHONPATH": os.pathsep.join(p for p in pythonpath if p),
            "FAKE_DISCORD_API": self.api_url,
            "FAKE_DISCORD_GATEWAY": self.gateway_url,
            "DISCORD_TOKEN": self.token,
            "DISCORD_GUILD_ID": self.world.guild_id,
            "ANNOUNCE_CHANNEL_ID": self.world.channel_ids["announcements"],
            **extra,
        }

    # -- recorded facts --
    @property
    def requests(self) -> list[RequestRecord]:
        with self._cond:
            return list(self._requests)

    @property
    def violations(self) -> list[str]:
        with self._cond:
            return list(self._violations)

    def take_violations(self) -> list[str]:
        """Return the violations recorded so far and forget them."""
        with self._cond:
            taken, self._violations = self._violations, []
            return taken

    @property
    def commands(self) -> list[dict[str, Any]]:
        with self._cond:
            return [copy.deepcopy(c) for scope in self._commands.values() for c in scope]

    @property
    def slowest_first_response(self) -> float | None:
        with self._cond:
            return max(self.first_response_times, default=None)

    @property
    def interactions(self) -> list[Interaction]:
        with self._cond:
            return list(self._interactions.values())

    def user_id(self, user: str) -> str:
        return self.world.member(user).id

    def role_id(self, name: str) -> str:
        return self.world.role_ids[name]

    def channel_messages(self, channel: str, *, include_ephemeral: bool = False) -> list[dict]:
        """Stored messages of a channel, oldest first (with the fake-only keys)."""
        with self._cond:
            found = self.store.in_channel(
                self.channel_id(channel), include_ephemeral=include_ephemeral
            )
            return copy.deepcopy(found)

    def message(self, message_id: str) -> dict[str, Any]:
        with self._cond:
            return copy.deepcopy(self.store.by_id[str(message_id)])

    def fail_next_channel_messages(self, channel: str, n: int, status: int = 500) -> None:
        """The next `n` POST /channels/{id}/messages to `channel` fail with `status`.
        (discord.py retries 500/502/504 itself, after 1, 3, 5... s; 503 raises at once.)"""
        with self._cond:
            self._faults[self.channel_id(channel)] = [n, status]

    def fail_after_storing(self, channel: str, n: int = 1, status: int = 502) -> None:
        """The next `n` posts to `channel` are stored, then answered with `status`."""
        with self._cond:
            self.posts.fail_after_store(self.channel_id(channel), n, status)

    def hold_channel_posts(self) -> None:
        """Channel posts are stored, and their answers held back until released."""
        with self._cond:
            self.posts.hold()

    def release_channel_posts(self) -> None:
        with self._cond:
            self.posts.release()

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5, what: str = "") -> Any:
        """Wait until `predicate()` (called under the fake's lock) is truthy; return it."""
        with self._cond:
            result = self._cond.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"fake Discord: timed out waiting for {what or predicate}")
        return result

    def wait_ready(self, timeout: float = 15) -> None:
        """Wait until the client has identified and been sent READY and GUILD_CREATE."""
        self.wait_for(lambda: self._connected and self._ready_identifies, timeout, "READY")

    def wait_connected(self, timeout: float = 15) -> None:
        """Wait until a gateway session is live (after READY or RESUMED)."""
        self.wait_for(lambda: self._connected, timeout, "gateway connection")

    def wait_commands(self, timeout: float = 15, count: int = 1) -> list[dict[str, Any]]:
        """Wait until commands were synced `count` times in total; return `commands`."""
        self.wait_for(lambda: self.command_sync_count >= count, timeout, "command sync")
        return self.commands

    def disconnect_gateway(self, resume: bool = True) -> None:
        """Drop the gateway connection: close 4000 (client RESUMEs) or, with `resume=False`,
        invalidate the session (op 9), so the client identifies again."""
        self._server.call(self.gateway.disconnect(resume))

    # -- used by the routes (server loop, inside or outside the lock) --
    def _violate(self, problem: str) -> None:
        with self._cond:
            self._violations.append(problem)
            self._cond.notify_all()

    def _reject(self, req: Req, problems: list[str], *, always: bool = False) -> Reply | None:
        """Record `problems`; the 400 reply Discord would give (None: serve it anyway)."""
        for problem in problems:
            self._violate(f"{req.method} {req.route}: {problem}")
        return invalid_form(problems) if self.reject_invalid or always else None

    def _contract_check(
        self, method: str, path: str, query: str, headers: Any, body: bytes | None
    ) -> None:
        if self._checker is None:
            return
        for problem in self._checker.check(method, path, query, headers, body):
            self._violate(f"contract: {method} {path[len(API_PREFIX) :]}: {problem}")


@contextmanager
def patch_discord_py(fake: FakeDiscord) -> Iterator[None]:
    """Point the in-process discord.py (Route.BASE, DEFAULT_GATEWAY) at `fake`, then restore."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
