"""Non-interaction REST routes of the fake Discord: users, application, gateway, commands,
channels, messages, guilds and DMs."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_limits import check_commands, check_message
from tests.fakes.discord_messages import public
from tests.fakes.discord_rest import Reply, Req, RestRouter, error
from tests.fakes.discord_world import READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord


class CoreRoutes:
    """Users, application, gateway, commands, channels, messages, guilds and DMs."""

    def __init__(self, fake: FakeDiscord, router: RestRouter) -> None:
        self.fake = fake
        self.world = fake.world
        add = router.add
        add("GET", "/users/@me", self.me)
        add("GET", "/users/{user_id}", self.user)
        add("GET", "/oauth2/applications/@me", self.application)
        add("GET", "/applications/@me", self.application)
        add("GET", "/gateway", self.gateway, auth=False)
        add("GET", "/gateway/bot", self.gateway)
        for scope in ("/applications/{app}", "/applications/{app}/guilds/{guild}"):
            add("GET", f"{scope}/commands", self.get_commands)
            add("PUT", f"{scope}/commands", self.put_commands)
        add("POST", "/users/@me/channels", self.create_dm)
        add("GET", "/channels/{channel}", self.channel)
        add("GET", "/channels/{channel}/messages", self.history)
        add("POST", "/channels/{channel}/messages", self.send)
        add("POST", "/channels/{channel}/typing", self.typing)
        add("GET", "/channels/{channel}/messages/{message}", self.get_message)
        add("PATCH", "/channels/{channel}/messages/{message}", self.edit_message)
        add("DELETE", "/channels/{channel}/messages/{message}", self.delete_message)
        add("GET", "/guilds/{guild}", self.guild)
        add("GET", "/guilds/{guild}/channels", self.guild_channels)
        add("GET", "/guilds/{guild}/roles", self.guild_roles)
        add("GET", "/guilds/{guild}/members/{user_id}", self.guild_member)
        add("DELETE", "/users/@me/guilds/{guild}", self.leave_guild)

    async def me(self, req: Req) -> Reply:
        return 200, {**self.world.bot_user, "verified": True, "mfa_enabled": False}

    async def user(self, req: Req) -> Reply:
        member = self.world.member_by_id(req.params["user_id"])
        return (200, member.user) if member else error(404, "Unknown User", 10013)

    async def application(self, req: Req) -> Reply:
        return 200, self.world.application_payload()

    async def gateway(self, req: Req) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        if req.path == "/gateway":
            return 200, {"url": self.fake.gateway_url}
        return 200, {"url": self.fake.gateway_url, "shards": 1, "session_start_limit": limit}

    def _scope(self, req: Req) -> str | None:
        if req.params["app"] != self.world.application_id:
            return None
        guild = req.params.get("guild")
        if guild is not None and guild not in self.world.bot_guilds:
            return None
        return guild or "global"

    async def get_commands(self, req: Req) -> Reply:
        scope = self._scope(req)
        if scope is None:
            return error(403, "Missing Access", 50001)
        with self.fake._cond:
            return 200, copy.deepcopy(self.fake._commands.get(scope, []))

    async def put_commands(self, req: Req) -> Reply:
        scope = self._scope(req)
        if scope is None:
            return error(403, "Missing Access", 50001)
        body = req.json if isinstance(req.json, list) else []
        problems = check_commands(body)
        if problems and (rejected := self.fake._reject(req, problems)):
            return rejected
        world = self.world
        with self.fake._cond:
            old = {(c["type"], c["name"]): c["id"] for c in self.fake._commands.get(scope, [])}
            stored = []
            for command in body:
                kind = command.get("type", 1)
                item = {
                    "id": old.get((kind, command["name"])) or world.ids.next(),
                    "application_id": world.application_id,
                    "version": world.ids.next(),
                    "type": kind,
                    "name": command["name"],
                    "name_localizations": command.get("name_localizations"),
                    "description": command.get("description", ""),
                    "description_localizations": command.get("description_localizations"),
                    # Discord answers a permission bit set as a string of digits.
                    "default_member_permissions": None
                    if command.get("default_member_permissions") is None
                    else str(command["default_member_permissions"]),
                    "dm_permission": command.get("dm_permission", True),
                    "nsfw": command.get("nsfw", False),
                    "integration_types": command.get("integration_types") or [0],
                    "contexts": command.get("contexts"),
                }
                if command.get("options"):
                    item["options"] = command["options"]
                if scope != "global":
                    item["guild_id"] = scope
                stored.append(item)
            self.fake._commands[scope] = stored
            self.fake.command_sync_count += 1
            self.fake._cond.notify_all()
            return 200, copy.deepcopy(stored)

    # -- channels and messages --
    def _channel(self, req: Req) -> dict[str, Any] | None:
        return self.world.channels.get(req.params["channel"])

    async def create_dm(self, req: Req) -> Reply:
        member = self.world.member_by_id(str((req.json or {}).get("recipient_id")))
        if member is None or member is self.world.bot_member:
            return error(400, "Invalid Recipient(s)", 50033)
        with self.fake._cond:
            return 200, copy.deepcopy(self.world.add_dm_channel(member))

    async def channel(self, req: Req) -> Reply:
        channel = self._channel(req)
        return (200, channel) if channel else error(404, "Unknown Channel", 10003)

    async def typing(self, req: Req) -> Reply:
        return (204, None) if self._channel(req) else error(404, "Unknown Channel", 10003)

    async def history(self, req: Req) -> Reply:
        channel = self._channel(req)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        limit = int(req.query.get("limit", 50))
        world = self.world
        if channel["type"] == 0:
            granted = world.permissions(world.bot_member, channel)
            if not granted & VIEW_CHANNEL:
                return error(403, "Missing Access", 50001)
            if not granted & READ_MESSAGE_HISTORY:
                return 200, []  # Discord: "no messages will be returned"
        with self.fake._cond:
            messages = list(reversed(self.fake.store.in_channel(channel["id"])))
            before, after = req.query.get("before"), req.query.get("after")
            if before:
                messages = [m for m in messages if int(m["id"]) < int(before)]
            if after:
                messages = [m for m in messages if int(m["id"]) > int(after)][::-1][:limit][::-1]
            return 200, [public(copy.deepcopy(m)) for m in messages[:limit]]

    async def send(self, req: Req) -> Reply:
        fake, posts = self.fake, self.fake.posts
        channel = self._channel(req)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        with fake._cond:
            fault = fake._faults.get(channel["id"])
            if fault and fault[0] > 0:
                fault[0] -= 1
                return error(fault[1], f"{fault[1]}: fake failure", 0)
        needed = VIEW_CHANNEL | SEND_MESSAGES
        if (
            channel["type"] == 0
            and self.world.permissions(self.world.bot_member, channel) & needed != needed
        ):
            return error(403, "Missing Permissions", 50013)
        body = req.json if isinstance(req.json, dict) else {}
        problems = check_message(body, creating=not req.files) + posts.problems(body)
        if problems and (rejected := fake._reject(req, problems)):
            return rejected
        if int(body.get("flags") or 0) & 64:
            return fake._reject(req, ["channel messages cannot be ephemeral"], always=True)
        author = self.world.bot_member
        with fake._cond:
            earlier = posts.earlier(channel["id"], author.id, body)
            if earlier is not None and not fake.store.by_id[earlier]["deleted"]:
                return 200, public(copy.deepcopy(fake.store.by_id[earlier]))
            message = fake.store.create(channel, author, body, files=req.files)
            posts.remember(channel["id"], author.id, body, message["id"])
            fake._cond.notify_all()
            out = public(copy.deepcopy(message))
            failure = posts.failure_after_store(channel["id"])
        await fake._message_created(message)
        if failure is not None:
            return error(failure, f"{failure}: fake failure after storing the message", 0)
        with fake._cond:
            posts.held += 1
        try:
            await posts.wait_released()
        finally:
            with fake._cond:
                posts.held -= 1
        return 200, out

    def _message(self, req: Req) -> dict[str, Any] | None:
        message = self.fake.store.by_id.get(req.params["message"])
        if message is None or message["deleted"] or message["channel_id"] != req.params["channel"]:
            return None
        return message

    async def get_message(self, req: Req) -> Reply:
        with self.fake._cond:
            message = self._message(req)
            if message is None or message["ephemeral"]:
                return error(404, "Unknown Message", 10008)
            return 200, public(copy.deepcopy(message))

    async def edit_message(self, req: Req) -> Reply:
        fake = self.fake
        body = req.json if isinstance(req.json, dict) else {}
        problems = check_message(body, creating=False)
        if problems and (rejected := fake._reject(req, problems)):
            return rejected
        with fake._cond:
            message = self._message(req)
            if message is None or message["ephemeral"]:
                return error(404, "Unknown Message", 10008)
            if message["author"]["id"] != self.world.application_id:
                return error(403, "Cannot edit a message authored by another user", 50005)
            fake.store.edit(message, body, req.files)
            fake._cond.notify_all()
            return 200, public(copy.deepcopy(message))

    async def delete_message(self, req: Req) -> Reply:
        with self.fake._cond:
            message = self._message(req)
            if message is None:
                return error(404, "Unknown Message", 10008)
            message["deleted"] = True
            self.fake._cond.notify_all()
            return 204, None

    # -- guild --
    def _guild_ok(self, req: Req) -> bool:
        return req.params["guild"] in self.world.bot_guilds

    async def leave_guild(self, req: Req) -> Reply:
        """The bot leaves a guild: GUILD_DELETE follows on the gateway, as on Discord."""
        guild_id = req.params["guild"]
        fake = self.fake
        with fake._cond:
            if guild_id not in self.world.bot_guilds:
                return error(404, "Unknown Guild", 10004)
            self.world.bot_guilds.remove(guild_id)
            fake.left_guilds.append(guild_id)
            fake._cond.notify_all()
        await fake.gateway.dispatch("GUILD_DELETE", {"id": guild_id}, wait=1)
        return 204, None

    async def guild(self, req: Req) -> Reply:
        if not self._guild_ok(req):
            return error(404, "Unknown Guild", 10004)
        data = self.world.guild_payload(guild_id=req.params["guild"])
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            data.pop(key, None)
        if req.query.get("with_counts") in ("1", "true", "True"):
            data["approximate_member_count"] = (
                len(self.world.guild_members(req.params["guild"])) + 1
            )
            data["approximate_presence_count"] = 0
        return 200, data

    async def guild_channels(self, req: Req) -> Reply:
        if not self._guild_ok(req):
            return error(404, "Unknown Guild", 10004)
        return 200, [
            c
            for c in self.world.channels.values()
            if c["type"] == 0 and c["guild_id"] == req.params["guild"]
        ]

    async def guild_roles(self, req: Req) -> Reply:
        if not self._guild_ok(req):
            return error(404, "Unknown Guild", 10004)
        return 200, self.world.guild_roles(req.params["guild"])

    async def guild_member(self, req: Req) -> Reply:
        if not self._guild_ok(req):
            return error(404, "Unknown Guild", 10004)
        member = self.world.member_by_id(req.params["user_id"])
        in_guild = member is self.world.bot_member or (
            member is not None and self.world.guild_of(member) == req.params["guild"]
        )
        if member is None or not in_guild or member.key in self.world.departed:
            return error(404, "Unknown Member", 10007)
        return 200, self.world.member_payload(member)
