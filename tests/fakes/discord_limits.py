"""Discord's documented size limits, checked by the fake Discord on every request body.

Each `check_*` function returns human-readable problems (empty when the body is fine).
Sources: discord.com/developers/docs (messages, embeds, components, interactions,
application commands).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg "
    "ru uk hi th zh-CN ja zh-TW ko".split()
)
URL_SCHEMES = ("http://", "https://", "attachment://")
MESSAGE_BODY_KEYS = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")


def _length(problems: list[str], where: str, value: Any, maximum: int, minimum: int = 0) -> None:
    if value is None:
        if minimum:
            problems.append(f"{where} is required")
        return
    if not isinstance(value, str):
        problems.append(f"{where} must be a string, got {type(value).__name__}")
        return
    if len(value) > maximum:
        problems.append(f"{where} is {len(value)} chars (max {maximum})")
    elif len(value) < minimum:
        problems.append(f"{where} is {len(value)} chars (min {minimum})")


# -- messages --
def check_message(body: dict[str, Any], *, creating: bool) -> list[str]:
    """A channel message, interaction response message, follow-up or edit body."""
    problems: list[str] = []
    flags = body.get("flags") or 0
    _length(problems, "content", body.get("content"), 2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds (max 10)")
    total = 0
    for index, embed in enumerate(embeds):
        total += _check_embed(problems, f"embeds[{index}]", embed)
    if total > 6000:
        problems.append(f"embeds total {total} chars (max 6000 per message)")
    components = body.get("components") or []
    if flags & IS_COMPONENTS_V2:
        if body.get("content") or embeds:
            problems.append("IS_COMPONENTS_V2 messages cannot have content or embeds")
        _check_v2_components(problems, components)
    else:
        _check_action_rows(problems, components)
    for index, attachment in enumerate(body.get("attachments") or []):
        _length(problems, f"attachments[{index}].description", attachment.get("description"), 1024)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, dict):
        parse = allowed.get("parse", [])
        for kind in ("users", "roles"):
            listed = allowed.get(kind) or []
            if listed and kind in parse:
                problems.append(f"allowed_mentions: parse {kind!r} and a {kind} list both set")
            if len(listed) > 100:
                problems.append(f"allowed_mentions.{kind} has {len(listed)} ids (max 100)")
    if creating and not any(body.get(key) for key in MESSAGE_BODY_KEYS):
        problems.append("cannot send an empty message (no content, embeds, components, files)")
    return problems


def _check_embed(problems: list[str], where: str, embed: dict[str, Any]) -> int:
    title, description = embed.get("title"), embed.get("description")
    _length(problems, f"{where}.title", title, 256)
    _length(problems, f"{where}.description", description, 4096)
    total = len(title or "") + len(description or "")
    fields = embed.get("fields") or []
    if len(fields) > 25:
        problems.append(f"{where} has {len(fields)} fields (max 25)")
    for index, fld in enumerate(fields):
        _length(problems, f"{where}.fields[{index}].name", fld.get("name"), 256, 1)
        _length(problems, f"{where}.fields[{index}].value", fld.get("value"), 1024, 1)
        total += len(fld.get("name") or "") + len(fld.get("value") or "")
    footer, author = embed.get("footer") or {}, embed.get("author") or {}
    if footer:
        _length(problems, f"{where}.footer.text", footer.get("text"), 2048, 1)
        total += len(footer.get("text") or "")
    if author:
        _length(problems, f"{where}.author.name", author.get("name"), 256, 1)
        total += len(author.get("name") or "")
    color = embed.get("color")
    if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
        problems.append(f"{where}.color {color!r} is not 0..0xFFFFFF")
    urls = [("url", embed.get("url")), ("footer.icon_url", footer.get("icon_url"))]
    urls += [("author.url", author.get("url")), ("author.icon_url", author.get("icon_url"))]
    urls += [(f"{k}.url", (embed.get(k) or {}).get("url")) for k in ("image", "thumbnail")]
    for name, url in urls:
        if url is not None and not (isinstance(url, str) and url.startswith(URL_SCHEMES)):
            problems.append(f"{where}.{name} is not a well formed URL: {url!r}")
    return total


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            yield from _walk([component["component"]])
        if isinstance(component.get("accessory"), dict):
            yield from _walk([component["accessory"]])


def _check_interactive(problems: list[str], where: str, component: dict[str, Any]) -> None:
    kind = component.get("type")
    if kind == 2:
        _length(problems, f"{where}.label", component.get("label"), 80)
        if component.get("style") == 5:
            if not component.get("url") or "custom_id" in component:
                problems.append(f"{where}: link buttons need a url and no custom_id")
        elif component.get("style") != 6 and not component.get("custom_id"):
            problems.append(f"{where}: a button needs a custom_id")
    elif kind in (3, 5, 6, 7, 8):
        _length(problems, f"{where}.placeholder", component.get("placeholder"), 150)
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not (0 <= low <= 25 and 1 <= high <= 25 and low <= high):
            problems.append(f"{where}: min_values/max_values {low}/{high} out of range")
        if kind == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                problems.append(f"{where} has {len(options)} options (1-25)")
            for index, option in enumerate(options):
                for key in ("label", "value"):
                    _length(problems, f"{where}.options[{index}].{key}", option.get(key), 100, 1)
                _length(
                    problems,
                    f"{where}.options[{index}].description",
                    option.get("description"),
                    100,
                )
    if "custom_id" in component:
        _length(problems, f"{where}.custom_id", component.get("custom_id"), 100, 1)


def _check_custom_ids(problems: list[str], components: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for component in _walk(components):
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if custom_id in seen:
                problems.append(f"duplicate custom_id {custom_id!r}")
            seen.add(custom_id)


def _check_action_rows(problems: list[str], components: list[dict[str, Any]]) -> None:
    if len(components) > 5:
        problems.append(f"{len(components)} action rows (max 5)")
    for r, row in enumerate(components):
        if row.get("type") != 1:
            problems.append(f"components[{r}] is type {row.get('type')}, not an action row")
            continue
        children = row.get("components") or []
        buttons = [c for c in children if c.get("type") == 2]
        if len(buttons) > 5:
            problems.append(f"components[{r}] has {len(buttons)} buttons (max 5)")
        if len(buttons) != len(children) and len(children) != 1:
            problems.append(f"components[{r}]: a select menu must be alone in its row")
        if not children:
            problems.append(f"components[{r}] is an empty action row")
        for c, child in enumerate(children):
            _check_interactive(problems, f"components[{r}].components[{c}]", child)
    _check_custom_ids(problems, components)


def _check_v2_components(problems: list[str], components: list[dict[str, Any]]) -> None:
    every = list(_walk(components))
    if len(every) > 40:
        problems.append(f"{len(every)} components (max 40 with IS_COMPONENTS_V2)")
    text = sum(len(c.get("content") or "") for c in every if c.get("type") == 10)
    if text > 4000:
        problems.append(f"text displays total {text} chars (max 4000)")
    for index, component in enumerate(every):
        _check_interactive(problems, f"component #{index}", component)
        if component.get("type") == 1 and len(component.get("components") or []) > 5:
            problems.append(f"component #{index}: more than 5 items in an action row")
    _check_custom_ids(problems, components)


# -- interaction callbacks --
def check_modal(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    _length(problems, "modal title", data.get("title"), 45, 1)
    _length(problems, "modal custom_id", data.get("custom_id"), 100, 1)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append(f"modal has {len(components)} components (1-5)")
    for index, top in enumerate(components):
        where = f"modal.components[{index}]"
        if top.get("type") == 1:
            inner = top.get("components") or []
            if len(inner) != 1:
                problems.append(f"{where}: an action row in a modal holds exactly one input")
            for child in inner:
                _check_modal_input(problems, where, child, needs_label=True)
        elif top.get("type") == 18:
            _length(problems, f"{where}.label", top.get("label"), 45, 1)
            _length(problems, f"{where}.description", top.get("description"), 100)
            _check_modal_input(problems, where, top.get("component") or {}, needs_label=False)
        elif top.get("type") != 10:
            problems.append(f"{where}: type {top.get('type')} is not allowed at a modal's top")
    _check_custom_ids(problems, components)
    return problems


def _check_modal_input(problems: list[str], where: str, item: dict, *, needs_label: bool) -> None:
    if item.get("type") != 4:
        _check_interactive(problems, where, item)
        return
    _length(problems, f"{where}.custom_id", item.get("custom_id"), 100, 1)
    _length(problems, f"{where}.label", item.get("label"), 45, 1 if needs_label else 0)
    _length(problems, f"{where}.placeholder", item.get("placeholder"), 100)
    _length(problems, f"{where}.value", item.get("value"), 4000)
    if item.get("style") not in (1, 2):
        problems.append(f"{where}.style must be 1 or 2")
    low, high = item.get("min_length"), item.get("max_length")
    if low is not None and not 0 <= low <= 4000:
        problems.append(f"{where}.min_length {low} not in 0-4000")
    if high is not None and not 1 <= high <= 4000:
        problems.append(f"{where}.max_length {high} not in 1-4000")
    if low is not None and high is not None and low > high:
        problems.append(f"{where}: min_length > max_length")
    value = item.get("value")
    if isinstance(value, str) and high is not None and len(value) > high:
        problems.append(f"{where}.value is longer than its max_length {high}")


def check_autocomplete(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    choices = data.get("choices") or []
    if len(choices) > 25:
        problems.append(f"autocomplete returned {len(choices)} choices (max 25)")
    for index, choice in enumerate(choices):
        _check_choice(problems, f"choices[{index}]", choice)
    return problems


def _check_choice(problems: list[str], where: str, choice: dict[str, Any]) -> None:
    _length(problems, f"{where}.name", choice.get("name"), 100, 1)
    if isinstance(choice.get("value"), str):
        _length(problems, f"{where}.value", choice.get("value"), 100)
    _check_localizations(problems, where, choice.get("name_localizations"), 1, 100)


# -- application commands --
def valid_command_name(name: Any, *, lowercase: bool = True) -> bool:
    """`^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$` (Discord's current docs; the
    apostrophe was added later), with lowercase variants required."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for ch in name:
        code = ord(ch)
        script = 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F
        if not (ch in "-_'" or unicodedata.category(ch)[0] in "LN" or script):
            return False
        if lowercase and ch.lower() != ch:
            return False
    return True


