"""A fuzz run of every command: each option of each slash command (read from the definitions
the bot registered), each autocomplete, each modal the commands open and the message menu get
hostile inputs through the real bot. Every interaction must end in a clear reply (never the
"unexpected error" text), within Discord's limits (the local Discord refuses anything over
them, and the rig fails on any refusal), with no traceback in the log and nothing half-saved
in the database. The number of inputs tried is printed."""

from __future__ import annotations

import itertools
import sqlite3
import time
import unicodedata
from typing import Any

from bot import i18n
from bot.limits import GITHUB_TITLE
from bot.services.drafts import MAX_BODY
from tests.e2e.harness import Rig
from tests.fakes.hostile import (
    HOSTILE,
    PER_AUTOCOMPLETE,
    PER_OPTION,
    USER_NAME,
    buttons,
    fitted,
    hostile_values,
    in_turn,
    slash_leaves,
)


class Fuzzer:
    """Sends inputs, checks each reply, counts them."""

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.tried = 0
        self.slowest: list[tuple[float, str]] = []
        self.modals: set[str] = set()  # the kinds of modal answered (custom_id up to its ids)
        self.unexpected = i18n.t("en-US", "error.unexpected")
        self.failures: list[str] = []

    def check(self, what: str, interaction: Any) -> dict[str, Any]:
        """The interaction's final reply; records a failure when there is none or it is the
        unexpected-error text."""
        self.tried += 1
        started = time.monotonic()
        try:
            final = interaction.wait_final(timeout=15)
            self.slowest.append((time.monotonic() - started, what))
        except TimeoutError as error:
            self.failures.append(f"{what}: no reply ({error})")
            return {}
        if self.unexpected in str(final.get("content") or ""):
            self.failures.append(f"{what}: {final.get('content')!r}")
        return final

    def answer_modal(self, what: str, interaction: Any, texts: list[str]) -> None:
        """If the reply was a modal, submit it with hostile values in every text input."""
        if interaction.response_type != 9 or interaction.modal is None:
            return
        modal = interaction.modal
        inputs = [
            item
            for top in modal.get("components") or []
            for item in ([top["component"]] if top.get("type") == 18 else top["components"])
            if item.get("type") == 4
        ]
        for text in texts:
            fields = {}
            for item in inputs:
                low, high = item.get("min_length") or 0, item.get("max_length") or 4000
                value = fitted(text, low, high)
                if item.get("required", True) and not value.strip():
                    value = fitted("y", max(low, 1), high)
                fields[item["custom_id"]] = value
            self.modals.add(modal["custom_id"].rstrip(":0123456789"))
            submitted = self.rig.discord.modal_submit(USER_NAME, modal["custom_id"], fields)
            self.check(f"{what} modal {text[:12]!r}", submitted)
            return  # a modal is answered once; the command is sent again for the next text


