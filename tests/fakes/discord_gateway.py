"""The gateway WebSocket of the fake Discord: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatch.

Frames are zlib-stream compressed (binary) when the client asks for `compress=zlib-stream`, as
Discord does; otherwise they are plain TEXT frames (discord.py accepts both).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)
GUILD_MEMBERS, GUILD_PRESENCES, GUILD_MESSAGES, MESSAGE_CONTENT = 1 << 1, 1 << 8, 1 << 9, 1 << 15
PRIVILEGED = {
    "GUILD_MEMBERS": GUILD_MEMBERS,
    "GUILD_PRESENCES": GUILD_PRESENCES,
    "MESSAGE_CONTENT": MESSAGE_CONTENT,
}


class Session:
    def __init__(self, intents: int) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.seq = 0
        self.log: list[dict[str, Any]] = []  # dispatched frames, for RESUME replay
        self.valid = True


class Connection:
    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self.compressor = zlib.compressobj() if compress else None
        self.session: Session | None = None

    async def send(self, frame: dict[str, Any]) -> None:
        data = json.dumps(frame)
        if self.compressor is None:
            await self.ws.send_str(data)
        else:
            packed = self.compressor.compress(data.encode()) + self.compressor.flush(
                zlib.Z_SYNC_FLUSH
            )
            await self.ws.send_bytes(packed)


class Gateway:
    """Runs on the server loop. State shared with tests is changed under `fake._cond`."""

    def __init__(self, fake: FakeDiscord, heartbeat_interval: int) -> None:
        self.fake = fake
        self.heartbeat_interval = heartbeat_interval
        self.connection: Connection | None = None
        self.session: Session | None = None
        self.heartbeats = 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream" and self.fake.gateway_compress
        conn = Connection(ws, compress)
        with self.fake._cond:
            self.fake.gateway_connects += 1
            self.fake.gateway_queries.append(dict(request.query))
        await conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval},
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._received(conn, json.loads(msg.data))
        finally:
            if self.connection is conn:
                self.connection = None
                with self.fake._cond:
                    self.fake._connected = False
                    self.fake._cond.notify_all()
        return ws

    async def _received(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        else:
            with self.fake._cond:
                self.fake.gateway_other_ops.append(frame)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        fake = self.fake
        if data.get("token") != fake.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        with fake._cond:
            fake.identify_count += 1
            fake.identify_payloads.append(data)
            if intents is None:
                fake._violate("gateway IDENTIFY without intents (required in v10)")
                intents = 0
            for name, bit in PRIVILEGED.items():
                if intents & bit:
                    fake._violate(f"gateway IDENTIFY requests privileged intent {name}")
            fake.intents = intents
        await self._take_over(conn)
        session = Session(intents)
        if self.session is not None:
            self.session.valid = False
        self.session = conn.session = session
        world = fake.world
        ready = {
            "v": 10,
            "user": world.bot_user,
            "user_settings": {},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "guilds": [{"id": guild_id, "unavailable": True} for guild_id in world.bot_guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": fake.gateway_url,
            "shard": [0, 1],
            "application": {"id": world.application_id, "flags": 0},
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ["fake-discord"],
        }
        await self._dispatch_on(conn, "READY", ready)
        for guild_id in list(world.bot_guilds):
            guild = world.guild_payload(
                all_members=bool(intents & GUILD_MEMBERS), guild_id=guild_id
            )
            await self._dispatch_on(conn, "GUILD_CREATE", guild)
        with fake._cond:
            fake._connected = True
            fake._ready_identifies = fake.identify_count
            fake._cond.notify_all()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        fake = self.fake
        session = self.session
        if (
            data.get("token") != fake.token
            or session is None
            or not session.valid
            or data.get("session_id") != session.id
        ):
            with fake._cond:
                fake.failed_resumes += 1
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        await self._take_over(conn)
        conn.session = session
        seq = data.get("seq") or 0
        for frame in [f for f in session.log if f["s"] > seq]:
            await conn.send(frame)
        await self._dispatch_on(conn, "RESUMED", {"_trace": ["fake-discord"]})
        with fake._cond:
            fake.resume_count += 1
            fake._connected = True
            fake._cond.notify_all()

    async def _take_over(self, conn: Connection) -> None:
        old, self.connection = self.connection, conn
        if old is not None and old is not conn and not old.ws.closed:
            await old.ws.close(code=4000)

    async def _dispatch_on(self, conn: Connection, event: str, data: dict[str, Any]) -> None:
        session = conn.session
        assert session is not None
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.log.append(frame)
        with self.fake._cond:
            self.fake.dispatched.append(frame)
        await conn.send(frame)

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        wait: float = 10,
        before_send: Callable[[float], None] | None = None,
    ) -> None:
        """Send a dispatch on the live connection, waiting up to `wait` s for one.
        `before_send(time.monotonic())` runs just before the frame is written."""
        deadline = time.monotonic() + wait
        while self.connection is None or self.connection.session is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no identified gateway connection to dispatch {event}")
            await asyncio.sleep(0.01)
        if before_send is not None:
            before_send(time.monotonic())
        await self._dispatch_on(self.connection, event, data)

    async def disconnect(self, resume: bool) -> None:
        conn = self.connection
        if not resume and self.session is not None:
            self.session.valid = False
        if conn is None:
            return
        self.connection = None
        with self.fake._cond:
            self.fake._connected = False
        if resume:
            await conn.ws.close(code=4000, message=b"fake: forced reconnect")
        else:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.ws.close(code=1001)
