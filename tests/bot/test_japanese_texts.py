"""Japanese texts say what a Japanese client shows.

The rule: a Japanese reply names commands and options exactly as a Japanese client shows them,
i.e. as registered with their `ja` localizations (`/下書き 新規 本文:`), never the English names.
The registered names are read from the real command tree, translated as the bot syncs it.
"""

from __future__ import annotations

import re
import string
from types import SimpleNamespace
from typing import Any

import pytest

from bot import i18n
from bot.client import EXTENSIONS, DiaryBot, DiaryTranslator

# `/名前` or `/名前 サブ`: a slash at the start or after a space, bracket, quote or bold marker.
COMMAND = re.compile(
    r"(?<![A-Za-z0-9_.:/}{<>])/(?P<group>[^\s/*」』）),、。:]+)(?: (?P<sub>[^\s/*」』）),、。:]+))?"
)
# `名前:` right after a command (its options), up to the next space.
OPTION = re.compile(r"(?P<name>[^\s:：/]+):")
# An English sentence: three or more words of Latin letters in a row.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")
# What a Japanese reply may contain in Latin letters: names of things that are spelled so in
# Japanese too, and what GitHub's own (English-only) settings page shows.
ALLOWED_LATIN = (
    "Read and write",
    "Issues: Read and write",
    "Contents: Read and write",
)
URL = re.compile(r"https?://\S+|<t:[^>]*>")
CODE = re.compile(r"`[^`]*`")


async def _registered() -> dict[str, set[str]]:
    """`/グループ サブ` (and `/グループ`) → the ja names of its options, as synced."""
    # Cogs only keep a reference to the services; nothing is synced.
    bot = DiaryBot(lambda client: SimpleNamespace(), command_hashes=SimpleNamespace())  # type: ignore[arg-type]
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    translator = DiaryTranslator()
    found: dict[str, set[str]] = {}
    for command in bot.tree.get_commands():
        payload = await command.get_translated_payload(bot.tree, translator)
        _walk(payload, [], found)
    return found


def _walk(payload: dict[str, Any], path: list[str], found: dict[str, set[str]]) -> None:
    name = (payload.get("name_localizations") or {}).get("ja") or payload["name"]
    here = [*path, name]
    options = payload.get("options") or []
    children = [o for o in options if o.get("type") in (1, 2)]
    found.setdefault("/" + " ".join(here), set()).update(
        (o.get("name_localizations") or {}).get("ja") or o["name"]
        for o in options
        if o.get("type") not in (1, 2)
    )
    for child in children:
        _walk(child, here, found)


@pytest.fixture(scope="module")
def registered() -> dict[str, set[str]]:
    import asyncio

    return asyncio.run(_registered())


def _references(text: str) -> list[tuple[str, list[str]]]:
    """(`/command path`, [option names written after it]) for each command a text names."""
    found = []
    for match in COMMAND.finditer(text):
        path = "/" + match["group"] + (f" {match['sub']}" if match["sub"] else "")
        rest = text[match.end() :]
        options = []
        for token in rest.split(" ")[1:] if rest.startswith(" ") else []:
            option = OPTION.match(token)
            if option is None:
                break
            options.append(option["name"])
        found.append((path, options))
    return found


def test_the_registered_names_are_japanese(registered):
    """The tree has Japanese names to check against (the test would be empty otherwise)."""
    assert "/下書き 新規" in registered
    assert "本文" in registered["/下書き 新規"]


def test_every_command_a_japanese_text_names_is_registered_so(registered):
    """Every `/…` in ja.json is a command (and subcommand) as a Japanese client shows it,
    and every `option:` after it is one of that command's Japanese option names."""
    wrong = {}
    for key, text in i18n.catalogue("ja").items():
        if key.startswith(("cmd.", "opt.", "menu.")):
            continue
        for path, options in _references(text):
            known = path in registered or path.rsplit(" ", 1)[0] in registered
            if not known:
                wrong[key] = path
                continue
            if path in registered:
                unknown = [o for o in options if o not in registered[path]]
                if unknown:
                    wrong[key] = f"{path} {unknown}"

    assert wrong == {}


def test_no_japanese_text_names_an_english_option(registered):
    """No `time:`, `when:` or other English option name is left in a Japanese text."""
    english = {
        value for key, value in i18n.catalogue("en").items() if re.fullmatch(r"opt\.[a-z_]+", key)
    }
    left = {
        key: name
        for key, text in i18n.catalogue("ja").items()
        for name in re.findall(r"(?<![\w/])([a-z_]+):", text)
        if name in english
    }

    assert left == {}


def _rendered(template: str) -> str:
    """The message with every placeholder filled with a number (what most of them hold)."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**dict.fromkeys(names, 7))


def test_no_japanese_reply_contains_an_english_sentence():
    """Rendered, no ja message has three English words in a row, apart from URLs, code and
    the names GitHub's settings page shows."""
    english = {}
    for key, template in i18n.catalogue("ja").items():
        text = CODE.sub("", URL.sub("", _rendered(template)))
        for allowed in ALLOWED_LATIN:
            text = text.replace(allowed, "")
        found = ENGLISH.findall(text)
        if found:
            english[key] = found

    assert english == {}


STYLE = {
    "a space between a number and its counter (5日, 120文字)": re.compile(
        r"(?:\d|\})\s+(?:文字|日|件|回|枚|個|秒|時間|年|か月)"
    ),
    "a full-width colon (the ASCII colon style is used)": re.compile("："),
    "ボットの管理者 (say ボットの運用者; サーバー管理者 is the server's admin)": re.compile(
        "ボットの管理者|ボットのオーナー"
    ),
    "another spelling of a term (下書き, 記事, 公開, 予約公開)": re.compile(
        "ドラフト|エントリ|公開予約|予約投稿|アナウンス"
    ),
}


@pytest.mark.parametrize("rule", list(STYLE))
def test_japanese_style(rule):
    """One spelling per term, no space before counters, ASCII colons, the right 管理者."""
    broken = {
        key: STYLE[rule].findall(text)
        for key, text in i18n.catalogue("ja").items()
        if STYLE[rule].search(text)
    }

    assert broken == {}
