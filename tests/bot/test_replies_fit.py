"""Replies fit Discord's limits after they are assembled: the draft preview at its worst, any
embed (fit_embed_data), and echoed input in error messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest
from discord.user import ClientUser
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import i18n
from bot.client import DiaryBot, fit_embed
from bot.errors import InvalidInput
from bot.limits import (
    DISCORD_CONTENT,
    EMBED_DESCRIPTION,
    EMBED_FIELD_NAME,
    EMBED_FIELD_VALUE,
    EMBED_FOOTER,
    EMBED_TITLE,
    EMBED_TOTAL,
    embed_fits,
    embed_length,
    fit_embed_data,
)
from bot.models import Draft, DraftImage, Schedule, ScheduleState
from bot.services.drafts import MAX_BODY
from bot.services.preview import DraftPreview, warnings_for
from cogs.drafts._render import preview
from tests.fakes.discord_interactions import base_payload
from tests.fakes.discord_limits import check_message
from tests.fakes.discord_world import Snowflakes, World

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def interaction_in(locale: str, services: object) -> discord.Interaction:
    """A real discord.py Interaction from the payload the local Discord sends, on a bot that
    has `services` attached (nothing is sent: rendering only reads it)."""
    world = World(Snowflakes())
    # Nothing is synced: no place for the commands' fingerprint is needed.
    bot = DiaryBot(lambda client: services, command_hashes=SimpleNamespace())  # type: ignore[arg-type]
    # What logging in would set: the bot's own user, which Interaction reads for `guild.me`.
    bot._connection.user = ClientUser(state=bot._connection, data=world.bot_user)
    payload = base_payload(
        world, world.ids.next(), 2, world.member("author"), world.channel("writing"), locale
    )
    return discord.Interaction(data=payload, state=bot._connection)  # type: ignore[arg-type]


def worst_draft() -> Draft:
    """Everything long at once: title, body (past the modal and near the limit, with HTML and
    links), 20 labels of GitHub's longest, published nowhere yet."""
    body = "<b>@octocat #12</b> " + "長い日記。" * ((MAX_BODY - 40) // 5)
    labels = tuple(f"{n:02d}" + "ラ" * 48 for n in range(20))
    return Draft(7, 1, 2, "題" * 256, body[:MAX_BODY], labels, NOW, NOW)


def worst_images() -> list[DraftImage]:
    return [
        DraftImage(7, n, f"{n:064x}", "写" * 200 + ".png", "alt", "image/png", 10**7, NOW)
        for n in range(10)
    ]


def failed_schedule() -> Schedule:
    detail = '{"labels": "' + "x" * 3000 + '", "known": "' + "y" * 3000 + '"}'
    return Schedule(
        1, 7, 1, 2, NOW + timedelta(days=1), "x" * 3000, "Alice", None,
        ScheduleState.FAILED, 3, NOW, NOW, error_key="error.unknown_labels", error_detail=detail,
    )  # fmt: skip


@pytest.mark.parametrize("locale", ["en-US", "ja"])
async def test_the_preview_at_its_worst_fits_one_embed(services, locale):
    """Long title, 20 long labels, 10 images, a failed schedule with a long reason, every
    warning and a body near GitHub's limit: within 6,000 characters and 25 fields, each part
    within its own limit, in English and Japanese; the body is cut with a note."""
    interaction = interaction_in(locale, services)

    draft = worst_draft()
    shown = DraftPreview(draft, worst_images(), failed_schedule(), warnings_for(draft))
    embed = preview(interaction, shown)

    data = embed.to_dict()
    assert embed_length(data) <= EMBED_TOTAL and len(embed) <= EMBED_TOTAL
    assert len(embed.fields) <= 25
    assert len(embed.title or "") <= EMBED_TITLE
    assert len(embed.description or "") <= EMBED_DESCRIPTION
    assert all(len(f.value or "") <= EMBED_FIELD_VALUE for f in embed.fields)
    assert len(embed.footer.text or "") <= EMBED_FOOTER
    cut_note = i18n.t(locale, "draft.preview_cut", length=len(worst_draft().body))
    assert (embed.description or "").endswith(cut_note)
    assert len(embed.fields) == 4  # labels, images, schedule, warnings: none dropped


def test_any_embed_is_fitted_within_every_limit():
    """An embed over every limit at once comes back within each part's limit, 25 fields and
    the 6,000 total."""
    data = {
        "title": "t" * 300,
        "description": "d" * 5000,
        "fields": [{"name": "n" * 300, "value": "v" * 2000} for _ in range(30)],
        "footer": {"text": "f" * 3000},
        "author": {"name": "a" * 300},
    }

    fitted = fit_embed_data(data)

    assert embed_length(fitted) <= EMBED_TOTAL and len(fitted["fields"]) <= 25
    assert all(len(f["name"]) <= EMBED_FIELD_NAME for f in fitted["fields"])
    assert len(fitted["footer"]["text"]) <= EMBED_FOOTER


def test_the_description_gives_way_first():
    """Over the total by a little, only the description is shortened (with an ellipsis)."""
    embed = discord.Embed(title="Title", description="d" * 4000)
    for n in range(3):
        embed.add_field(name=f"field {n}", value="v" * 700)

    fitted = fit_embed(embed)

    assert len(fitted) <= EMBED_TOTAL
    assert [f.value for f in fitted.fields] == ["v" * 700] * 3
    assert (fitted.description or "").endswith("…")


async def test_unknown_labels_are_echoed_within_a_message(services):
    """Thousands of characters of unknown labels are cut in the error, which fits one message
    in both languages."""
    typed = [f"label-{n}-" + "x" * 290 for n in range(20)]

    with pytest.raises(InvalidInput) as refused:
        await services.labels.resolve(typed)

    for locale in ("en-US", "ja"):
        assert len(i18n.t(locale, refused.value.key, **refused.value.values)) < DISCORD_CONTENT


texts = st.text(alphabet=st.sampled_from("aé題👩\u200d\u0301 \n…"), max_size=7000)
fields = st.fixed_dictionaries({"name": texts, "value": texts, "inline": st.booleans()})
embeds = st.fixed_dictionaries(
    {},
    optional={
        "title": texts,
        "description": texts,
        "fields": st.lists(fields, max_size=30),
        "footer": st.fixed_dictionaries({"text": texts}),
        "author": st.fixed_dictionaries({"name": texts}),
    },
)


@settings(max_examples=150, deadline=None)
@given(embeds)
def test_fitted_embeds_keep_every_limit_discord_checks(data):
    """Whatever an embed holds, the fitted one passes the local Discord's own checks (each
    part's limit, 25 fields, the 6,000 total, no empty field names or values)."""
    assert check_message({"embeds": [fit_embed_data(data)]}, creating=False) == []


@settings(max_examples=300, deadline=None)
@given(embeds)
def test_an_embed_said_to_fit_is_one_fitting_leaves_as_it_is(data):
    """embed_fits (the shortcut taken before fitting) says yes only to embeds that
    fit_embed_data returns unchanged, and yes to every embed fitting produced."""
    if embed_fits(data):
        assert fit_embed_data(data) == data
    assert embed_fits(fit_embed_data(data))


def test_a_reply_within_the_limits_is_sent_as_it_was_built():
    """fit_embed returns the very embed it was given when nothing needs cutting, and a new
    one when something does."""
    embed = discord.Embed(title="Day 1", description="Dear diary", timestamp=NOW)
    embed.add_field(name="Labels", value="diary")
    embed.set_footer(text="#1 · 10 characters")

    assert fit_embed(embed) is embed
    embed.description = "d" * (EMBED_DESCRIPTION + 1)
    assert fit_embed(embed) is not embed
