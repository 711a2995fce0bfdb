"""Messages stored by the fake Discord, with the fake-only facts tests assert on.

A stored message is Discord's message object plus these extra keys (never sent to clients):
`pinged` (set of "@everyone", "@here", "user:<key>", "role:<name>" that WOULD be notified,
accumulated over edits), `ephemeral` (bool), `allowed_mentions` (as last sent) and
`interaction_id` (the interaction it answers, if any).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.fakes.discord_interactions import UploadedFile, attachment_object
from tests.fakes.discord_limits import EPHEMERAL, LOADING
from tests.fakes.discord_world import Member, World, iso_now

FAKE_KEYS = ("pinged", "ephemeral", "allowed_mentions", "interaction_id", "deleted")
EDITABLE = ("content", "embeds", "components", "flags", "attachments", "poll")


def public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Discord returns it (without the fake-only keys)."""
    return {k: v for k, v in message.items() if k not in FAKE_KEYS}


class MessageStore:
    def __init__(self, world: World) -> None:
        self.world = world
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_channel: dict[str, list[str]] = {}

    def create(
        self,
        channel: dict[str, Any],
        author: Member,
        body: dict[str, Any],
        *,
        files: Sequence[UploadedFile] = (),
        interaction: dict[str, Any] | None = None,
        message_type: int = 0,
    ) -> dict[str, Any]:
        world = self.world
        message_id = world.ids.next()
        flags = int(body.get("flags") or 0)
        message: dict[str, Any] = {
            "id": message_id,
            "type": message_type,
            "channel_id": channel["id"],
            "author": author.user,
            "content": "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "mention_channels": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "reactions": [],
            "pinned": False,
            "flags": flags,
            "nonce": body.get("nonce"),
            "pinned_at": None,
            "pinned_by": None,
            "pinned_reason": None,
        }
        if channel.get("type") == 0:
            message["guild_id"] = world.guild_id
            if author is not world.bot_member or interaction is None:
                member = world.member_payload(author)
                member.pop("user")
                message["member"] = member
        if interaction is not None:
            message["webhook_id"] = world.application_id
            message["application_id"] = world.application_id
            message["interaction_metadata"] = {
                "id": interaction["id"],
                "type": interaction["type"],
                "user": _interaction_user(interaction),
                "authorizing_integration_owners": interaction.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction["type"] == 2:
                message["interaction_metadata"]["name"] = interaction["data"]["name"]
                message["interaction_metadata"]["command_type"] = interaction["data"]["type"]
        message.update(
            pinged=set(),
            ephemeral=bool(flags & EPHEMERAL),
            allowed_mentions=None,
            interaction_id=interaction["id"] if interaction else None,
            deleted=False,
        )
        self._apply(message, body, files)
        self.by_id[message_id] = message
        self.by_channel.setdefault(channel["id"], []).append(message_id)
        channel["last_message_id"] = message_id
        return message

    def edit(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        files: Sequence[UploadedFile] = (),
    ) -> dict[str, Any]:  # type: ignore[assignment]
        if "flags" in body:
            keep = message["flags"] & (EPHEMERAL | LOADING)
            body = {**body, "flags": (int(body["flags"] or 0) & ~LOADING) | (keep & EPHEMERAL)}
        message["edited_timestamp"] = iso_now()
        self._apply(message, body, files)
        return message

    def finish_loading(self, message: dict[str, Any]) -> None:
        message["flags"] &= ~LOADING

    def _apply(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        files: Sequence[UploadedFile],
    ) -> None:
        for key in EDITABLE:
            if key in body and key != "attachments":
                value = body[key]
                message[key] = value if value is not None else ("" if key == "content" else [])
        if "attachments" in body or files:
            kept = []
            by_index = {str(i): f for i, f in enumerate(files)}
            for item in body.get("attachments") or []:
                existing = next(
                    (a for a in message["attachments"] if a["id"] == str(item.get("id"))), None
                )
                if existing is not None:
                    kept.append(existing)
                elif str(item.get("id")) in by_index:
                    upload = by_index.pop(str(item.get("id")))
                    kept.append(
                        attachment_object(
                            self.world.ids.next(),
                            item.get("filename") or upload.filename,
                            upload.size,
                            upload.content_type,
                            world=self.world,
                            data=upload.data,
                            description=item.get("description"),
                        )
                    )
            for upload in by_index.values():
                kept.append(
                    attachment_object(
                        self.world.ids.next(),
                        upload.filename,
                        upload.size,
                        upload.content_type,
                        world=self.world,
                        data=upload.data,
                    )
                )
            message["attachments"] = kept
        for embed in message["embeds"]:
            embed.setdefault("type", "rich")
        allowed = body.get("allowed_mentions", message["allowed_mentions"])
        message["allowed_mentions"] = allowed
        pinged, users, roles, everyone = self.world.pings(message["content"] or "", allowed)
        message["pinged"] |= pinged
        message["mentions"], message["mention_roles"] = users, roles
        message["mention_everyone"] = everyone

    def in_channel(self, channel_id: str, *, include_ephemeral: bool = False) -> list[dict]:
        messages = [self.by_id[i] for i in self.by_channel.get(channel_id, [])]
        return [
            m for m in messages if not m["deleted"] and (include_ephemeral or not m["ephemeral"])
        ]


def _interaction_user(interaction: dict[str, Any]) -> dict[str, Any]:
    member = interaction.get("member")
    return member["user"] if member else interaction["user"]