def _check_localizations(
    problems: list[str], where: str, values: Any, low: int, high: int, *, names: bool = False
) -> None:
    if not values:
        return
    for locale, text in values.items():
        if locale not in LOCALES:
            problems.append(f"{where}: unknown locale {locale!r}")
        if names and not valid_command_name(text):
            problems.append(f"{where}: localized name {text!r} ({locale}) is not a valid name")
        _length(problems, f"{where}[{locale}]", text, high, low)


def check_commands(commands: list[dict[str, Any]]) -> list[str]:
    """A bulk-overwrite body (a list of application commands for one scope)."""
    problems: list[str] = []
    counts = {1: 0, 2: 0, 3: 0}
    seen: set[tuple[int, str]] = set()
    for command in commands:
        kind = command.get("type", 1)
        name = command.get("name")
        counts[kind] = counts.get(kind, 0) + 1
        if (kind, name) in seen:
            problems.append(f"duplicate command name {name!r}")
        seen.add((kind, name))
        where = f"command {name!r}"
        if kind == 1:
            if not valid_command_name(name):
                problems.append(f"{where}: name does not match Discord's naming rules")
            _length(problems, f"{where}.description", command.get("description"), 100, 1)
            _check_options(problems, where, command.get("options") or [], parent=0)
            _check_localizations(
                problems,
                f"{where}.name_localizations",
                command.get("name_localizations"),
                1,
                32,
                names=True,
            )
        else:
            _length(problems, f"{where}.name", name, 32, 1)
            if command.get("description"):
                problems.append(f"{where}: USER/MESSAGE commands must have an empty description")
            if command.get("options"):
                problems.append(f"{where}: USER/MESSAGE commands cannot have options")
            _check_localizations(
                problems, f"{where}.name_localizations", command.get("name_localizations"), 1, 32
            )
        _check_localizations(
            problems,
            f"{where}.description_localizations",
            command.get("description_localizations"),
            1,
            100,
        )
        size = _command_size(command)
        if size > 4000:
            problems.append(f"{where}: combined name/description/value length {size} (max 4000)")
    for kind, limit in ((1, 100), (2, 15), (3, 15)):
        if counts.get(kind, 0) > limit:
            problems.append(f"{counts[kind]} commands of type {kind} (max {limit})")
    return problems


