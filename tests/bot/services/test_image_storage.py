"""Bounded image storage, with the real store and the real gateway on the GitHub fake: the
bytes of a published entry's images are dropped; hash, size and committed path stay."""

from __future__ import annotations

import hashlib
import sqlite3

from bot.models import JobState
from bot.store import Store, _database
from bot.store._database import migrations
from tests.bot.builders import ALICE
from tests.bot.services.test_images import attach, image_commits, path_for, png, publish


async def test_publishing_drops_the_bytes_and_keeps_hash_and_path(
    services, fake_github, peek, store
):
    """Once its entry is published, a draft's images keep their hash, size and committed path
    but the store no longer holds their bytes."""
    draft = await services.drafts.create(ALICE, "Day 1", "Dear diary.")
    await attach(services, draft, 1, 2)
    assert peek.image_bytes() == len(png(1)) + len(png(2))

    job = await publish(services, store, draft)

    assert job.state is JobState.DONE
    assert peek.image_bytes() == 0
    listed = await store.images.list_draft_images(ALICE, draft.id)
    assert [(i.sha256, i.size) for i in listed] == [
        (hashlib.sha256(png(n)).hexdigest(), len(png(n))) for n in (1, 2)
    ]
    for n in (1, 2):
        digest = hashlib.sha256(png(n)).hexdigest()
        assert await store.images.get_committed_image_path(digest) == path_for(job, png(n))
        assert await store.images.get_image_data(digest) is None


async def test_bytes_an_unpublished_draft_shares_are_kept(services, fake_github, peek, store):
    """An image also attached to a draft not yet published keeps its bytes; publishing that
    draft links the committed copy and then lets the bytes go."""
    first = await services.drafts.create(ALICE, "Day 1", "One.")
    second = await services.drafts.create(ALICE, "Day 2", "Two.")
    await attach(services, first, 1, 2)
    await attach(services, second, 1)

    await publish(services, store, first)
    assert await store.images.get_image_data(hashlib.sha256(png(1)).hexdigest()) == png(1)
    assert peek.image_bytes() == len(png(1))

    assert (await publish(services, store, second)).state is JobState.DONE
    assert peek.image_bytes() == 0
    assert len(image_commits(fake_github)) == 1


async def test_the_same_image_in_a_new_draft_is_stored_again(services, fake_github, peek, store):
    """After its bytes were dropped, attaching the same image to a new draft stores them again,
    and publishing it links the copy already in the repository."""
    draft = await services.drafts.create(ALICE, "Day 1", "One.")
    await attach(services, draft, 1)
    first_job = await publish(services, store, draft)
    later = await services.drafts.create(ALICE, "Day 9", "Again.")

    await attach(services, later, 1)
    assert await store.images.get_image_data(hashlib.sha256(png(1)).hexdigest()) == png(1)

    second_job = await publish(services, store, later)
    assert second_job.state is JobState.DONE
    assert path_for(first_job, png(1)) in fake_github.issues()[1]["body"]
    assert len(image_commits(fake_github)) == 1
    assert peek.image_bytes() == 0


async def test_a_failed_publish_keeps_the_bytes(services, fake_github, peek, store):
    """A draft whose publish ends without an entry keeps its images' bytes for the next try."""
    draft = await services.drafts.create(ALICE, "Day 1", "One.")
    await attach(services, draft, 1)
    fake_github.fail_next(1, status=422)

    job = await publish(services, store, draft)

    assert job.state is not JobState.DONE
    assert peek.image_bytes() == len(png(1))


async def test_upgrading_drops_the_bytes_of_entries_published_before(
    services, tmp_path, peek, monkeypatch, store
):
    """A database from before the bound, with a published entry's image bytes still stored,
    lets them go when it is migrated; an unpublished draft's stay."""
    draft = await services.drafts.create(ALICE, "Day 1", "One.")
    await attach(services, draft, 1)
    await publish(services, store, draft)
    waiting = await services.drafts.create(ALICE, "Day 2", "Two.")
    await attach(services, waiting, 2)
    await store.close()
    number = next(n for n, sql in migrations() if "CREATE TRIGGER drop_published_image_data" in sql)
    path = tmp_path / "diary.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    try:  # as the database was before that migration
        digest = hashlib.sha256(png(1)).hexdigest()
        connection.execute("UPDATE image_blobs SET data = ? WHERE sha256 = ?", (png(1), digest))
        connection.execute("DROP TRIGGER drop_published_image_data")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute(f"PRAGMA user_version = {number - 1}")
    finally:
        connection.close()
    assert version >= number
    # Up to that migration only: later ones (e.g. ADD COLUMN) are already in this file.
    shipped = migrations()
    monkeypatch.setattr(_database, "migrations", lambda: [m for m in shipped if m[0] <= number])

    store = await Store.open(path)
    try:
        assert peek.image_bytes() == len(png(2))
        assert await store.images.get_image_data(digest) is None
    finally:
        await store.close()
