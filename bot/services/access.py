"""Who may draft and publish in a server."""

from __future__ import annotations

from collections.abc import Collection

from bot.models import GuildSettings


def may_write(settings: GuildSettings, role_ids: Collection[int], manage_guild: bool) -> bool:
    """Members with the configured author role, or with Manage Server while none is set."""
    if settings.author_role_id is not None:
        return settings.author_role_id in role_ids
    return manage_guild
