"""Interaction payloads as Discord sends them, and the `Interaction` handle tests wait on."""

from __future__ import annotations

import copy
import itertools
import mimetypes
import secrets
import threading
import time
from typing import Any, NamedTuple

from tests.fakes.discord_world import Member, World

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


class Interaction:
    """One dispatched interaction and everything the bot did in answer to it.

    Updated by the fake's server thread; every wait is safe to call from test code.
    """

    def __init__(self, cond: threading.Condition, payload: dict[str, Any], user: str) -> None:
        self._cond = cond
        self.payload = payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.channel_id: str = payload["channel_id"]
        self.dispatched_at: float | None = None  # time.monotonic() when sent on the gateway
        self.responses: list[dict[str, Any]] = []  # every callback body received, in order
        self.first_response_seconds: float | None = None
        self.response_type: int | None = None  # type of the accepted (first) callback
        self.modal: dict[str, Any] | None = None  # data of a type 9 (MODAL) response
        self.choices: list[dict[str, Any]] | None = None  # data.choices of a type 8 response
        self.original_id: str | None = None  # message that `@original` refers to
        self.followup_ids: list[str] = []
        self.messages: list[dict[str, Any]] = []  # snapshots: callback, edits, follow-ups
        self._final: dict[str, Any] | None = None
        self._changes = 0

    # -- recorded by the fake (under its lock) --
    def _record(self, kind: str, message: dict[str, Any], *, visible: bool) -> None:
        snapshot = copy.deepcopy(message)
        snapshot["kind"] = kind
        self.messages.append(snapshot)
        if visible:
            self._final = snapshot
        self._changes += 1

    # -- for tests --
    def _wait(self, predicate: Any, timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise TimeoutError(
                    f"interaction {self.id} ({self.user}): no {what} within {timeout}s; "
                    f"callbacks so far: {[r.get('type') for r in self.responses]}"
                )

    def wait_response(self, timeout: float = 5) -> dict[str, Any]:
        """The first callback body (`{"type": ..., "data": ...}`)."""
        self._wait(lambda: self.responses, timeout, "callback")
        return self.responses[0]

    def wait_followup(self, timeout: float = 5, index: int = 0) -> dict[str, Any]:
        """The `index`-th follow-up message (snapshot when it was sent)."""

        def ready() -> bool:
            return len([m for m in self.messages if m["kind"] == "followup"]) > index

        self._wait(ready, timeout, f"follow-up #{index}")
        return [m for m in self.messages if m["kind"] == "followup"][index]

    def wait_final(self, timeout: float = 5, quiet: float = 0.0) -> dict[str, Any]:
        """The latest visible message: the response message, or after a deferral the
        `@original` edit or first follow-up. With `quiet`, waits until nothing changed for
        that many seconds. For modal/autocomplete responses, returns the callback body."""
        self._wait(
            lambda: self._final is not None or self.response_type in (8, 9),
            timeout,
            "visible response",
        )
        deadline = time.monotonic() + timeout
        while quiet > 0:
            with self._cond:
                seen = self._changes
                self._cond.wait_for(lambda seen=seen: self._changes != seen, quiet)
                if self._changes == seen or time.monotonic() > deadline:
                    break
        with self._cond:
            return self._final if self._final is not None else self.responses[0]

    @property
    def ephemeral(self) -> bool | None:
        final = self._final
        return None if final is None else bool(final.get("flags", 0) & 64)

    def __repr__(self) -> str:
        return (
            f"<Interaction {self.id} type={self.type} user={self.user} resp={self.response_type}>"
        )


def new_token() -> str:
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)


