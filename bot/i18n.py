"""Message catalogues: one JSON file per language in bot/locales/, picked by Discord locale."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=64)  # Discord has about 30 locales; every reply asks
def language_of(locale: str | None) -> str:
    """Map a Discord locale (`ja`, `en-US`, ...) to a catalogue: `ja` → Japanese, else English."""
    if locale and locale.split("-")[0].lower() == "ja":
        return "ja"
    return DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of one language, loaded once."""
    text = resources.files("bot").joinpath(f"locales/{language}.json").read_text("utf-8")
    return json.loads(text)


def t(locale: str | None, key: str, **values: Any) -> str:
    """The message `key` in the language of `locale`, with `{name}` placeholders filled in."""
    messages = catalogue(language_of(locale))
    template = messages.get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
