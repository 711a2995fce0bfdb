"""Interaction routes of the fake Discord: the callback, follow-ups and `@original`."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    Interaction,
)
from tests.fakes.discord_limits import (
    EPHEMERAL,
    LOADING,
    check_autocomplete,
    check_message,
    check_modal,
)
from tests.fakes.discord_messages import public
from tests.fakes.discord_rest import Reply, Req, RestRouter, error

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED = {
    APPLICATION_COMMAND: {MESSAGE, DEFERRED, MODAL},
    COMPONENT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE},
}
UNKNOWN_INTERACTION = (404, {"message": "Unknown interaction", "code": 10062})
UNKNOWN_WEBHOOK = (404, {"message": "Unknown Webhook", "code": 10015})


class InteractionRoutes:
    def __init__(self, fake: FakeDiscord, router: RestRouter) -> None:
        self.fake = fake
        self.world = fake.world
        add = router.add
        add("POST", "/interactions/{id}/{token}/callback", self.callback, auth=False)
        add("POST", "/webhooks/{app}/{token}", self.followup, auth=False)
        for method, handler in (("GET", self.get), ("PATCH", self.edit), ("DELETE", self.delete)):
            add(method, "/webhooks/{app}/{token}/messages/{message}", handler, auth=False)

    # -- callback --
    async def callback(self, req: Req) -> Reply:
        fake = self.fake
        body = req.json if isinstance(req.json, dict) else {}
        kind, data = body.get("type"), body.get("data") or {}
        with fake._cond:
            inter = fake._interactions.get(req.params["id"])
            if inter is None or inter.token != req.params["token"]:
                return UNKNOWN_INTERACTION
            inter.responses.append(copy.deepcopy(body))
            fake._cond.notify_all()
            if inter.response_type is not None:
                return error(400, "Interaction has already been acknowledged.", 40060)
            elapsed = req.received_at - (inter.dispatched_at or req.received_at)
            if inter.first_response_seconds is None:
                inter.first_response_seconds = elapsed
                fake.first_response_times.append(elapsed)
            if elapsed > fake.callback_deadline:
                fake._violate(
                    f"interaction {inter.id}: first response after {elapsed:.2f}s "
                    f"(Discord allows {fake.callback_deadline}s)"
                )
                return UNKNOWN_INTERACTION
        if kind not in ALLOWED.get(inter.type, set()):
            problem = f"callback type {kind} is not valid for interaction type {inter.type}"
            return fake._reject(req, [problem], always=True)
        if kind in (UPDATE, DEFERRED_UPDATE) and "message" not in inter.payload:
            return fake._reject(
                req, [f"callback type {kind} needs a message to update"], always=True
            )
        problems = {
            MESSAGE: lambda: check_message(data, creating=not req.files),
            UPDATE: lambda: check_message(data, creating=False),
            MODAL: lambda: check_modal(data),
            AUTOCOMPLETE_RESULT: lambda: check_autocomplete(data),
        }.get(kind, list)()
        if problems and (rejected := fake._reject(req, problems)):
            return rejected
        created = None
        with fake._cond:
            inter.response_type = kind
            result: dict[str, Any] = {"id": inter.id, "type": inter.type}
            if kind in (MESSAGE, DEFERRED):
                flags = int(data.get("flags") or 0) & EPHEMERAL
                if kind == DEFERRED:
                    data = {"flags": flags | LOADING}
                message = fake.store.create(
                    self._channel(inter),
                    self.world.bot_member,
                    data,
                    files=req.files,
                    interaction=inter.payload,
                    message_type=20 if inter.type == 2 else 0,
                )
                inter.original_id = message["id"]
                inter._record("callback", message, visible=kind == MESSAGE)
                created = message if not flags else None
                result.update(
                    response_message_id=message["id"],
                    response_message_loading=kind == DEFERRED,
                    response_message_ephemeral=bool(flags),
                )
            elif kind in (UPDATE, DEFERRED_UPDATE):
                message = fake.store.by_id[inter.payload["message"]["id"]]
                inter.original_id = message["id"]
                if kind == UPDATE:
                    fake.store.edit(message, data, req.files)
                    inter._record("update", message, visible=True)
                result.update(
                    response_message_id=message["id"],
                    response_message_loading=False,
                    response_message_ephemeral=message["ephemeral"],
                )
            elif kind == MODAL:
                inter.modal = copy.deepcopy(data)
                fake._modals[data["custom_id"]] = inter
            elif kind == AUTOCOMPLETE_RESULT:
                inter.choices = copy.deepcopy(data.get("choices") or [])
            reply: dict[str, Any] = {"interaction": result}
            if kind in (MESSAGE, UPDATE):
                reply["resource"] = {"type": kind, "message": public(copy.deepcopy(message))}
            fake._cond.notify_all()
        if created is not None:
            await fake._message_created(created)
        if req.query.get("with_response") in ("1", "true", "True"):
            return 200, reply
        return 204, None

    def _channel(self, inter: Interaction) -> dict[str, Any]:
        return self.world.channels[inter.channel_id]

    # -- webhooks (follow-ups, @original) --
    def _interaction(self, req: Req) -> Interaction | None:
        if req.params["app"] != self.world.application_id:
            return None
        return self.fake._by_token.get(req.params["token"])

    async def followup(self, req: Req) -> Reply:
        fake = self.fake
        body = req.json if isinstance(req.json, dict) else {}
        with fake._cond:
            inter = self._interaction(req)
            if inter is None or inter.response_type in (None, AUTOCOMPLETE_RESULT, MODAL):
                return UNKNOWN_WEBHOOK
        problems = check_message(body, creating=not req.files)
        if problems and (rejected := fake._reject(req, problems)):
            return rejected
        created = None
        with fake._cond:
            original = fake.store.by_id.get(inter.original_id or "")
            if (
                inter.response_type == DEFERRED
                and original is not None
                and original["flags"] & LOADING
            ):
                # Discord: the first follow-up after a deferral edits the loading message.
                body = {k: v for k, v in body.items() if k != "flags"}
                fake.store.edit(original, body, req.files)
                fake.store.finish_loading(original)
                message = original
                created = None if original["ephemeral"] else original
            else:
                message = fake.store.create(
                    self._channel(inter),
                    self.world.bot_member,
                    body,
                    files=req.files,
                    interaction=inter.payload,
                )
                created = None if message["ephemeral"] else message
            inter.followup_ids.append(message["id"])
            inter._record("followup", message, visible=True)
            fake._cond.notify_all()
            out = public(copy.deepcopy(message))
        if created is not None:
            await fake._message_created(created)
        if req.query.get("wait") in ("1", "true", "True"):
            return 200, out
        return 204, None

    def _target(self, inter: Interaction, message_id: str) -> dict[str, Any] | None:
        if message_id == "@original":
            message_id = inter.original_id or ""
        elif message_id not in inter.followup_ids and message_id != inter.original_id:
            return None
        message = self.fake.store.by_id.get(message_id)
        return None if message is None or message["deleted"] else message

    async def get(self, req: Req) -> Reply:
        with self.fake._cond:
            inter = self._interaction(req)
            if inter is None:
                return UNKNOWN_WEBHOOK
            message = self._target(inter, req.params["message"])
            if message is None:
                return error(404, "Unknown Message", 10008)
            return 200, public(copy.deepcopy(message))

    async def edit(self, req: Req) -> Reply:
        fake = self.fake
        body = req.json if isinstance(req.json, dict) else {}
        problems = check_message(body, creating=False)
        if problems and (rejected := fake._reject(req, problems)):
            return rejected
        with fake._cond:
            inter = self._interaction(req)
            if inter is None:
                return UNKNOWN_WEBHOOK
            message = self._target(inter, req.params["message"])
            if message is None:
                return error(404, "Unknown Message", 10008)
            fake.store.edit(message, body, req.files)
            fake.store.finish_loading(message)
            is_original = req.params["message"] in ("@original", inter.original_id)
            inter._record(
                "original_edit" if is_original else "followup_edit", message, visible=True
            )
            fake._cond.notify_all()
            return 200, public(copy.deepcopy(message))

    async def delete(self, req: Req) -> Reply:
        with self.fake._cond:
            inter = self._interaction(req)
            if inter is None:
                return UNKNOWN_WEBHOOK
            message = self._target(inter, req.params["message"])
            if message is None:
                return error(404, "Unknown Message", 10008)
            message["deleted"] = True
            inter._record("delete", message, visible=False)
            self.fake._cond.notify_all()
            return 204, None