def base_payload(
    world: World,
    interaction_id: str,
    kind: int,
    member: Member,
    channel: dict[str, Any],
    locale: str,
) -> dict[str, Any]:
    """The fields every guild interaction carries."""
    app_permissions = world.permissions(world.bot_member, channel)
    in_guild = channel.get("type") == 0
    payload: dict[str, Any] = {
        "id": interaction_id,
        "application_id": world.application_id,
        "type": kind,
        "token": new_token(),
        "version": 1,
        "channel_id": channel["id"],
        "channel": {k: v for k, v in channel.items() if k != "recipients"}
        | {"permissions": str(world.permissions(member, channel))},
        "locale": locale,
        "app_permissions": str(app_permissions),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if in_guild:
        guild_id = channel["guild_id"]
        payload.update(
            guild_id=guild_id,
            guild={"id": guild_id, "locale": world.guild_locale, "features": []},
            guild_locale=world.guild_locale,
            member=world.member_payload(member, channel),
            authorizing_integration_owners={"0": guild_id},
            context=0,
        )
    else:
        payload.update(
            user=member.user, authorizing_integration_owners={"0": world.guild_id}, context=1
        )
    return payload


def find_option(options: list[dict[str, Any]], name: str, where: str) -> dict[str, Any]:
    for option in options:
        if option["name"] == name:
            return option
    known = [o["name"] for o in options]
    raise ValueError(f"{where} has no option {name!r}; it has {known}")


def build_options(
    world: World,
    definition: dict[str, Any],
    subcommand: str | None,
    values: dict[str, Any],
    focused: str | None,
    channel: dict[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Interaction `data.options` (nested for subcommand groups) and `data.resolved`."""
    resolved: dict[str, dict[str, Any]] = {}
    path = subcommand.split() if subcommand else []
    level: list[dict[str, Any]] = definition.get("options") or []
    where = f"/{definition['name']}"
    chain: list[dict[str, Any]] = []
    for name in path:
        option = find_option(level, name, where)
        if option["type"] not in (1, 2):
            raise ValueError(f"{where} {name!r} is not a subcommand or group")
        chain.append({"type": option["type"], "name": name, "options": []})
        level = option.get("options") or []
        where += f" {name}"
    if any(o["type"] in (1, 2) for o in level):
        raise ValueError(f"{where} needs a subcommand: {[o['name'] for o in level]}")
    leaf: list[dict[str, Any]] = []
    for name, value in values.items():
        odef = find_option(level, name, where)
        is_focused = name == focused
        item = {
            "type": odef["type"],
            "name": name,
            "value": _value(world, odef, value, resolved, channel, is_focused, where),
        }
        if is_focused:
            item["focused"] = True
        leaf.append(item)
    if focused is not None and focused not in values:
        odef = find_option(level, focused, where)
        leaf.append({"type": odef["type"], "name": focused, "value": "", "focused": True})
    if focused is None:
        missing = [o["name"] for o in level if o.get("required") and o["name"] not in values]
        if missing:
            raise ValueError(f"{where}: required options missing: {missing}")
    if not chain:
        return leaf, resolved
    chain[-1]["options"] = leaf
    for outer, inner in itertools.pairwise(chain):
        outer["options"] = [inner]
    return [chain[0]], resolved


def _value(
    world: World, odef: dict, value: Any, resolved: dict, channel: dict, focused: bool, where: str
) -> Any:
    kind, name = odef["type"], odef["name"]
    if focused:
        return str(value) if kind == STRING else value
    choices = [c["value"] for c in odef.get("choices") or []]
    if choices and value not in choices:
        raise ValueError(f"{where} {name}: {value!r} is not one of the choices {choices}")
    if kind == STRING:
        value = str(value)
        low, high = odef.get("min_length", 0), odef.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise ValueError(f"{where} {name}: length {len(value)} outside {low}..{high}")
        return value
    if kind in (INTEGER, NUMBER):
        value = int(value) if kind == INTEGER else float(value)
        low, high = odef.get("min_value"), odef.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{where} {name}: {value} outside {low}..{high}")
        return value
    if kind == BOOLEAN:
        return bool(value)
    if kind in (USER, MENTIONABLE) and (
        kind == USER or world.member_by_id(str(value)) or str(value) in world.members
    ):
        member = world.member_by_id(str(value)) or world.member(str(value))
        resolved.setdefault("users", {})[member.id] = member.user
        data = world.member_payload(member, channel)
        data.pop("user")
        resolved.setdefault("members", {})[member.id] = data
        return member.id
    if kind in (ROLE, MENTIONABLE):
        role = world.role_by_name(str(value))
        if role is None:
            raise ValueError(f"{where} {name}: unknown role {value!r}")
        resolved.setdefault("roles", {})[role["id"]] = role
        return role["id"]
    if kind == CHANNEL:
        target = world.channel(str(value))
        resolved.setdefault("channels", {})[target["id"]] = {
            k: target.get(k) for k in ("id", "type", "name", "parent_id", "topic", "nsfw", "flags")
        } | {"permissions": str(world.permissions(world.bot_member, target))}
        return target["id"]
    if kind == ATTACHMENT:
        filename, size = (value, 0) if isinstance(value, str) else value
        blob = bytes(size) if isinstance(size, bytes | bytearray) else b""
        size = len(size) if isinstance(size, bytes | bytearray) else int(size)
        attachment = attachment_object(world.ids.next(), filename, size, world=world, data=blob)
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return attachment["id"]
    raise ValueError(f"{where} {name}: unsupported option type {kind}")


class UploadedFile(NamedTuple):
    """A file in a message: uploaded by the bot, or attached by a member in a test."""

    filename: str
    size: int
    content_type: str | None = None
    data: bytes = b""


def attachment_object(
    attachment_id: str,
    filename: str,
    size: int,
    content_type: str | None = None,
    *,
    world: Any = None,
    data: bytes | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """An attachment; with `world`, its URL is served by the fake itself (its `/cdn/` route)
    and returns `data`. `description` is its alt text, as the sender gave it."""
    base = getattr(world, "cdn_base", None)
    if base:
        url = f"{base}/attachments/{attachment_id}/{filename}"
        world.blobs[attachment_id] = data or b""
    else:
        url = f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{filename}"
    content_type = content_type or mimetypes.guess_type(filename)[0]
    attachment = {
        "id": attachment_id,
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": content_type or "application/octet-stream",
    }
    if description is not None:
        attachment["description"] = description
    return attachment


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        for key in ("components",):
            found = find_component(component.get(key) or [], custom_id)
            if found:
                return found
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                found = find_component([component[key]], custom_id)
                if found:
                    return found
    return None


def modal_components(modal: dict[str, Any] | None, fields: dict[str, Any]) -> list[dict]:
    """The `data.components` of a MODAL_SUBMIT, mirroring the modal's layout."""
    if modal is None:
        return [
            {"type": 1, "components": [_submitted({"type": 4, "custom_id": k}, v)]}
            for k, v in fields.items()
        ]
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            row = [_input(item, fields, used, modal) for item in top.get("components") or []]
            out.append({"type": 1, "id": top.get("id", 0), "components": row})
        elif top.get("type") == 18:
            inner = _input(top["component"], fields, used, modal)
            out.append({"type": 18, "id": top.get("id", 0), "component": inner})
        elif top.get("type") == 10:
            out.append({"type": 10, "id": top.get("id", 0)})
    unknown = set(fields) - used
    if unknown:
        raise ValueError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(unknown)}")
    return out


def _input(item: dict, fields: dict[str, Any], used: set[str], modal: dict) -> dict:
    custom_id = item.get("custom_id", "")
    used.add(custom_id)
    value = fields.get(custom_id)
    if value is None:
        value = item.get("value") or ("" if item.get("type") == 4 else [])
    if item.get("type") == 4:
        value = str(value)
        if item.get("required", True) and not value:
            raise ValueError(f"modal {modal.get('custom_id')!r}: {custom_id!r} is required")
        low, high = item.get("min_length") or 0, item.get("max_length") or 4000
        if value and not low <= len(value) <= high:
            raise ValueError(f"modal input {custom_id!r}: length {len(value)} not in {low}..{high}")
    return _submitted(item, value)


def _submitted(item: dict[str, Any], value: Any) -> dict[str, Any]:
    data = {"type": item["type"], "id": item.get("id", 0), "custom_id": item.get("custom_id")}
    if item["type"] == 4:
        data["value"] = value
    else:
        data["values"] = list(value) if isinstance(value, list | tuple) else [value]
    return data
