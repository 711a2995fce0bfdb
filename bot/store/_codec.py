"""Conversions between SQLite values and model fields."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.models import DiaryTarget

# SQL for a post's nonce, made when its job is recorded: a letter and 24 hex digits (Discord
# takes a string nonce of at most 25 characters).
NEW_NONCE = "'%s' || lower(hex(randomblob(12)))"


def encode_time(value: datetime) -> str:
    """UTC ISO-8601 with microseconds: sorts correctly as text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_ENCODED_LENGTH = len("2026-01-01T00:00:00.000000Z")


def decode_time(value: str | None) -> datetime | None:
    """What `encode_time` wrote, as an aware UTC datetime (anything else: ValueError)."""
    if value is None:
        return None
    if len(value) == _ENCODED_LENGTH and value[-1] == "Z" and value[10] == "T":
        # fromisoformat reads this exact shape ~40 times faster than strptime (every draft
        # read decodes three of them, in the database thread while it holds the GIL).
        decoded = datetime.fromisoformat(value)
        if decoded.tzinfo is UTC:
            return decoded
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def encode_labels(labels: Iterable[str]) -> str:
    return json.dumps(list(labels), ensure_ascii=False)


def decode_labels(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


def decode_target(row: Any) -> DiaryTarget | None:
    """A job row's `repository`, `member_guild_id` and `member_user_id`; None: the server
    diary."""
    if row["repository"] is None:
        return None
    guild_id, user_id = row["member_guild_id"], row["member_user_id"]
    member = None if guild_id is None or user_id is None else (int(guild_id), int(user_id))
    return DiaryTarget(row["repository"], member)


def encode_target(target: DiaryTarget | None) -> tuple[str | None, int | None, int | None]:
    """The three columns of a job's target (all NULL for the server diary)."""
    if target is None:
        return None, None, None
    guild_id, user_id = target.member if target.member is not None else (None, None)
    return target.repository, guild_id, user_id
