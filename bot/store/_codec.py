"""Conversions between SQLite values and model fields."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

# SQL for a post's nonce, made when its job is recorded: a letter and 24 hex digits (Discord
# takes a string nonce of at most 25 characters).
NEW_NONCE = "'%s' || lower(hex(randomblob(12)))"


def encode_time(value: datetime) -> str:
    """UTC ISO-8601 with microseconds: sorts correctly as text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decode_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def encode_labels(labels: Iterable[str]) -> str:
    return json.dumps(list(labels), ensure_ascii=False)


def decode_labels(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))
