"""Drafts in the store: owner scoping, ordering, filtering and concurrent appends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.models import DraftListing, Owner, Schedule, ScheduleState
from bot.store.drafts import PARAGRAPH
from tests.bot.builders import ALICE, T0, job_for

OTHERS = [
    pytest.param(Owner(ALICE.guild_id, ALICE.user_id + 1), id="same-guild-other-user"),
    pytest.param(Owner(ALICE.guild_id + 1, ALICE.user_id), id="same-user-other-guild"),
]


async def publish(store, draft, number: int = 1) -> None:
    job, _ = await store.jobs.add_publish_job(job_for(draft, key=f"key-{draft.id}"))
    await store.jobs.complete_publish_job(
        job.id,
        T0,
        issue_number=number,
        issue_url=f"https://github.com/alice/diary/issues/{number}",
        announcements=(),
    )


async def test_added_draft_reads_back_as_stored(store):
    """A draft reads back with the fields it was added with and no publish state."""
    added = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", ("diary",), T0)

    found = await store.drafts.get_draft(ALICE, added.id)

    assert found == added
    assert (found.title, found.body, found.labels, found.created_at) == (
        "Day 1",
        "Dear diary",
        ("diary",),
        T0,
    )
    assert found.issue_number is None and found.job_state is None


@pytest.mark.parametrize("other", OTHERS)
async def test_other_owner_cannot_see_a_draft(store, other):
    """Another member, or the same member in another server, gets None for someone's draft."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)

    assert await store.drafts.get_draft(other, draft.id) is None
    assert await store.drafts.get_latest_draft(other) is None
    assert await store.drafts.list_drafts(other) == []


@pytest.mark.parametrize("other", OTHERS)
async def test_other_owner_cannot_update_a_draft(store, other):
    """An update or append by another owner returns None and changes nothing."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)

    assert await store.drafts.update_draft(other, draft.id, T0, title="Hacked", body="x") is None
    assert await store.drafts.append_to_draft(other, draft.id, "more", T0) == (None, None)

    assert await store.drafts.get_draft(ALICE, draft.id) == draft


@pytest.mark.parametrize("other", OTHERS)
async def test_other_owner_cannot_delete_a_draft(store, other):
    """A delete by another owner returns False and the draft stays."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)

    assert await store.images.delete_draft_with_images(other, draft.id) is False
    assert await store.drafts.get_draft(ALICE, draft.id) == draft


async def test_latest_draft_skips_published_ones(store):
    """The latest draft is the most recently changed unpublished one."""
    older = await store.drafts.add_draft(ALICE, "Older", "a", (), T0)
    newer = await store.drafts.add_draft(ALICE, "Newer", "b", (), T0 + timedelta(minutes=1))
    await publish(store, newer)

    latest = await store.drafts.get_latest_draft(ALICE)

    assert latest is not None and latest.id == older.id


async def test_latest_draft_can_include_published_ones(store):
    """With unpublished=False the latest draft may be a published one."""
    await store.drafts.add_draft(ALICE, "Older", "a", (), T0)
    newer = await store.drafts.add_draft(ALICE, "Newer", "b", (), T0 + timedelta(minutes=1))
    await publish(store, newer)

    latest = await store.drafts.get_latest_draft(ALICE, unpublished=False)

    assert latest is not None and latest.id == newer.id


async def test_list_puts_most_recently_changed_first(store):
    """Listing orders by last change, newest first, not by creation."""
    first = await store.drafts.add_draft(ALICE, "First", "a", (), T0)
    second = await store.drafts.add_draft(ALICE, "Second", "b", (), T0 + timedelta(minutes=1))
    third = await store.drafts.add_draft(ALICE, "Third", "c", (), T0 + timedelta(minutes=2))
    await store.drafts.append_to_draft(ALICE, first.id, "more", T0 + timedelta(minutes=3))

    listed = await store.drafts.list_drafts(ALICE)

    assert [d.id for d in listed] == [first.id, third.id, second.id]


async def test_list_honours_the_limit(store):
    """At most `limit` drafts are listed, the newest ones."""
    for minute in range(5):
        await store.drafts.add_draft(
            ALICE, f"Day {minute}", "a", (), T0 + timedelta(minutes=minute)
        )

    listed = await store.drafts.list_drafts(ALICE, limit=2)

    assert [d.title for d in listed] == ["Day 4", "Day 3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("%", ["100% sure"], id="percent-is-literal"),
        pytest.param("_", ["snake_case"], id="underscore-is-literal"),
        pytest.param("\\", ["back\\slash"], id="backslash-is-literal"),
        pytest.param("SURE", ["1000 sure", "100% sure"], id="case-insensitive-substring"),
        pytest.param("", ["back\\slash", "snakeXcase", "snake_case", "1000 sure", "100% sure"]),
    ],
)
async def test_list_filters_titles_literally(store, query, expected):
    """The title filter is a plain substring match: % _ and \\ match only themselves."""
    for minute, title in enumerate(
        ["100% sure", "1000 sure", "snake_case", "snakeXcase", "back\\slash"]
    ):
        await store.drafts.add_draft(ALICE, title, "a", (), T0 + timedelta(minutes=minute))

    listed = await store.drafts.list_drafts(ALICE, query=query)

    assert [d.title for d in listed] == expected