def _check_options(problems: list[str], where: str, options: list[dict], *, parent: int) -> None:
    """`parent` is 0 for a command's own options, else the type (1 or 2) of the parent option."""
    if len(options) > 25:
        problems.append(f"{where} has {len(options)} options (max 25)")
    kinds = {o.get("type") for o in options}
    if kinds & {1, 2} and kinds - {1, 2}:
        problems.append(f"{where}: subcommands cannot be mixed with other options")
    if parent == 2 and kinds - {1}:
        problems.append(f"{where}: a subcommand group may only hold subcommands")
    names: set[str] = set()
    optional_seen = False
    for option in options:
        name, kind = option.get("name"), option.get("type")
        at = f"{where} option {name!r}"
        if name in names:
            problems.append(f"{at}: duplicate option name")
        names.add(name)
        if not valid_command_name(name):
            problems.append(f"{at}: name does not match Discord's naming rules")
        _length(problems, f"{at}.description", option.get("description"), 100, 1)
        _check_localizations(
            problems,
            f"{at}.name_localizations",
            option.get("name_localizations"),
            1,
            32,
            names=True,
        )
        _check_localizations(
            problems,
            f"{at}.description_localizations",
            option.get("description_localizations"),
            1,
            100,
        )
        if kind in (1, 2):
            if parent == 1 or (kind == 2 and parent != 0):
                problems.append(f"{at}: subcommand nesting too deep")
            _check_options(problems, at, option.get("options") or [], parent=kind)
            continue
        if option.get("required"):
            if optional_seen:
                problems.append(f"{at}: required options must come before optional ones")
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            problems.append(f"{at} has {len(choices)} choices (max 25)")
        if choices and option.get("autocomplete"):
            problems.append(f"{at}: autocomplete cannot be combined with choices")
        for index, choice in enumerate(choices):
            _check_choice(problems, f"{at}.choices[{index}]", choice)
        for key in ("min_length", "max_length"):
            if key in option and not 0 <= option[key] <= 6000:
                problems.append(f"{at}.{key} {option[key]} not in 0-6000")


def _command_size(command: dict[str, Any]) -> int:
    size = len(command.get("name") or "") + len(command.get("description") or "")
    for option in command.get("options") or []:
        size += _command_size(option)
        for choice in option.get("choices") or []:
            size += len(choice.get("name") or "") + len(str(choice.get("value", "")))
    return size
