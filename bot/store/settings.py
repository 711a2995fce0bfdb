"""Per-server settings and small named values (command hash, watcher state)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import aiosqlite

from bot.models import GuildSettings
from bot.store._codec import encode_time
from bot.store._database import Database

_UNSET = object()


def _settings(row: aiosqlite.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        announce_channel_id=row["announce_channel_id"],
        author_role_id=row["author_role_id"],
        timezone=row["timezone"],
        title_format=row["title_format"],
        body_template=row["body_template"],
    )


class SettingsStore:
    _db: Database

    async def get_guild_settings(self, guild_id: int) -> GuildSettings:
        """The server's settings; defaults when it has none stored."""
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            row = await cursor.fetchone()
        return _settings(row) if row else GuildSettings(guild_id)

    async def list_guild_settings(self) -> list[GuildSettings]:
        async with self._db.read() as db:
            cursor = await db.execute("SELECT * FROM guild_settings ORDER BY guild_id")
            rows = await cursor.fetchall()
        return [_settings(row) for row in rows]

    async def update_guild_settings(
        self,
        guild_id: int,
        at: datetime,
        *,
        announce_channel_id: int | object | None = _UNSET,
        author_role_id: int | object | None = _UNSET,
        timezone: str | object = _UNSET,
        title_format: str | object | None = _UNSET,
        body_template: str | object | None = _UNSET,
    ) -> GuildSettings:
        """Change the given settings (None clears one) and return them all."""
        changes = {
            name: value
            for name, value in (
                ("announce_channel_id", announce_channel_id),
                ("author_role_id", author_role_id),
                ("timezone", timezone),
                ("title_format", title_format),
                ("body_template", body_template),
            )
            if value is not _UNSET
        }
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, encode_time(at)),
            )
            for name, value in changes.items():
                # Column names come from the fixed tuple above, never from input.
                await db.execute(
                    f"UPDATE guild_settings SET {name} = ?, updated_at = ? WHERE guild_id = ?",
                    (value, encode_time(at), guild_id),
                )
            cursor = await db.execute(
                "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            row = await cursor.fetchone()
        assert row is not None
        return _settings(row)

    async def get_value(self, key: str) -> str | None:
        async with self._db.read() as db:
            cursor = await db.execute("SELECT value FROM state WHERE key = ?", (key,))
            row = await cursor.fetchone()
        return row["value"] if row else None

    async def set_values(self, values: Mapping[str, str]) -> None:
        """Set several named values in one transaction."""
        async with self._db.write() as db:
            await db.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    async def set_value(self, key: str, value: str) -> None:
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