async def test_update_changes_only_the_given_fields(store):
    """update_draft replaces the given fields and keeps the others."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", ("diary",), T0)
    later = T0 + timedelta(minutes=5)

    updated = await store.drafts.update_draft(ALICE, draft.id, later, body="New text")

    assert updated is not None
    assert (updated.title, updated.body, updated.labels) == ("Day 1", "New text", ("diary",))
    assert updated.updated_at == later and updated.created_at == T0


async def test_update_at_an_expected_revision_is_refused_once_the_draft_moved_on(store):
    """With expected_revision, the update writes only while the draft is at that revision:
    after another change it writes nothing and returns None."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "One.", (), T0)
    _, moved = await store.drafts.append_to_draft(ALICE, draft.id, "Two.", T0)
    assert moved is not None

    stale = await store.drafts.update_draft(
        ALICE, draft.id, T0, body="x", expected_revision=draft.revision
    )
    fresh = await store.drafts.update_draft(
        ALICE, draft.id, T0, body="y", expected_revision=moved.revision
    )

    assert stale is None
    assert fresh is not None and fresh.body == "y" and fresh.revision > moved.revision


async def test_append_to_empty_body_adds_no_separator(store):
    """The first paragraph of an empty draft becomes the body as it is."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "", (), T0)

    _, updated = await store.drafts.append_to_draft(ALICE, draft.id, "First", T0)

    assert updated is not None and updated.body == "First"


async def test_concurrent_appends_all_land(store):
    """Twenty appends racing each other all end up in the body, each as its own paragraph."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "start", (), T0)
    texts = [f"paragraph {i}" for i in range(20)]

    await asyncio.gather(*(store.drafts.append_to_draft(ALICE, draft.id, t, T0) for t in texts))

    final = await store.drafts.get_draft(ALICE, draft.id)
    assert final is not None
    paragraphs = final.body.split(PARAGRAPH)
    assert paragraphs[0] == "start"
    assert sorted(paragraphs[1:]) == sorted(texts)


async def test_delete_removes_the_draft(store):
    """The owner's delete returns True and the draft is gone."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)

    assert await store.images.delete_draft_with_images(ALICE, draft.id) is True
    assert await store.drafts.get_draft(ALICE, draft.id) is None


async def test_count_is_per_owner(store):
    """count_drafts counts only the owner's drafts."""
    await store.drafts.add_draft(ALICE, "a", "", (), T0)
    await store.drafts.add_draft(ALICE, "b", "", (), T0)
    await store.drafts.add_draft(Owner(ALICE.guild_id, 7), "c", "", (), T0)

    assert await store.drafts.count_drafts(ALICE) == 2


async def test_count_leaves_out_published_drafts(store):
    """count_drafts counts unpublished drafts (what the limit is about); published=True all."""
    kept = await store.drafts.add_draft(ALICE, "a", "x", (), T0)
    done = await store.drafts.add_draft(ALICE, "b", "x", (), T0)
    await publish(store, done)

    assert await store.drafts.count_drafts(ALICE) == 1
    assert await store.drafts.count_drafts(ALICE, published=True) == 2
    assert kept.id != done.id


async def test_list_puts_unpublished_drafts_first(store):
    """Unpublished drafts come before published ones, even older ones; each part newest first."""
    old = await store.drafts.add_draft(ALICE, "Old draft", "a", (), T0)
    older = await store.drafts.add_draft(ALICE, "Older draft", "a", (), T0 - timedelta(days=1))
    for minute in range(1, 4):
        draft = await store.drafts.add_draft(
            ALICE, f"Entry {minute}", "a", (), T0 + timedelta(minutes=minute)
        )
        await publish(store, draft, number=minute)

    listed = await store.drafts.list_drafts(ALICE)
    limited = await store.drafts.list_drafts(ALICE, limit=3)

    assert [d.title for d in listed] == [
        "Old draft",
        "Older draft",
        "Entry 3",
        "Entry 2",
        "Entry 1",
    ]
    assert [d.id for d in limited[:2]] == [old.id, older.id] and limited[2].title == "Entry 3"


def _schedule_for(draft, due):
    return Schedule(
        0, draft.id, draft.guild_id, draft.author_id, due, None, "Alice", None,
        ScheduleState.PENDING, 0, due, T0,
    )  # fmt: skip


async def test_the_listing_is_the_drafts_their_total_and_their_schedules_in_one_read(store):
    """get_draft_listing: the newest drafts (unpublished first, as list_drafts), the
    member's total (published ones too), and the schedule of each listed draft that has
    one; nothing for a member without drafts."""
    assert await store.drafts.get_draft_listing(ALICE) == DraftListing([], 0, {})
    old = await store.drafts.add_draft(ALICE, "Old", "x", (), T0)
    scheduled = await store.drafts.add_draft(ALICE, "Later", "x", (), T0 + timedelta(minutes=1))
    newest = await store.drafts.add_draft(ALICE, "New", "x", (), T0 + timedelta(minutes=2))
    planned, _ = await store.schedules.add_schedule(
        _schedule_for(scheduled, T0 + timedelta(days=1))
    )
    published, _ = await store.jobs.add_publish_job(job_for(old))
    await store.jobs.complete_publish_job(
        published.id, T0, issue_number=7, issue_url="https://example.org/7", announcements=()
    )

    listing = await store.drafts.get_draft_listing(ALICE, limit=2)

    assert [d.id for d in listing.drafts] == [newest.id, scheduled.id]
    assert listing.drafts == await store.drafts.list_drafts(ALICE, limit=2)
    assert listing.total == 3
    assert listing.schedules == {scheduled.id: planned}
    assert (await store.drafts.get_draft_listing(ALICE, limit=1)).schedules == {}
