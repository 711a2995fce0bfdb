"""Images in the store: blobs once per hash, ordered links to drafts, no orphans, job images."""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import timedelta

import pytest

from bot.errors import ConcurrentChange, ImagesTooLarge, TooManyImages
from bot.models import JobState, NewImage, Owner, Schedule, ScheduleState
from tests.bot.builders import ALICE, T0, job_for

LIMITS = {"max_total_bytes": 25 * 1024 * 1024, "max_count": 50}


def png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG whose colour (and so whose bytes) depends on `seed`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, seed // 256 % 256, 7]))
    body = chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def image(seed: int = 0, name: str | None = None) -> NewImage:
    data = png(seed)
    filename = name or f"photo-{seed}.png"
    return NewImage(
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        media_type="image/png",
        filename=filename,
        alt=filename.removesuffix(".png"),
    )


@pytest.fixture
async def draft(store):
    return await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)


async def test_images_read_back_in_order_with_alt_text(store, draft):
    """Images added in two calls are listed in the order they came, with name, alt and size."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1), image(2)], T0, **LIMITS)
    await store.images.add_draft_images(ALICE, draft.id, [image(3)], T0, **LIMITS)

    listed = await store.images.list_draft_images(ALICE, draft.id)

    assert [(i.position, i.filename, i.alt) for i in listed] == [
        (1, "photo-1.png", "photo-1"),
        (2, "photo-2.png", "photo-2"),
        (3, "photo-3.png", "photo-3"),
    ]
    assert listed[0].size == len(png(1)) and listed[0].media_type == "image/png"


async def test_image_data_reads_back_byte_for_byte(store, draft):
    """The stored blob is exactly the bytes that were added."""
    await store.images.add_draft_images(ALICE, draft.id, [image(5)], T0, **LIMITS)

    assert await store.images.get_image_data(image(5).sha256) == png(5)


async def test_same_image_twice_in_one_draft_is_linked_once(store, draft):
    """Adding an image the draft already has keeps the one link it has."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)

    listed = await store.images.add_draft_images(
        ALICE, draft.id, [image(1), image(1)], T0, **LIMITS
    )

    assert [i.position for i in listed] == [1]


async def test_same_image_in_two_drafts_is_stored_once(store, draft, peek):
    """Two drafts with the same image share one blob."""
    other = await store.drafts.add_draft(ALICE, "Day 2", "", (), T0)
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)
    await store.images.add_draft_images(ALICE, other.id, [image(1, "again.png")], T0, **LIMITS)

    assert peek.image_blobs() == 1
    assert [i.filename for i in await store.images.list_draft_images(ALICE, other.id)] == [
        "again.png"
    ]


async def test_adding_images_marks_the_draft_changed(store, draft):
    """The draft's last change moves to the time the images were added."""
    later = T0 + timedelta(minutes=5)

    await store.images.add_draft_images(ALICE, draft.id, [image(1)], later, **LIMITS)

    assert (await store.drafts.get_draft(ALICE, draft.id)).updated_at == later


async def test_images_over_the_total_limit_are_refused_whole(store, draft, peek):
    """Images that would take the draft over its total size raise and store nothing."""
    with pytest.raises(ImagesTooLarge):
        await store.images.add_draft_images(
            ALICE, draft.id, [image(1), image(2)], T0, max_total_bytes=100, max_count=50
        )

    assert await store.images.list_draft_images(ALICE, draft.id) == []
    assert peek.image_blobs() == 0


async def test_images_over_the_count_limit_are_refused(store, draft):
    """A draft cannot get more images than the count limit."""
    with pytest.raises(TooManyImages):
        await store.images.add_draft_images(
            ALICE, draft.id, [image(1), image(2)], T0, max_total_bytes=10**6, max_count=1
        )


async def test_another_members_draft_gets_no_images(store, draft, peek):
    """Adding images to someone else's draft returns None and stores nothing."""
    other = Owner(ALICE.guild_id, ALICE.user_id + 1)

    assert await store.images.add_draft_images(other, draft.id, [image(1)], T0, **LIMITS) is None
    assert peek.image_blobs() == 0


async def test_draft_being_published_gets_no_images(store, draft):
    """While a publish job is pending the draft's images cannot change."""
    await store.jobs.add_publish_job(job_for(draft))

    assert await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS) is None


async def test_deleting_a_draft_deletes_the_blobs_only_it_had(store, draft, peek):
    """Deleting a draft drops its own blobs and keeps those another draft still links."""
    other = await store.drafts.add_draft(ALICE, "Day 2", "", (), T0)
    await store.images.add_draft_images(ALICE, draft.id, [image(1), image(2)], T0, **LIMITS)
    await store.images.add_draft_images(ALICE, other.id, [image(2)], T0, **LIMITS)

    assert await store.images.delete_draft_with_images(ALICE, draft.id) is True

    assert await store.images.get_image_data(image(1).sha256) is None
    assert await store.images.get_image_data(image(2).sha256) == png(2)
    assert peek.image_blobs() == 1


async def test_a_draft_whose_job_is_pending_is_not_deleted(store, draft):
    """Deleting a draft while its publish job is pending is refused: the draft and the image
    the job has still to commit stay."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    await store.images.plan_publish_job_images(job.id)

    with pytest.raises(ConcurrentChange):
        await store.images.delete_draft_with_images(ALICE, draft.id)

    assert await store.drafts.get_draft(ALICE, draft.id) is not None
    assert await store.images.get_image_data(image(1).sha256) == png(1)


async def test_deleting_someone_elses_draft_deletes_nothing(store, draft, peek):
    """Another member's delete returns False; the draft and its images stay."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)

    assert await store.images.delete_draft_with_images(Owner(ALICE.guild_id, 1), draft.id) is False
    assert peek.image_blobs() == 1


