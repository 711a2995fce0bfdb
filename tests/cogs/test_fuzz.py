"""The fuzz run in process: every hostile input to every option of every registered slash
command, and to every autocomplete, run through the bot's command tree (the run through the
bot process, tests/e2e/test_fuzz.py, takes a few of them each and adds the modals, buttons
and the message menu). Each ends in a clear reply within Discord's limits (the local Discord
records anything over them and the fixture fails on it), nothing is logged as unexpected, and
every stored draft is clean. The number of inputs tried is printed."""

from __future__ import annotations

import logging
import unicodedata

from bot import i18n
from bot.limits import GITHUB_TITLE
from bot.services.drafts import MAX_BODY
from tests.fakes.hostile import HOSTILE, USER_NAME, fitted, hostile_values, slash_leaves

AUTOCOMPLETE_RESULT = 8


async def test_every_option_and_autocomplete_survives_every_hostile_input(
    drive, bot, store, caplog
):
    """All hostile values, for every option and autocomplete of every command: clear replies,
    no unexpected error, clean drafts."""
    caplog.set_level(logging.INFO)
    unexpected = i18n.t("en-US", "error.unexpected")
    await drive.slash(USER_NAME, "draft", "new", {"title": "Seed", "body": "A first draft."})
    tried, failures = 0, []

    for leaf in slash_leaves(drive.fake.commands):
        name, path, required = leaf.name, leaf.path, leaf.required
        for option in leaf.options:
            for value in hostile_values(option):
                tried += 1
                sent = {**required, option["name"]: value}
                recorded = await drive.slash(USER_NAME, name, path, sent)
                reply = recorded.wait_final(timeout=15)
                if unexpected in str(reply.get("content") or ""):
                    failures.append(f"{leaf.where} {option['name']}={str(value)[:20]!r}")
            if not option.get("autocomplete"):
                continue
            for text in HOSTILE.values():
                tried += 1
                typed = fitted(text, 0, option.get("max_length", 6000))
                recorded = await drive.slash(
                    USER_NAME, name, path, {**required, option["name"]: typed},
                    focused=option["name"],
                )  # fmt: skip
                if recorded.response_type != AUTOCOMPLETE_RESULT:
                    failures.append(f"{leaf.where} {option['name']}: no completions")

    print(f"\nfuzz in process: {tried} inputs tried")
    assert failures == [], "\n".join(failures)
    assert tried > 500
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    drafts = await store.export.list_all_drafts()
    assert drafts
    for draft in drafts:
        assert 0 < len(draft.title) <= GITHUB_TITLE and "\n" not in draft.title
        assert len(draft.body) <= MAX_BODY
        for text in (draft.title, draft.body):
            assert not [
                c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"
            ]
