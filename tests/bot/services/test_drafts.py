"""DraftService: titles, limits and which drafts may still change."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import DraftChanged, DraftNotFound, InvalidInput, UserFacingError
from bot.limits import MODAL_TEXT_INPUT
from bot.models import Owner
from bot.services.drafts import MAX_BODY, MAX_DRAFTS_PER_MEMBER, DraftService
from tests.bot.builders import ALICE, T0, FakeClock, job_for


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)  # 2026-11-26T15:30Z: already the 27th in Tokyo


@pytest.fixture
def drafts(store, clock) -> DraftService:
    return DraftService(store.drafts, store.images, clock)


async def published(store, draft) -> None:
    job, _ = await store.jobs.add_publish_job(job_for(draft, key=f"k{draft.id}"))
    await store.jobs.complete_publish_job(
        job.id,
        T0,
        issue_number=3,
        issue_url="https://github.com/alice/diary/issues/3",
        announcements=(),
    )


async def test_default_title_is_today_in_the_servers_time_zone(drafts):
    """Without a title, the draft is named after today's date where the server is."""
    draft = await drafts.create(ALICE, None, "Dear diary", timezone="Asia/Tokyo")

    assert draft.title == "2026-11-27"


async def test_default_title_in_utc(drafts):
    """The same instant in UTC is still the 26th."""
    draft = await drafts.create(ALICE, None, "Dear diary")

    assert draft.title == "2026-11-26"


async def test_default_title_follows_the_servers_settings(store, clock):
    """Given the settings, a draft without a title is named in the server's title format
    and time zone, with no argument from the caller."""
    await store.settings.update_guild_settings(
        ALICE.guild_id, T0, timezone="Asia/Tokyo", title_format="%m/%d の日記"
    )
    drafts = DraftService(store.drafts, store.images, clock, settings=store.settings)

    draft = await drafts.create(ALICE, None, "Dear diary")

    assert draft.title == "11/27 の日記"


async def test_blank_title_gets_the_default(drafts):
    """A title of only whitespace counts as no title."""
    draft = await drafts.create(ALICE, "  \n ", "Dear diary", timezone="Asia/Tokyo")

    assert draft.title == "2026-11-27"


async def test_title_is_cleaned_to_one_line(drafts):
    """Control characters go and runs of whitespace, newlines included, become one space."""
    draft = await drafts.create(ALICE, "  Day\x07 one\n\nat  sea ", "x")

    assert draft.title == "Day one at sea"


async def test_title_at_githubs_limit_is_accepted(drafts):
    """A 256-character title fits an issue title."""
    draft = await drafts.create(ALICE, "t" * 256, "x")

    assert len(draft.title) == 256


async def test_title_over_githubs_limit_is_refused(drafts, store):
    """A 257-character title is refused with the limit and the length, and nothing is stored."""
    with pytest.raises(InvalidInput) as raised:
        await drafts.create(ALICE, "t" * 257, "x")

    assert raised.value.key == "error.title_too_long"
    assert raised.value.values == {"limit": 256, "length": 257}
    assert await store.drafts.count_drafts(ALICE) == 0


async def test_body_over_the_limit_is_refused(drafts):
    """A body that leaves no room for the publish marker is refused."""
    with pytest.raises(InvalidInput) as raised:
        await drafts.create(ALICE, "Day 1", "x" * (MAX_BODY + 1))

    assert raised.value.key == "error.body_too_long"


async def test_create_records_the_clock_time(drafts, clock):
    """A new draft is stamped with the clock's time."""
    draft = await drafts.create(ALICE, "Day 1", "x")

    assert draft.created_at == clock.now() == draft.updated_at


async def test_append_adds_a_paragraph_to_the_latest_draft(drafts):
    """Appending without an id goes to the most recently changed draft, as a new paragraph."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")

    updated = await drafts.append(ALICE, None, "Evening.\n")

    assert updated.id == draft.id and updated.body == "Morning.\n\nEvening."


async def test_append_of_blank_text_is_refused(drafts):
    """Appending only whitespace is refused."""
    await drafts.create(ALICE, "Day 1", "Morning.")

    with pytest.raises(InvalidInput) as raised:
        await drafts.append(ALICE, None, " \n\x00 ")

    assert raised.value.key == "error.text_empty"


async def test_append_to_a_published_draft_is_refused(drafts, store):
    """A published draft no longer changes: appending names the entry it became."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")
    await published(store, draft)

    with pytest.raises(UserFacingError) as raised:
        await drafts.append(ALICE, draft.id, "Evening.")

    assert raised.value.key == "error.already_published"
    assert raised.value.values["number"] == 3
    assert (await store.drafts.get_draft(ALICE, draft.id)).body == "Morning."


async def test_append_while_publishing_is_refused(drafts, store):
    """While a publish job is pending, the draft's text is frozen."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")
    await store.jobs.add_publish_job(job_for(draft))

    with pytest.raises(UserFacingError) as raised:
        await drafts.append(ALICE, draft.id, "Evening.")

    assert raised.value.key == "error.publish_in_progress"


async def test_edit_of_a_published_draft_is_refused(drafts, store):
    """Editing a published draft is refused like appending."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")
    await published(store, draft)

    with pytest.raises(UserFacingError) as raised:
        await drafts.edit(ALICE, draft.id, body="Changed")

    assert raised.value.key == "error.already_published"


