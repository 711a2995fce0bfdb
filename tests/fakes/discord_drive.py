"""How the fake Discord acts like Discord users: slash commands, autocomplete, context menus,
button clicks, select menus, modal submits and plain member messages (`FakeDiscord` mixin)."""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_gateway import GUILD_MEMBERS, GUILD_MESSAGES, MESSAGE_CONTENT
from tests.fakes.discord_interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    Interaction,
    UploadedFile,
    base_payload,
    build_options,
    find_component,
    modal_components,
)
from tests.fakes.discord_messages import MessageStore, public
from tests.fakes.discord_world import ADMINISTRATOR, World

if TYPE_CHECKING:
    from tests.fakes.discord_gateway import Gateway
    from tests.fakes.server_thread import ServerThread


class DriveMixin:
    """Sync, thread-safe methods; `user` is "owner", "admin", "author" or "outsider"."""

    world: World
    store: MessageStore
    gateway: Gateway
    _cond: threading.Condition
    _server: ServerThread
    _commands: dict[str, list[dict[str, Any]]]
    _interactions: dict[str, Interaction]
    _by_token: dict[str, Interaction]
    _modals: dict[str, Interaction]
    intents: int | None
    settle: float
    gateway_delivery: bool
    _inflight: int
    _last_reply: float

    def channel_id(self, name: str) -> str:
        return self.world.channel(name)["id"]

    async def _message_created(self, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE for a new visible message, if the bot asked for GUILD_MESSAGES."""
        intents = self.intents or 0
        if not intents & GUILD_MESSAGES or self.gateway.connection is None:
            return
        data = public(copy.deepcopy(message))
        bot_id = self.world.application_id
        mentioned = any(u["id"] == bot_id for u in data["mentions"])
        if not intents & MESSAGE_CONTENT and data["author"]["id"] != bot_id and not mentioned:
            data.update(content="", embeds=[], attachments=[], components=[])
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await self.gateway.dispatch("MESSAGE_CREATE", data, wait=1)

    def _settle(self) -> None:
        """Like a human, act only once the bot's requests were answered `settle` s ago (the
        bot must e.g. register a view from a response before its button can be clicked)."""
        if not self.gateway_delivery:
            return  # the test runs each interaction itself, in the bot's event loop
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self._cond:
                idle = self._inflight == 0
                wait = self.settle - (time.monotonic() - self._last_reply)
            if idle and wait <= 0:
                return
            time.sleep(max(wait, 0.005))

    def _dispatch(
        self,
        kind: int,
        user: str,
        channel: str,
        locale: str,
        data: dict[str, Any] | None,
        **extra: Any,
    ) -> Interaction:
        self._settle()
        world = self.world
        member = world.member(user)
        target = world.channel(channel)
        payload = base_payload(world, world.ids.next(), kind, member, target, locale)
        if data is not None:
            payload["data"] = data
        payload.update(extra)
        inter = Interaction(self._cond, payload, user)
        with self._cond:
            self._interactions[inter.id] = inter
            self._by_token[inter.token] = inter
        if not self.gateway_delivery:  # the test builds the interaction from the payload
            inter.dispatched_at = time.monotonic()
            return inter

        def sending(at: float) -> None:
            with self._cond:
                inter.dispatched_at = at

        async def send() -> None:
            await self.gateway.dispatch("INTERACTION_CREATE", payload, before_send=sending)

        self._deliver(send())
        return inter

    def _deliver(self, sending: Coroutine[Any, Any, None]) -> None:
        """Write a gateway event and return once it is written (a subclass may queue it)."""
        self._server.call(sending)

    def _command(self, name: str, kind: int, channel: str = "writing") -> dict[str, Any]:
        """The command as registered for the channel's guild, or globally."""
        guild_id = self.world.channel(channel).get("guild_id", "")
        with self._cond:
            scoped = self._commands.get(guild_id, []) + self._commands.get("global", [])
        for command in scoped:
            if command["name"] == name and command["type"] == kind:
                return copy.deepcopy(command)
        known = sorted(c["name"] for c in scoped if c["type"] == kind)
        raise ValueError(f"no registered command {name!r} of type {kind}; registered: {known}")

    def _check_visible(self, command: dict[str, Any], user: str) -> None:
        """Discord only offers a command with `default_member_permissions` to members having
        all those permissions ("0": administrators only)."""
        required = command.get("default_member_permissions")
        if required is None:
            return
        required = int(required)
        perms = self.world.base_permissions(self.world.member(user))
        if not perms & ADMINISTRATOR and (required == 0 or perms & required != required):
            raise PermissionError(
                f"Discord would not offer {command['name']!r} to {user!r} "
                f"(default_member_permissions={required}); pass force=True to send anyway"
            )

    def slash(
        self,
        user: str,
        command: str,
        subcommand: str | None = None,
        options: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
        channel: str = "writing",
        focused: str | None = None,
        force: bool = False,
    ) -> Interaction:
        """A slash command (type 2), or with `focused` an autocomplete (type 4) interaction.
        `subcommand` is "sub" or "group sub"; option types come from the registered command."""
        definition = self._command(command, 1, channel)
        if not force:
            self._check_visible(definition, user)
        target = self.world.channel(channel)
        opts, resolved = build_options(
            self.world, definition, subcommand, options or {}, focused, target
        )
        data: dict[str, Any] = {"id": definition["id"], "name": command, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in definition:
            data["guild_id"] = definition["guild_id"]
        kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
        return self._dispatch(kind, user, channel, locale, data)

    def message_command(
        self,
        user: str,
        command_name: str,
        target_message_id: str,
        *,
        locale: str = "en-US",
        force: bool = False,
    ) -> Interaction:
        """A message context-menu command (type 2, data.type 3) on a stored message."""
        with self._cond:
            target = public(copy.deepcopy(self.store.by_id[str(target_message_id)]))
        channel = self.world.channels[target["channel_id"]]["name"]
        definition = self._command(command_name, 3, channel)
        if not force:
            self._check_visible(definition, user)
        self._settle()
        data = {
            "id": definition["id"],
            "name": command_name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if "guild_id" in definition:
            data["guild_id"] = definition["guild_id"]
        return self._dispatch(APPLICATION_COMMAND, user, channel, locale, data)

    def button(
        self, user: str, custom_id: str, message_id: str, *, locale: str = "en-US"
    ) -> Interaction:
        """Click a button (or pick `values` with `select`) on a stored message."""
        return self._component(user, custom_id, message_id, locale, None)

    def select(
        self,
        user: str,
        custom_id: str,
        message_id: str,
        values: list[str],
        *,
        locale: str = "en-US",
    ) -> Interaction:
        return self._component(user, custom_id, message_id, locale, values)

    def _component(
        self, user: str, custom_id: str, message_id: str, locale: str, values: list[str] | None
    ) -> Interaction:
        self._settle()
        with self._cond:
            stored = self.store.by_id[str(message_id)]
            if stored["deleted"]:
                raise ValueError(f"message {message_id} was deleted")
            message = public(copy.deepcopy(stored))
        component = find_component(message["components"], custom_id)
        if component is None:
            raise ValueError(f"message {message_id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; Discord would not send it")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component.get("id") is not None:
            data["id"] = component["id"]
        if values is not None:
            data["values"] = list(values)
        channel = self.world.channels[message["channel_id"]]["name"]
        return self._dispatch(COMPONENT, user, channel, locale, data, message=message)

    def modal_submit(
        self,
        user: str,
        custom_id: str,
        fields: dict[str, Any],
        *,
        locale: str = "en-US",
        message: str | None = None,
        channel: str | None = None,
    ) -> Interaction:
        """Submit the modal the bot showed `user` with `custom_id` (layout mirrored from it;
        unknown inputs, missing required ones or bad lengths raise ValueError). Without such
        a modal, text inputs are sent in action rows."""
        self._settle()
        with self._cond:
            shown = self._modals.get(custom_id)
        if shown is not None and shown.user != user:
            raise ValueError(f"modal {custom_id!r} was shown to {shown.user!r}, not {user!r}")
        modal = shown.modal if shown else None
        data = {"custom_id": custom_id, "components": modal_components(modal, fields)}
        with self._cond:  # a shown modal closes when it is submitted
            if self._modals.get(custom_id) is shown:
                self._modals.pop(custom_id, None)
        extra: dict[str, Any] = {}
        source = message or (shown.payload.get("message", {}).get("id") if shown else None)
        if source:
            with self._cond:
                extra["message"] = public(copy.deepcopy(self.store.by_id[str(source)]))
        if channel is None:
            channel_id = shown.channel_id if shown else self.channel_id("writing")
            channel = self.world.channels[channel_id]["name"]
        return self._dispatch(MODAL_SUBMIT, user, channel, locale, data, **extra)

    def join(self, guild: str = "other") -> None:
        """A server adds the bot ("other": the guild nobody allowed): GUILD_CREATE follows."""
        world = self.world
        guild_id = world.other_guild_id if guild == "other" else guild
        with self._cond:
            if guild_id not in world.bot_guilds:
                world.bot_guilds.append(guild_id)
            payload = world.guild_payload(
                all_members=bool((self.intents or 0) & GUILD_MEMBERS), guild_id=guild_id
            )
            payload.pop("unavailable")  # Discord omits it when the bot joins a new guild
        self._server.call(self.gateway.dispatch("GUILD_CREATE", payload))

    def remove_role(self, user: str, role: str) -> None:
        """An admin takes a role from a member (the bot sees it in the next interaction or
        member lookup: without the privileged members intent no update is sent)."""
        with self._cond:
            self.world.member(user).roles.remove(self.world.role_ids[role])

    def add_role(self, user: str, role: str) -> None:
        """An admin gives a member a role."""
        with self._cond:
            self.world.member(user).roles.append(self.world.role_ids[role])

    def member_leaves(self, user: str) -> None:
        """A member leaves their server (the bot gets no event without the members intent)."""
        with self._cond:
            self.world.departed.add(user)

    def post_user_message(
        self, user: str, channel: str, content: str, attachments: Any = ()
    ) -> str:
        """A message written by a member (for context menus); returns its id.
        `attachments`: filenames or (filename, bytes) pairs."""
        files = []
        for item in attachments:
            name, blob = (item, b"") if isinstance(item, str) else item
            files.append(UploadedFile(name, len(blob), None, blob))
        target = self.world.channel(channel)
        member = self.world.member(user)
        with self._cond:
            message = self.store.create(target, member, {"content": content}, files=files)
            self._cond.notify_all()
        self._server.call(self._message_created(message))
        return message["id"]
