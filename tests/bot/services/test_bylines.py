"""The byline: a server setting, off by default, put into the issue body by the publish job."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.bylines import plain_markdown, render_byline
from bot.services.drafts import MAX_BODY
from bot.services.publishing import Author, PublishingService
from tests.bot.builders import ALICE
from tests.bot.services.test_images import RAW, attach, path_for, png

AUTHOR = Author("Alice")


@pytest.fixture
async def draft(services):
    return await services.drafts.create(ALICE, "Day 1", "Dear diary.")


async def byline_on(services, template: str = "— {display_name}") -> None:
    await services.server_settings.update(ALICE.guild_id, byline=template)


async def run(services, store, job_id: int, publishing: PublishingService | None = None):
    """One attempt of the job as stored (by `publishing`, e.g. after a restart); the job after."""
    job = await store.jobs.get_publish_job(job_id)
    await (publishing or services.publishing).run(job)
    return await store.jobs.get_publish_job(job_id)


def test_the_display_name_is_shown_as_typed():
    """Markdown, @mentions and #references in a display name stay plain text on GitHub."""
    assert plain_markdown("@octocat *x* #1 [a](b)") == r"\@octocat \*x\* \#1 \[a\]\(b\)"
    assert render_byline("— {display_name}", "@bob\n_me_") == r"— \@bob \_me\_"


async def test_the_byline_is_off_by_default(services, store):
    """A new server has no byline."""
    assert (await store.settings.get_guild_settings(ALICE.guild_id)).byline is None


@pytest.mark.parametrize(
    "template", ["— written by someone", "x" * 90 + "{display_name}", "a\nb {display_name}"]
)
async def test_a_byline_without_the_name_or_too_long_is_refused(services, template, store):
    """The template names the author with {display_name}, on one line of 100 characters."""
    with pytest.raises(InvalidInput) as raised:
        await services.server_settings.update(ALICE.guild_id, byline=template)
    assert raised.value.key == "error.bad_byline"
    assert (await store.settings.get_guild_settings(ALICE.guild_id)).byline is None


async def test_a_dash_turns_the_byline_off(services):
    """`-` clears the setting."""
    await byline_on(services)
    settings = await services.server_settings.update(ALICE.guild_id, byline="-")
    assert settings.byline is None


async def test_the_byline_ends_the_body_before_the_key(services, draft, fake_github, store):
    """With a byline the issue body is the text, the byline, then the hidden key."""
    await byline_on(services)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await run(services, store, job.id)

    (issue,) = fake_github.issues()
    assert issue["body"] == f"Dear diary.\n\n— Alice\n\n<!-- diary-bot:{job.idempotency_key} -->"


async def test_without_a_byline_the_body_is_unchanged(services, draft, fake_github, store):
    """Off: the text and the hidden key only."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await run(services, store, job.id)

    (issue,) = fake_github.issues()
    assert issue["body"] == f"Dear diary.\n\n<!-- diary-bot:{job.idempotency_key} -->"


async def test_images_come_before_the_byline(services, draft, fake_github, store):
    """Text, images, byline, key: the byline stays the last visible line."""
    await byline_on(services, "*by {display_name}*")
    await attach(services, draft, 1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    done = await run(services, store, job.id)

    (issue,) = fake_github.issues()
    image = f"![photo-1]({RAW}{path_for(done, png(1))})"
    assert issue["body"] == (
        f"Dear diary.\n\n{image}\n\n*by Alice*\n\n<!-- diary-bot:{job.idempotency_key} -->"
    )


async def test_a_retry_after_a_restart_writes_the_byline_recorded(
    services, draft, fake_github, store
):
    """The byline is stored with the job: renaming the member or changing the template before
    the attempt changes nothing in the issue."""
    await byline_on(services)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    await byline_on(services, "by {display_name}")
    await run(services, store, job.id)

    (issue,) = fake_github.issues()
    assert issue["body"].startswith("Dear diary.\n\n— Alice\n\n<!--")


async def test_a_byline_that_overflows_the_body_is_refused_before_the_job(
    services, fake_github, store
):
    """A draft at the length limit with a byline would be too long for GitHub: refused, no job."""
    await byline_on(services)
    full = await services.drafts.create(ALICE, "Long", "x" * MAX_BODY)
    with pytest.raises(InvalidInput) as raised:
        await services.publishing.publish(ALICE, full.id, None, Author("A" * 32))
    assert raised.value.key == "error.body_too_long_with_byline"
    assert await store.jobs.list_pending_publish_jobs() == []