async def test_delete_while_publishing_is_refused(drafts, store):
    """A draft with a pending publish job cannot be deleted, and stays."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")
    await store.jobs.add_publish_job(job_for(draft))

    with pytest.raises(UserFacingError) as raised:
        await drafts.delete(ALICE, draft.id)

    assert raised.value.key == "error.delete_while_publishing"
    assert await store.drafts.get_draft(ALICE, draft.id) is not None


async def test_delete_removes_an_idle_draft(drafts, store):
    """Deleting a draft nobody is publishing removes it and returns what it was."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")

    deleted = await drafts.delete(ALICE, draft.id)

    assert deleted.id == draft.id
    assert await store.drafts.get_draft(ALICE, draft.id) is None


async def test_someone_elses_draft_is_not_found(drafts):
    """Asking for another member's draft by id is DraftNotFound with that id."""
    draft = await drafts.create(ALICE, "Day 1", "Morning.")

    with pytest.raises(DraftNotFound) as raised:
        await drafts.get(Owner(ALICE.guild_id, ALICE.user_id + 1), draft.id)

    assert raised.value.key == "error.draft_not_found" and raised.value.values == {"id": draft.id}


async def test_no_drafts_at_all_is_not_found(drafts):
    """Without any draft, the latest draft is DraftNotFound with the 'no drafts' message."""
    with pytest.raises(DraftNotFound) as raised:
        await drafts.get(ALICE, None)

    assert raised.value.key == "error.no_drafts"


async def test_published_entries_do_not_count_towards_the_limit(drafts, store):
    """A member with 2,000 published entries can still start a draft."""
    for number in range(2000):
        draft = await store.drafts.add_draft(ALICE, f"Day {number}", "x", (), T0)
        job, _ = await store.jobs.add_publish_job(job_for(draft, key=f"k{draft.id}"))
        await store.jobs.complete_publish_job(
            job.id, T0, issue_number=number + 1, issue_url="https://example.org", announcements=()
        )

    draft = await drafts.create(ALICE, "Day 2001", "x")

    assert draft.issue_number is None
    assert await store.drafts.count_drafts(ALICE) == 1
    assert await store.drafts.count_drafts(ALICE, published=True) == 2001


async def test_the_501st_unpublished_draft_is_refused(drafts, store):
    """With 500 unpublished drafts the next is refused with the limit, and nothing is stored."""
    for number in range(MAX_DRAFTS_PER_MEMBER):
        await drafts.create(ALICE, f"Day {number}", "x")

    with pytest.raises(InvalidInput) as raised:
        await drafts.create(ALICE, "One too many", "x")

    assert raised.value.key == "error.too_many_drafts"
    assert raised.value.values == {"limit": 500}
    assert await store.drafts.count_drafts(ALICE) == MAX_DRAFTS_PER_MEMBER


async def test_count_counts_the_members_drafts(drafts, store):
    """count() is the member's unpublished drafts; with published=True, all of them."""
    await drafts.create(ALICE, "One", "a")
    await published(store, await drafts.create(ALICE, "Two", "b"))

    assert await drafts.count(ALICE) == 1
    assert await drafts.count(ALICE, published=True) == 2
    assert await drafts.count(Owner(ALICE.guild_id, ALICE.user_id + 1)) == 0


async def test_editor_over_an_unchanged_draft_saves_plainly(drafts):
    """An editor opened at the current revision saves and reports no change meanwhile."""
    draft = await drafts.create(ALICE, "Day 1", "One.")

    saved, changed = await drafts.save_editor(ALICE, draft.id, draft.revision, "", "Two.")

    assert (saved.title, saved.body, changed) == ("Day 1", "Two.", False)
    assert saved.revision > draft.revision


async def test_editor_over_a_changed_draft_saves_a_revision_undo_steps_back_from(drafts):
    """A change made while the editor was open is not refused: the editor's text is saved as
    a new revision and undo brings the change back."""
    draft = await drafts.create(ALICE, "Day 1", "One.")
    await drafts.append(ALICE, draft.id, "Two.")

    saved, changed = await drafts.save_editor(ALICE, draft.id, draft.revision, "Day 1", "Mine.")
    restored = await drafts.undo(ALICE, draft.id)

    assert changed and saved.body == "Mine."
    assert restored.body == "One.\n\nTwo."


async def test_editor_of_the_end_keeps_the_head_it_opened_with(drafts):
    """Editing the end of a long draft replaces the part after `tail_from`; when the draft
    changed meanwhile, the head is taken from the revision the editor opened at."""
    draft = await drafts.create(ALICE, "Long", "Head.\n\nTail.")
    await drafts.append(ALICE, draft.id, "Appended.")

    saved, changed = await drafts.save_editor(
        ALICE, draft.id, draft.revision, "", "New tail.", tail_from=len("Head.\n\n")
    )

    assert changed and saved.body == "Head.\n\nNew tail."
    unchanged, again = await drafts.save_editor(
        ALICE, draft.id, saved.revision, "", "Last.", tail_from=len("Head.\n\n")
    )
    assert not again and unchanged.body == "Head.\n\nLast."