def test_every_command_option_and_modal_survives_hostile_input(rig: Rig) -> None:
    """Hostile inputs to every option, autocomplete, modal and the message menu: each gets a
    clear reply within Discord's limits, no traceback, nothing half-saved."""
    rig.start_bot()
    fuzz = Fuzzer(rig)
    seeded = rig.slash(USER_NAME, "new", {"title": "Seed", "body": "A first draft."})
    fuzz.check("seed", seeded)
    modal_texts = itertools.cycle(HOSTILE.values())
    turn = itertools.count()

    for leaf in slash_leaves(rig.discord.commands):
        name, path, required, where = leaf.name, leaf.path, leaf.required, leaf.where
        plain = rig.discord.slash(USER_NAME, name, path, dict(required))
        fuzz.check(f"{where} (required only)", plain)
        fuzz.answer_modal(where, plain, [next(modal_texts), next(modal_texts)])
        for option in leaf.options:
            for value in in_turn(hostile_values(option), next(turn), PER_OPTION):
                sent = rig.discord.slash(USER_NAME, name, path, {**required, option["name"]: value})
                label = f"{where} {option['name']}={str(value)[:16]!r}"
                fuzz.check(label, sent)
                fuzz.answer_modal(label, sent, [next(modal_texts)])
            if not option.get("autocomplete"):
                continue
            for text in in_turn(list(HOSTILE.values()), next(turn), PER_AUTOCOMPLETE):
                typed = fitted(text, 0, option.get("max_length", 6000))
                completed = rig.discord.slash(
                    USER_NAME, name, path, {**required, option["name"]: typed},
                    focused=option["name"],
                )  # fmt: skip
                fuzz.tried += 1
                try:
                    completed.wait_response(timeout=15)
                except TimeoutError:
                    fuzz.failures.append(f"{where} {option['name']}: no completions")

    # Each preview button, on a fresh preview of a draft made of another hostile text.
    every_button = {"title": "Buttons", "body": "@octocat #1 " + "x" * 4500}  # escape, tail
    labels = list(buttons(fuzz.check("preview", rig.slash(USER_NAME, "new", every_button))))
    print(f"fuzz: preview buttons: {labels}")
    for label, text in zip(labels, itertools.cycle(HOSTILE.values()), strict=False):
        body = "@octocat " + text[:3000]  # within the editor, with a link to escape
        created = rig.slash(USER_NAME, "new", {"title": "Buttons", "body": body})
        custom_id = buttons(fuzz.check(f"preview of {text[:12]!r}", created)).get(label)
        if custom_id is None:
            continue  # e.g. no "edit the last part" button on a short draft
        pressed = rig.discord.button(USER_NAME, custom_id, created.original_id)
        fuzz.check(f"button {label} on {text[:12]!r}", pressed)
        fuzz.answer_modal(f"button {label}", pressed, [next(modal_texts)])

    for text in HOSTILE.values():
        message = rig.discord.post_user_message(USER_NAME, "writing", text[:2000] or "·")
        menu = rig.discord.message_command(USER_NAME, "Add to diary draft", message)
        fuzz.check(f"message menu {text[:12]!r}", menu)

    seconds, slowest = max(fuzz.slowest, default=(0.0, "-"))
    print(f"\nfuzz: {fuzz.tried} inputs tried; slowest reply {seconds:.2f} s ({slowest})")
    print(f"fuzz: modals answered: {sorted(fuzz.modals)}")
    assert len(fuzz.modals) >= 5, fuzz.modals  # new, edit, append, entry edit, entry add
    if fuzz.failures and rig.bot is not None:
        print(rig.bot.log())
    assert fuzz.failures == [], "\n".join(fuzz.failures)
    assert rig.stop_bot() == 0
    assert_nothing_half_saved(rig)


def assert_nothing_half_saved(rig: Rig) -> None:
    """Every stored draft is whole and clean: a title of one line within GitHub's limit, a
    body within its limit, neither holding control characters or lone surrogates."""
    connection = sqlite3.connect(rig.database_path)
    try:
        drafts = connection.execute("SELECT id, title, body FROM drafts").fetchall()
    finally:
        connection.close()
    assert drafts
    for draft_id, title, body in drafts:
        assert 0 < len(title) <= GITHUB_TITLE and "\n" not in title, draft_id
        assert len(body) <= MAX_BODY, draft_id
        for text in (title, body):
            bad = {c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"}
            assert not bad, (draft_id, bad)


def test_a_publish_with_long_unknown_labels_resolves_with_a_message_that_fits(rig: Rig) -> None:
    """/draft publish defers; twenty unknown labels of 290 characters each (5,800 typed) end
    in the unknown-labels message within 2,000 characters, in English and Japanese, and
    nothing is published."""
    rig.start_bot()
    rig.slash(USER_NAME, "new", {"title": "Labelled", "body": "Text."}).wait_final()
    typed = ", ".join(f"label-{n}-" + "x" * 280 for n in range(20))

    replies = [
        rig.slash(USER_NAME, "publish", {"labels": typed}, locale=locale).wait_final(timeout=15)
        for locale in ("en-US", "ja")
    ]

    for reply, start in zip(
        replies, ("These labels do not exist", "日記リポジトリに"), strict=True
    ):
        assert reply["content"].startswith(start)
        assert len(reply["content"]) <= 2000
    assert rig.github.issues() == []
