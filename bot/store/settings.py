"""Per-server settings and small named values (command hash, watcher state)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from bot.models import GuildSettings
from bot.store._codec import encode_time
from bot.store._database import Database, StorePart

_UNSET = object()
SETTINGS_CACHE_LIMIT = 1_000  # servers whose settings are kept in memory (bounded)


def _settings(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        announce_channel_id=row["announce_channel_id"],
        author_role_id=row["author_role_id"],
        timezone=row["timezone"],
        title_format=row["title_format"],
        body_template=row["body_template"],
        byline=row["byline"],
        language=row["language"],
    )


class SettingsStore(StorePart):
    """Guild settings are read on every interaction and change rarely: they are kept in
    memory, and every change made through `update_guild_settings` replaces the kept copy once
    it is committed (the bot is the database's only writer while it runs)."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._settings_cache: dict[int, GuildSettings] = {}
        # Bumped by every change, so a read that raced one is not kept.
        self._settings_generation = 0

    async def get_guild_settings(self, guild_id: int) -> GuildSettings:
        """The server's settings; defaults when it has none stored."""
        cached = self._settings_cache.get(guild_id)
        if cached is not None:
            return cached
        generation = self._settings_generation

        def work(db: sqlite3.Connection) -> GuildSettings:
            row = db.execute(
                "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()
            return _settings(row) if row else GuildSettings(guild_id)

        settings = await self._db.run_read(work)
        if generation == self._settings_generation:
            self._keep_settings(settings)
        return settings

    def _keep_settings(self, settings: GuildSettings) -> None:
        if len(self._settings_cache) >= SETTINGS_CACHE_LIMIT:
            self._settings_cache.clear()
        self._settings_cache[settings.guild_id] = settings

    async def list_guild_settings(self) -> list[GuildSettings]:
        rows = await self._db.run_read(
            lambda db: db.execute("SELECT * FROM guild_settings ORDER BY guild_id").fetchall()
        )
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
        byline: str | object | None = _UNSET,
        language: str | object | None = _UNSET,
        first_language: str | None = None,
    ) -> GuildSettings:
        """Change the given settings (None clears one) and return them all; `first_language`
        is stored only while the server has no language yet (in the same transaction)."""
        changes = {
            name: value
            for name, value in (
                ("announce_channel_id", announce_channel_id),
                ("author_role_id", author_role_id),
                ("timezone", timezone),
                ("title_format", title_format),
                ("body_template", body_template),
                ("byline", byline),
                ("language", language),
            )
            if value is not _UNSET
        }
        stamp = encode_time(at)

        def work(db: sqlite3.Connection) -> GuildSettings:
            db.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, stamp),
            )
            for name, value in changes.items():
                # Column names come from the fixed tuple above, never from input.
                db.execute(
                    f"UPDATE guild_settings SET {name} = ?, updated_at = ? WHERE guild_id = ?",
                    (value, stamp, guild_id),
                )
            if first_language is not None:
                db.execute(
                    "UPDATE guild_settings SET language = ?"
                    " WHERE guild_id = ? AND language IS NULL",
                    (first_language, guild_id),
                )
            row = db.execute(
                "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()
            return _settings(row)

        self._settings_generation += 1
        self._settings_cache.pop(guild_id, None)
        settings = await self._db.run_write(work)
        self._settings_generation += 1
        self._keep_settings(settings)
        return settings

    async def get_value(self, key: str) -> str | None:
        row = await self._db.run_read(
            lambda db: db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        )
        return row["value"] if row else None

    async def set_values(self, values: Mapping[str, str]) -> None:
        """Set several named values in one transaction."""
        await self._db.run_write(
            lambda db: db.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )
        )

    async def set_value(self, key: str, value: str) -> None:
        await self._db.run_write(
            lambda db: db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        )
