"""EntryService with the real store and gateway on the GitHub fake."""

from __future__ import annotations

from bot.errors import NotAllowed
from bot.models import JobState, Owner
from bot.services.authors import AuthorPolicy
from bot.services.entries import EntryService, split_marker
from tests.bot.builders import ALICE, T0, job_for
from tests.bot.conftest import OTHER_GUILD

BOB = Owner(ALICE.guild_id, 200000000000000002)

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
    retry = await store.comments.get_comment_job(job.id)
    assert retry.state is JobState.PENDING and retry.outcome_unknown
    await services.comments.run(retry)
    url = (await store.comments.get_comment_job(job.id)).comment_url
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
    stored = await store.comments.get_comment_job(job.id)
    assert stored.state is JobState.PENDING
    assert stored.body == f"Later.\n\n<!-- diary-bot:{stored.idempotency_key} -->"


async def published(store, owner, number: int) -> None:
    """A draft of `owner` that this bot published as issue #`number`."""
    draft = await store.drafts.add_draft(owner, "Mine", "Text.", (), T0)
    job, _ = await store.jobs.add_publish_job(job_for(draft, key=f"{number:032x}"))
    await store.jobs.complete_publish_job(
        job.id, T0, issue_number=number, issue_url=f"https://x/{number}", announcements=()
    )


async def refused(services, number: int, *, manage_guild: bool, owner=ALICE) -> str | None:
    try:
        await services.entries.check_may_change(
            owner.guild_id, owner.user_id, number, manage_guild=manage_guild
        )
    except NotAllowed as error:
        return error.key
    return None


async def test_the_publishing_member_may_change_their_entry(services, store, fake_github):
    """An entry published from Alice's draft here: Alice may change it without Manage Server,
    another member only with it."""
    number = fake_github.add_issue_from_web("Mine", "Text.", user="diarybot-owner")
    await published(store, ALICE, number)

    assert await refused(services, number, manage_guild=False) is None
    assert await refused(services, number, manage_guild=False, owner=BOB) == (
        "error.entry_not_yours"
    )
    assert await refused(services, number, manage_guild=True, owner=BOB) is None


async def test_an_entry_of_another_server_is_not_changed_from_here(services, store, fake_github):
    """Published from another server's draft: even Manage Server here may not change it."""
    number = fake_github.add_issue_from_web("Theirs", "Text.", user="diarybot-owner")
    await published(store, Owner(OTHER_GUILD, ALICE.user_id), number)

    assert await refused(services, number, manage_guild=True) == "error.entry_not_yours"


async def test_manage_server_changes_only_entries_the_diarys_authors_wrote(services, fake_github):
    """Written on GitHub: the owner's issue needs Manage Server; a stranger's issue and any
    pull request are no entries, whoever asks."""
    own = fake_github.add_issue_from_web("Owner's", "Text.")
    stranger = fake_github.add_issue_from_web("Spam", "Buy now.", user="mallory")
    pull = fake_github.add_issue_from_web("Fix", "Diff.", pull_request=True)

    assert await refused(services, own, manage_guild=False) == "error.entry_not_yours"
    assert await refused(services, own, manage_guild=True) is None
    for number in (stranger, pull):
        assert await refused(services, number, manage_guild=True) == "error.not_an_entry"


async def test_recent_lists_only_diary_entries(services, store, fake_github):
    """/entry list and autocomplete: no pull requests, no strangers' issues; a collaborator's
    issue and the bot's own are entries."""
    fake_github.set_association("carol")
    wanted = [
        fake_github.add_issue_from_web("Owner's", "Text."),
        fake_github.add_issue_from_web("Carol's", "Text.", user="carol"),
        fake_github.add_issue_from_web("Bot's", "Text.", user="diarybot-owner"),
    ]
    fake_github.add_issue_from_web("Spam", "Buy now.", user="mallory")
    fake_github.add_issue_from_web("Fix", "Diff.", pull_request=True)

    entries = (await services.entries.recent()).entries

    assert sorted(entry.number for entry in entries) == wanted


async def test_listed_authors_replace_the_default_but_the_bots_entries_stay(
    store, gateway, services, fake_github, clock
):
    """ANNOUNCE_AUTHORS=carol: Carol's issues are entries, the owner's are not; issues this bot
    published are entries whoever its token's user is."""
    entries = EntryService(
        store.drafts, services.gateways, services.announcements, clock, AuthorPolicy.of(["Carol"])
    )
    owner = fake_github.add_issue_from_web("Owner's", "Text.")
    carol = fake_github.add_issue_from_web("Carol's", "Text.", user="carol")
    bot = fake_github.add_issue_from_web("Bot's", "Text.", user="someone-else")
    await published(store, ALICE, bot)

    assert sorted(entry.number for entry in (await entries.recent()).entries) == [carol, bot]
    assert owner not in [entry.number for entry in (await entries.recent()).entries]


async def test_a_failing_addendum_keeps_its_job_until_github_answers(services, fake_github, store):
    """A 503 (nothing posted): the job stays pending for a retry, then posts one comment."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    fake_github.fail_next(1, status=503)
    job = await services.comments.add(ALICE, number, "Soon.")
    await services.comments.run(job)
    retry = await store.comments.get_comment_job(job.id)
    assert (retry.state, retry.attempts) == (JobState.PENDING, 1)

    await services.comments.run(retry)

    assert (await store.comments.get_comment_job(job.id)).state is JobState.DONE
    assert len(fake_github.comments(number)) == 1


async def test_a_comment_job_resumes_from_the_store(services, fake_github, store):
    """A job recorded before a restart is the next due, and the worker posts it."""
    number = fake_github.add_issue_from_web("Entry", "Text.")
    job = await services.comments.add(ALICE, number, "After restart.")
    assert (await store.comments.next_comment_job()).id == job.id

    await services.comment_worker.run_one(await store.comments.next_comment_job())

    assert await store.comments.next_comment_job() is None
    assert len(fake_github.comments(number)) == 1


async def test_an_addendum_waits_out_a_rejected_token_past_its_attempt_budget(
    services, fake_github, store
):
    """While GitHub rejects the token the comment job is never given up, however many tries
    (a token rejection is no failure of the job); once the token works it posts once."""
    from bot.services.comments import MAX_ATTEMPTS

    number = fake_github.add_issue_from_web("Entry", "Text.")
    job = await services.comments.add(ALICE, number, "Kept.")
    fake_github.set_mode(token_revoked=True)
    for _ in range(MAX_ATTEMPTS + 2):
        await services.comments.run(await store.comments.get_comment_job(job.id))
    waiting = await store.comments.get_comment_job(job.id)
    assert (waiting.state, waiting.error_key) == (JobState.PENDING, "github.unauthorized")
    assert waiting.attempts == MAX_ATTEMPTS + 2

    fake_github.clear_faults()
    await services.comments.run(waiting)

    assert (await store.comments.get_comment_job(job.id)).state is JobState.DONE
    assert len(fake_github.comments(number)) == 1
