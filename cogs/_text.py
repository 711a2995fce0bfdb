"""Command names and descriptions from the catalogues (translated by the client's translator)."""

from __future__ import annotations

from discord import app_commands

from bot import i18n


def cmd(key: str) -> app_commands.locale_str:
    """A command, option or menu text: English from `en.json`, other languages on sync."""
    return app_commands.locale_str(i18n.catalogue(i18n.DEFAULT_LANGUAGE)[key], key=key)
