"""The guild, members and permissions that the fake Discord serves (see `discord_server.py`).

One guild with `#announcements` and `#writing`, roles `@everyone`, `Admin`, `Author` and the bot's
managed role, and the members `owner`, `admin` (MANAGE_GUILD through the Admin role), `author`
(has the Author role), `outsider` (no roles) and the bot user itself.

A second guild, "Stranger's Server" (`other_guild_id`), that no test allows: its channel
`#elsewhere` and its owner `stranger`. The bot is in it only after `join` (or `bot_guilds`).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
ADMIN_PERMISSIONS = MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_CHANNELS | MENTION_EVERYONE
BOT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY


class Snowflakes:
    """Realistic 64-bit snowflakes (timestamp, worker, process, increment), as strings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._increment = 0

    def next(self) -> str:
        with self._lock:
            ms = max(int(time.time() * 1000) - DISCORD_EPOCH_MS, self._last_ms)
            if ms == self._last_ms:
                self._increment += 1
                if self._increment >= 4096:
                    ms, self._increment = ms + 1, 0
            else:
                self._increment = 0
            self._last_ms = ms
            return str((ms << 22) | (1 << 17) | (0 << 12) | self._increment)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class Member:
    key: str
    user: dict[str, Any]
    roles: list[str] = field(default_factory=list)
    timed_out_until: str | None = None  # ISO 8601, as communication_disabled_until
    guild_id: str = ""  # the guild this member belongs to ("": the main guild)

    @property
    def id(self) -> str:
        return self.user["id"]