async def test_edit_at_a_stale_revision_is_refused_and_changes_nothing(drafts):
    """edit(expected_revision=...) after another change raises DraftChanged (the localized
    "changed meanwhile") and leaves the draft as the other change left it."""
    draft = await drafts.create(ALICE, "Day 1", "One.")
    await drafts.append(ALICE, draft.id, "Two.")

    with pytest.raises(DraftChanged) as refused:
        await drafts.edit(ALICE, draft.id, body="Mine.", expected_revision=draft.revision)

    assert refused.value.key == "error.changed_meanwhile"
    assert (await drafts.get(ALICE, draft.id)).body == "One.\n\nTwo."


async def test_escape_turns_links_into_plain_text_as_a_revision(drafts):
    """escape: @name and #123 become plain text; undo brings them back."""
    draft = await drafts.create(ALICE, "Day 1", "Hi @octocat, see #12.")

    escaped = await drafts.escape(ALICE, draft.id)

    assert escaped.body == "Hi \\@octocat, see \\#12."
    assert (await drafts.undo(ALICE, draft.id)).body == "Hi @octocat, see #12."


async def test_preview_holds_the_draft_its_images_schedule_and_warnings(drafts, store):
    """preview: the draft as `get` finds it, with its images, schedule and warnings; a
    published draft has no warnings."""
    draft = await drafts.create(ALICE, "Day 1", "<b>bold</b> @octocat")

    shown = await drafts.preview(ALICE, None)

    assert shown.draft == draft and shown.images == [] and shown.schedule is None
    assert [w.key for w in shown.warnings] == ["warning.html", "warning.links"]
    await published(store, draft)
    assert (await drafts.preview(ALICE, draft.id)).warnings == []


def test_the_delete_confirmation_lasts_as_configured(store, clock):
    """DELETE_CONFIRM_SECONDS reaches the cogs through DraftService, not through settings."""
    assert (
        DraftService(
            store.drafts, store.images, clock, delete_confirm_seconds=30
        ).delete_confirm_seconds
        == 30
    )
    assert DraftService(store.drafts, store.images, clock).delete_confirm_seconds == 120


async def test_appends_at_once_cannot_together_pass_the_length_limit(drafts, store):
    """Two appends that each fit but not both: the check and the append are one
    transaction, so exactly one lands and the other is refused with the length."""
    draft = await drafts.create(ALICE, "Day 1", "x" * (MAX_BODY - 1_000))
    text = "y" * 600

    results = await asyncio.gather(
        drafts.append(ALICE, draft.id, text),
        drafts.append(ALICE, draft.id, text),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 1 and refused[0].key == "error.body_too_long"
    body = (await store.drafts.get_draft(ALICE, draft.id)).body
    assert len(body) == MAX_BODY - 1_000 + 2 + 600 <= MAX_BODY


async def test_drafts_started_at_once_cannot_together_pass_the_draft_limit(drafts, store):
    """One short of the limit, two drafts started at once: the count is taken in the
    insert's transaction, so one is stored and the other refused."""
    for number in range(MAX_DRAFTS_PER_MEMBER - 1):
        await store.drafts.add_draft(ALICE, f"Day {number}", "x", (), T0)

    results = await asyncio.gather(
        drafts.create(ALICE, "One", "x"), drafts.create(ALICE, "Two", "x"), return_exceptions=True
    )

    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 1 and refused[0].key == "error.too_many_drafts"
    assert await store.drafts.count_drafts(ALICE) == MAX_DRAFTS_PER_MEMBER


async def test_append_to_a_missing_draft_is_not_found(drafts):
    """Appending to a draft id that is not the member's says it was not found."""
    await drafts.create(ALICE, "Day 1", "Morning.")

    with pytest.raises(DraftNotFound):
        await drafts.append(ALICE, 9_999, "Evening.")


async def test_tail_of_a_long_draft_starts_at_a_paragraph_and_fits_an_editor(drafts):
    """tail: the end of a draft longer than an editor, from the first paragraph break that
    leaves it within MODAL_TEXT_INPUT; the head is left as it is."""
    head, end = "a" * 3_000 + "\n\n", "b" * 2_000 + "\n\n" + "c" * 1_000
    draft = await drafts.create(ALICE, "Long", head + end)

    found, start, tail = await drafts.tail(ALICE, draft.id)

    assert found == draft and tail == end and draft.body[:start] == head
    assert len(tail) <= MODAL_TEXT_INPUT


async def test_import_file_replaces_title_and_text(drafts):
    """import_file: a Markdown file's front matter title and its text replace the draft's."""
    draft = await drafts.create(ALICE, "Old", "Old text.")

    saved = await drafts.import_file(
        ALICE, draft.id, "draft.md", b'---\ntitle: "New"\n---\n\nNew text.\n'
    )

    assert (saved.title, saved.body) == ("New", "New text.")