async def test_job_images_are_copied_from_the_draft_once(store, draft):
    """Planning a job's images copies the draft's images the first time only."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1), image(2)], T0, **LIMITS)
    job, _ = await store.jobs.add_publish_job(job_for(draft))

    first = await store.images.plan_publish_job_images(job.id)
    again = await store.images.plan_publish_job_images(job.id)

    assert [(i.position, i.sha256, i.alt) for i in first] == [
        (1, image(1).sha256, "photo-1"),
        (2, image(2).sha256, "photo-2"),
    ]
    assert again == first and all(i.committed_at is None for i in first)


async def test_job_without_images_plans_none(store, draft):
    """A draft without images gives its job an empty plan."""
    job, _ = await store.jobs.add_publish_job(job_for(draft))

    assert await store.images.plan_publish_job_images(job.id) == []


async def test_committed_job_image_keeps_its_path(store, draft):
    """A committed image reads back with its path and URL, and is found by its hash."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    await store.images.plan_publish_job_images(job.id)

    await store.images.mark_publish_job_image_committed(
        job.id, 1, "assets/a.png", "https://x/a.png", T0
    )

    (committed,) = await store.images.plan_publish_job_images(job.id)
    assert (committed.path, committed.url, committed.committed_at) == (
        "assets/a.png",
        "https://x/a.png",
        T0,
    )
    assert await store.images.get_committed_image_path(image(1).sha256) == "assets/a.png"


async def test_uncommitted_image_has_no_known_path(store, draft):
    """An image no job has committed yet has no path in the repository."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)

    assert await store.images.get_committed_image_path(image(1).sha256) is None


async def test_finished_job_no_longer_keeps_a_deleted_drafts_blob(store, draft, peek):
    """Once its job is done, deleting the published draft frees the image."""
    await store.images.add_draft_images(ALICE, draft.id, [image(1)], T0, **LIMITS)
    job, _ = await store.jobs.add_publish_job(job_for(draft))
    await store.images.plan_publish_job_images(job.id)
    await store.jobs.complete_publish_job(
        job.id, T0, issue_number=1, issue_url="https://github.com/a/d/issues/1", announcements=()
    )
    assert (await store.jobs.get_publish_job(job.id)).state is JobState.DONE

    await store.images.delete_draft_with_images(ALICE, draft.id)

    assert peek.image_blobs() == 0


async def test_preview_extras_are_the_images_and_the_schedule_still_to_come(store):
    """One read gives the preview's images (in order) and the draft's latest schedule while
    it is pending; a cancelled one is not shown, and another member's draft gives nothing."""
    draft = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    await store.images.add_draft_images(ALICE, draft.id, [image(1), image(2)], T0, **LIMITS)
    due = T0 + timedelta(days=1)
    planned = Schedule(
        0, draft.id, ALICE.guild_id, ALICE.user_id, due, None, "Alice", None,
        ScheduleState.PENDING, 0, due, T0,
    )  # fmt: skip
    saved, _ = await store.schedules.add_schedule(planned)

    images, scheduled = await store.images.get_preview_extras(ALICE, draft.id)

    assert images == await store.images.list_draft_images(ALICE, draft.id)
    assert [i.filename for i in images] == ["photo-1.png", "photo-2.png"]
    assert scheduled == saved
    assert await store.images.get_preview_extras(Owner(ALICE.guild_id, 999), draft.id) == ([], None)
    await store.schedules.cancel_schedule(ALICE, draft.id, T0)
    assert (await store.images.get_preview_extras(ALICE, draft.id))[1] is None


async def test_a_draft_says_whether_its_preview_has_more_to_read(store):
    """has_extras is False for a draft with neither images nor a schedule to show, and True,
    as every read of the draft says, once it has an image or a pending schedule (so the
    preview reads them); a cancelled schedule alone shows nothing."""
    plain = await store.drafts.add_draft(ALICE, "Day 1", "Dear diary", (), T0)
    pictured = await store.drafts.add_draft(ALICE, "Day 2", "Dear diary", (), T0)
    scheduled = await store.drafts.add_draft(ALICE, "Day 3", "Dear diary", (), T0)
    await store.images.add_draft_images(ALICE, pictured.id, [image(1)], T0, **LIMITS)
    due = T0 + timedelta(days=1)
    planned = Schedule(
        0, scheduled.id, ALICE.guild_id, ALICE.user_id, due, None, "Alice", None,
        ScheduleState.PENDING, 0, due, T0,
    )  # fmt: skip
    await store.schedules.add_schedule(planned)

    assert not plain.has_extras
    assert not (await store.drafts.get_draft(ALICE, plain.id)).has_extras
    assert (await store.drafts.get_draft(ALICE, pictured.id)).has_extras
    assert (await store.drafts.append_to_draft(ALICE, pictured.id, "more", T0))[1].has_extras
    assert (await store.drafts.get_latest_draft(ALICE)).has_extras
    listed = {d.id: d.has_extras for d in await store.drafts.list_drafts(ALICE)}
    assert listed == {plain.id: False, pictured.id: True, scheduled.id: True}
    await store.schedules.cancel_schedule(ALICE, scheduled.id, T0)
    assert not (await store.drafts.get_draft(ALICE, scheduled.id)).has_extras