@dataclass
class World:
    """All static data of the fake guild; ids are fresh snowflakes per instance."""

    ids: Snowflakes
    guild_locale: str = "en-US"
    guild_name: str = "Diary Test Guild"
    bot_name: str = "diary-bot"
    bot_public: bool = False  # the application's "Public Bot" switch

    def __post_init__(self) -> None:
        self.cdn_base = ""  # set when the fake starts: attachments are served by the fake
        self.blobs: dict[str, bytes] = {}
        new = self.ids.next
        self.application_id = new()
        self.bot_user = _user(self.application_id, self.bot_name, bot=True)
        self.guild_id = new()
        self.joined_at = iso_now()
        self.roles: dict[str, dict[str, Any]] = {}  # id -> role object
        everyone = self._role(self.guild_id, "@everyone", 0, EVERYONE_PERMISSIONS)
        admin_role = self._role(new(), "Admin", 3, ADMIN_PERMISSIONS, hoist=True)
        author_role = self._role(new(), "Author", 1, 0)
        bot_role = self._role(new(), self.bot_name, 2, BOT_PERMISSIONS, managed=True)
        bot_role["tags"] = {"bot_id": self.application_id}
        self.role_ids = {
            "@everyone": everyone["id"],
            "Admin": admin_role["id"],
            "Author": author_role["id"],
            self.bot_name: bot_role["id"],
        }
        self.members: dict[str, Member] = {}
        for key, roles in (
            ("owner", []),
            ("admin", [admin_role["id"]]),
            ("author", [author_role["id"]]),
            ("outsider", []),
        ):
            self.members[key] = Member(key, _user(new(), key), roles)
        self.bot_member = Member("bot", self.bot_user, [bot_role["id"]])
        self.owner_id = self.members["owner"].id
        self.channels: dict[str, dict[str, Any]] = {}  # id -> channel object
        self.channel_ids: dict[str, str] = {}  # name -> id
        # The second guild: nobody allowed it; only its owner is in it (and the bot, if added).
        self.other_guild_id = new()
        self.role_guilds = {role_id: self.guild_id for role_id in self.roles}
        self._role(self.other_guild_id, "@everyone", 0, EVERYONE_PERMISSIONS)
        other_bot_role = self._role(new(), self.bot_name, 1, BOT_PERMISSIONS, managed=True)
        other_bot_role["tags"] = {"bot_id": self.application_id}
        self.other_bot_role_id = other_bot_role["id"]
        for role_id in (self.other_guild_id, other_bot_role["id"]):
            self.role_guilds[role_id] = self.other_guild_id
        stranger = Member("stranger", _user(new(), "stranger"), [], guild_id=self.other_guild_id)
        self.members["stranger"] = stranger
        self.owners = {self.guild_id: self.owner_id, self.other_guild_id: stranger.id}
        self.bot_guilds: list[str] = [self.guild_id]  # guilds the bot is a member of
        self.departed: set[str] = set()  # keys of members who left their guild
        deny_send = {"id": everyone["id"], "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
        allow = SEND_MESSAGES | EMBED_LINKS
        self._channel(
            "announcements",
            0,
            [
                deny_send,
                {"id": admin_role["id"], "type": 0, "allow": str(allow), "deny": "0"},
                {"id": bot_role["id"], "type": 0, "allow": str(allow), "deny": "0"},
            ],
        )
        self._channel("writing", 1, [])
        self._channel("elsewhere", 0, [], guild_id=self.other_guild_id)

    # -- construction helpers --
    def _role(self, role_id: str, name: str, position: int, perms: int, **extra: Any) -> dict:
        role = {
            "id": role_id,
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(perms),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        role.update(extra)
        self.roles[role_id] = role
        return role

    def _channel(
        self, name: str, position: int, overwrites: list[dict], guild_id: str = ""
    ) -> None:
        channel_id = self.ids.next()
        self.channels[channel_id] = {
            "id": channel_id,
            "type": 0,
            "guild_id": guild_id or self.guild_id,
            "name": name,
            "position": position,
            "permission_overwrites": overwrites,
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }
        self.channel_ids[name] = channel_id

    def add_dm_channel(self, member: Member) -> dict[str, Any]:
        name = f"dm:{member.key}"
        if name in self.channel_ids:
            return self.channels[self.channel_ids[name]]
        channel_id = self.ids.next()
        channel = {
            "id": channel_id,
            "type": 1,
            "name": name,
            "recipients": [member.user],
            "last_message_id": None,
            "flags": 0,
        }
        self.channels[channel_id] = channel
        self.channel_ids[name] = channel_id
        return channel

    # -- lookups --
    def member(self, key: str) -> Member:
        try:
            return self.members[key]
        except KeyError:
            raise ValueError(f"unknown member {key!r}; one of {sorted(self.members)}") from None

    def member_by_id(self, user_id: str) -> Member | None:
        if user_id == self.application_id:
            return self.bot_member
        return next((m for m in self.members.values() if m.id == user_id), None)

    def channel(self, name_or_id: str) -> dict[str, Any]:
        channel_id = self.channel_ids.get(name_or_id.lstrip("#"), name_or_id)
        try:
            return self.channels[channel_id]
        except KeyError:
            raise ValueError(f"unknown channel {name_or_id!r}") from None

    def guild_of(self, member: Member) -> str:
        return member.guild_id or self.guild_id

    def guild_roles(self, guild_id: str) -> list[dict[str, Any]]:
        return [r for r in self.roles.values() if self.role_guilds[r["id"]] == guild_id]

    def guild_members(self, guild_id: str) -> list[Member]:
        return [
            m
            for m in self.members.values()
            if self.guild_of(m) == guild_id and m.key not in self.departed
        ]

    def role_by_name(self, name: str) -> dict[str, Any] | None:
        role_id = self.role_ids.get(name, name)
        return self.roles.get(role_id)

    # -- payloads --
    def member_payload(self, member: Member, channel: dict | None = None) -> dict[str, Any]:
        data = {
            "user": member.user,
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": list(member.roles),
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": member.timed_out_until,
        }
        if channel is not None:
            data["permissions"] = str(self.permissions(member, channel))
        return data

    def guild_payload(self, *, all_members: bool = True, guild_id: str = "") -> dict[str, Any]:
        """GUILD_CREATE data; without the GUILD_MEMBERS intent Discord only sends the bot."""
        guild_id = guild_id or self.guild_id
        members = [*self.guild_members(guild_id), self.bot_member]
        count = len(members)
        if not all_members:
            members = [self.bot_member]
        other = guild_id != self.guild_id
        bot = self.member_payload(self.bot_member)
        if other:
            bot["roles"] = [self.other_bot_role_id]
        return {
            "id": guild_id,
            "name": "Stranger's Server" if other else self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owners[guild_id],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": self.guild_roles(guild_id),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.guild_locale,
            "nsfw_level": 0,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": count,
            "voice_states": [],
            "members": [bot if m is self.bot_member else self.member_payload(m) for m in members],
            "channels": [
                c for c in self.channels.values() if c["type"] == 0 and c["guild_id"] == guild_id
            ],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def application_payload(self) -> dict[str, Any]:
        owner = self.members["owner"].user
        return {
            "id": self.application_id,
            "name": self.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self.bot_user,
            "bot_public": self.bot_public,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": owner,
            "team": None,
            "guild_id": None,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "install_params": None,
            "integration_types_config": {"0": {}},
            "approximate_guild_count": 1,
        }

    # -- permissions and mentions --
    def base_permissions(self, member: Member) -> int:
        guild_id = self.guild_of(member)
        if member.id == self.owners[guild_id]:
            return ALL_PERMISSIONS
        perms = int(self.roles[guild_id]["permissions"])
        for role_id in member.roles:
            perms |= int(self.roles[role_id]["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions(self, member: Member, channel: dict[str, Any]) -> int:
        """Discord's permission computation including the channel's overwrites."""
        perms = self.base_permissions(member)
        if perms == ALL_PERMISSIONS or channel.get("type") != 0:
            return perms
        overwrites = {o["id"]: o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(channel.get("guild_id") or self.guild_id)
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in member.roles:
            if role_id in overwrites:
                allow |= int(overwrites[role_id]["allow"])
                deny |= int(overwrites[role_id]["deny"])
        perms = (perms & ~deny) | allow
        own = overwrites.get(member.id)
        if own:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        return perms

    def pings(self, content: str, allowed: dict | None) -> tuple[set[str], list, list, bool]:
        """Who a message would notify: (`pinged`, mentioned users, mentioned role ids, everyone).

        `pinged` holds "@everyone", "@here", "user:<member key or id>" and "role:<name or id>".
        Conservative: the sender's MENTION_EVERYONE permission and role mentionability are
        not considered, and code blocks are not excluded.
        """
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        users = set() if allowed is None else set(map(str, allowed.get("users", [])))
        roles = set() if allowed is None else set(map(str, allowed.get("roles", [])))
        pinged: set[str] = set()
        mentioned_users: list[dict] = []
        mentioned_roles: list[str] = []
        everyone = False
        for kind in ("everyone", "here"):
            if f"@{kind}" in content and "everyone" in parse:
                pinged.add(f"@{kind}")
                everyone = True
        for user_id in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)):
            if "users" in parse or user_id in users:
                member = self.member_by_id(user_id)
                pinged.add(f"user:{member.key if member else user_id}")
                if member:
                    mentioned_users.append(member.user)
        for role_id in dict.fromkeys(re.findall(r"<@&(\d+)>", content)):
            if "roles" in parse or role_id in roles:
                role = self.roles.get(role_id)
                pinged.add(f"role:{role['name'] if role else role_id}")
                mentioned_roles.append(role_id)
        return pinged, mentioned_users, mentioned_roles, everyone


def _user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": None if bot else name.title(),
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }
