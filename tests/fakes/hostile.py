"""Hostile inputs for the fuzz runs of every command (tests/e2e/test_fuzz.py through the bot
process, tests/cogs/test_fuzz.py in process): texts, numbers and files as Discord can deliver
them, and the options of a registered command to send them to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from bot.limits import GITHUB_TITLE

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
USER_NAME = "owner"  # Manage Server and no author role set: may write

# Hostile texts, each cut to what the option or input accepts (Discord refuses longer ones).
HOSTILE: dict[str, str] = {
    "empty": "",
    "whitespace": " \t\u3000\n \u200b ",
    "ten-times": "題" * (10 * GITHUB_TITLE),
    "longest": "x" * 6000,
    "controls": "a\x00b\x01c\x1b[31md\x7f\x85\x9fe",
    "lone-surrogates": "\ud800 half \udfff pair",
    "rtl": "\u202eevil\u202c \u200fשלום\u200e",
    "emoji-zwj": "👩‍👩‍👧‍👦🏳️‍🌈🇯🇵" * 40,
    "markdown-bomb": "**__~~||`>" * 200 + "[a](" * 200 + "![" * 200,
    "html-bomb": "<!--" * 500 + "<a " * 300 + "</b>" * 100,
    "mentions": "@everyone @here <@&1> <@1> <#1> <t:0> #1 @octocat",
    "invalid-ids": "0, -1, 18446744073709551616, 9007199254740993, abc, #1",
    "newlines": "\n" * 3000 + "x",
    "format-codes": "%Y %% %n {} {0} {number} %(x)s \\",
}
INTEGERS = [-(2**53), -1, 0, 1, 2, 2**31, 2**53]
# Inputs per option, per autocomplete and per modal-opening command: taken in turn from the
# lists above, so every kind of hostile input reaches many options and the run stays short.
PER_OPTION = 3
PER_AUTOCOMPLETE = 2


def fitted(text: str, low: int, high: int) -> str:
    """`text` within `low`..`high` characters (padded with "x" when too short)."""
    return text[:high].ljust(low, "x")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label → custom_id of a message (link buttons have no custom_id)."""
    return {
        button["label"]: button["custom_id"]
        for row in message.get("components", [])
        for button in row.get("components", [])
        if button.get("custom_id") and not button.get("disabled")
    }


def in_turn(values: list[Any], turn: int, count: int) -> list[Any]:
    """`count` of `values`, starting further along at each turn (all of them if fewer)."""
    if len(values) <= count:
        return values
    start = turn * count
    return [values[(start + n) % len(values)] for n in range(count)]


class Leaf(NamedTuple):
    """A slash command or subcommand to send inputs to."""

    name: str  # the command
    path: str | None  # "sub" or "group sub"
    options: list[dict[str, Any]]
    required: dict[str, Any]  # a harmless value for each required option

    @property
    def where(self) -> str:
        return f"/{self.name} {self.path or ''}".strip()


def slash_leaves(commands: list[dict[str, Any]]) -> Iterator[Leaf]:
    """Every slash command and subcommand among the registered `commands`."""
    for definition in commands:
        if definition["type"] != 1:
            continue
        for path, options in leaves(definition):
            required = {o["name"]: benign(o) for o in options if o.get("required")}
            yield Leaf(definition["name"], path, options, required)


def leaves(definition: dict[str, Any]) -> Iterator[tuple[str | None, list[dict[str, Any]]]]:
    """(subcommand path or None, its options) of a registered slash command."""
    options = definition.get("options") or []
    if not any(o["type"] in (1, 2) for o in options):
        yield None, options
        return
    for option in options:
        if option["type"] == 1:
            yield option["name"], option.get("options") or []
        elif option["type"] == 2:
            for sub in option.get("options") or []:
                yield f"{option['name']} {sub['name']}", sub.get("options") or []


def benign(option: dict[str, Any]) -> Any:
    """A harmless value, to fill the required options not being fuzzed."""
    kind = option["type"]
    if option.get("choices"):
        return option["choices"][0]["value"]
    return {
        STRING: fitted("hello", option.get("min_length", 0), option.get("max_length", 6000)),
        INTEGER: max(option.get("min_value", 1), 1),
        NUMBER: 1.0,
        BOOLEAN: True,
        USER: USER_NAME,
        MENTIONABLE: USER_NAME,
        CHANNEL: "writing",
        ROLE: "Author",
        ATTACHMENT: ("note.md", b"# hello\n"),
    }[kind]


def hostile_values(option: dict[str, Any]) -> list[Any]:
    """The hostile values an option can receive from Discord."""
    kind = option["type"]
    if option.get("choices"):
        return [choice["value"] for choice in option["choices"]]
    if kind == STRING:
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        return list(dict.fromkeys(fitted(text, low, high) for text in HOSTILE.values()))
    if kind in (INTEGER, NUMBER):
        low, high = option.get("min_value", -(2**53)), option.get("max_value", 2**53)
        return sorted({min(max(n, low), high) for n in INTEGERS})
    if kind == BOOLEAN:
        return [True, False]
    if kind in (USER, MENTIONABLE):
        return ["owner", "outsider", "admin"]
    if kind == CHANNEL:
        return ["writing", "announcements"]
    if kind == ROLE:
        return ["Author"]
    if kind == ATTACHMENT:
        names = ["a.md", "x" * 200 + ".md", "日記\u202e.md", "a.png", "b.txt"]
        blobs = [b"", b"\x00" * 100, b"\xff\xfe\xfd", b"<!--" * 5000, b"\x89PNG\r\n"]
        return list(zip(names, blobs, strict=True))
    raise AssertionError(f"no hostile values for option type {kind}")
