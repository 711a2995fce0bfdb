"""Message catalogues: the same keys and placeholders in every language, every used key present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot import i18n

ROOT = Path(__file__).resolve().parents[2]
USED_KEY = re.compile(r"\"((?:error|github|draft|modal|button|publish|config)\.[a-z_]+)\"")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def used_keys() -> dict[str, str]:
    """Message keys written as string literals in bot/ and cogs/, with where each was seen."""
    found: dict[str, str] = {}
    for folder in ("bot", "cogs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for key in USED_KEY.findall(path.read_text("utf-8")):
                found.setdefault(key, str(path.relative_to(ROOT)))
    return found


def test_languages_have_the_same_keys():
    """Japanese and English catalogues define exactly the same message keys."""
    english, japanese = i18n.catalogue("en"), i18n.catalogue("ja")

    assert sorted(set(english) - set(japanese)) == []
    assert sorted(set(japanese) - set(english)) == []


def test_languages_use_the_same_placeholders():
    """Every message has the same {placeholders} in English and in Japanese."""
    english, japanese = i18n.catalogue("en"), i18n.catalogue("ja")

    mismatched = {
        key: (placeholders(english[key]), placeholders(japanese[key]))
        for key in set(english) & set(japanese)
        if placeholders(english[key]) != placeholders(japanese[key])
    }

    assert mismatched == {}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalogue_messages_are_valid_format_strings(language):
    """Every message parses as a str.format template (no stray braces)."""
    for key, template in i18n.catalogue(language).items():
        try:
            list(string.Formatter().parse(template))
        except ValueError as error:
            pytest.fail(f"{language} {key}: {error}")


def test_every_key_used_in_code_exists():
    """Each message key named in bot/ or cogs/ is in the English and Japanese catalogues."""
    used = used_keys()
    assert used, "the key pattern found nothing: the scan is broken"

    missing = {
        key: where
        for key, where in used.items()
        if key not in i18n.catalogue("en") or key not in i18n.catalogue("ja")
    }

    assert missing == {}


@pytest.mark.parametrize(
    ("locale", "language"),
    [("ja", "ja"), ("en-US", "en"), ("en-GB", "en"), ("fr", "en"), ("", "en"), (None, "en")],
)
def test_language_of_locale(locale, language):
    """Japanese locales pick the Japanese catalogue; every other locale, or none, English."""
    assert i18n.language_of(locale) == language


def test_t_fills_placeholders_in_the_locale_language():
    """t() renders the message of the locale's language with its values filled in."""
    english = i18n.t("en-US", "draft.created", id=42)
    japanese = i18n.t("ja", "draft.created", id=42)

    assert "42" in english and "42" in japanese
    assert english != japanese
    assert "{" not in english + japanese


def test_t_returns_unknown_key_as_is():
    """An unknown key comes back as the key, never as an exception."""
    assert i18n.t("ja", "error.no_such_message") == "error.no_such_message"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_no_message_names_a_fixed_year(language):
    """Examples use dates relative to today (filled in), never a year that will pass."""
    fixed = {
        key: text
        for key, text in i18n.catalogue(language).items()
        if re.search(r"(?<!\d)20\d\d(?!\d)", text)
    }

    assert fixed == {}
