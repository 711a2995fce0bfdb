"""EntryService with the real store and gateway on the GitHub fake."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed
from bot.models import JobState
from bot.services.entries import split_marker
from tests.bot.builders import ALICE

MARKER = "<!-- diary-bot:0123abcd -->"


def test_split_marker_separates_the_hidden_key():
    """The publish marker at the end is split off; a body without one is kept whole."""
    assert split_marker(f"Text.\n\n{MARKER}") == ("Text.", f"\n\n{MARKER}")
    assert split_marker("Just text.") == ("Just text.", "")


async def test_edit_keeps_the_marker_and_changes_title_and_body(services, fake_github):
    """Editing replaces the visible text; the hidden key stays at the end."""
    number = fake_github.add_issue_from_web("Old", f"Old text.\n\n{MARKER}")
    entry = await services.entries.edit(number, "New", "New text.")
    assert entry.title == "New"
    issue = fake_github.issues()[0]
    assert (issue["title"], issue["body"]) == ("New", f"New text.\n\n{MARKER}")
    assert fake_github.violations == []


async def test_add_after_an_unknown_outcome_finds_the_comment_instead_of_posting_again(
    services, fake_github, store
):
    """A 502 after GitHub stored the comment: the retry finds it by its key; one comment."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    fake_github.fail_next(1, status=502, commit=True)
    job = await services.comments.add(ALICE, number, "Addendum.")
    await services.comments.run(job)  # the comment is stored, the answer is a 502
    retry = await store.get_comment_job(job.id)
    assert retry.state is JobState.PENDING and retry.outcome_unknown
    await services.comments.run(retry)
    url = (await store.get_comment_job(job.id)).comment_url
    comments = fake_github.comments(number)
    assert len(comments) == 1
    assert comments[0]["body"].startswith("Addendum.\n\n<!-- diary-bot:")
    assert url.endswith(str(comments[0]["id"]))
    posts = [r for r in fake_github.requests if r.method == "POST" and "/comments" in r.path]
    assert len(posts) == 1  # found by its key, not posted again
    assert fake_github.violations == []


async def test_add_is_recorded_before_any_github_request(services, fake_github, store):
    """The addendum is in the store, with its hidden key, before GitHub hears of it."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    fake_github.reset_requests()
    job = await services.comments.add(ALICE, number, "Later.")
    assert fake_github.requests == []
    stored = await store.get_comment_job(job.id)
    assert stored.state is JobState.PENDING
    assert stored.body == f"Later.\n\n<!-- diary-bot:{stored.idempotency_key} -->"


async def test_only_the_publishing_member_may_change_without_manage_server(services, store):
    """An entry published by someone else (or written on GitHub) needs Manage Server."""
    with pytest.raises(NotAllowed):
        await services.entries.check_may_change(
            ALICE.guild_id, ALICE.user_id, 7, manage_guild=False
        )
    await services.entries.check_may_change(ALICE.guild_id, ALICE.user_id, 7, manage_guild=True)


async def test_a_failing_addendum_keeps_its_job_until_github_answers(services, fake_github, store):
    """A 503 (nothing posted): the job stays pending for a retry, then posts one comment."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    fake_github.fail_next(1, status=503)
    job = await services.comments.add(ALICE, number, "Soon.")
    await services.comments.run(job)
    retry = await store.get_comment_job(job.id)
    assert (retry.state, retry.attempts) == (JobState.PENDING, 1)

    await services.comments.run(retry)

    assert (await store.get_comment_job(job.id)).state is JobState.DONE
    assert len(fake_github.comments(number)) == 1


async def test_a_comment_job_resumes_from_the_store(services, fake_github, store):
    """A job recorded before a restart is the next due, and the worker posts it."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    job = await services.comments.add(ALICE, number, "After restart.")
    assert (await store.next_comment_job()).id == job.id

    await services.comment_worker.run_one(await store.next_comment_job())

    assert await store.next_comment_job() is None
    assert len(fake_github.comments(number)) == 1
