"""AnnounceWorker: each announcement sent once, retried when Discord fails, given up when final."""

from __future__ import annotations

import pytest

from bot.models import JobState
from bot.services.announcement_delivery import MAX_ATTEMPTS, AnnouncementDelivery
from bot.services.announcing import AnnouncementFailed
from bot.services.posting import DEFAULT_NONCE_WINDOW
from bot.workers._loop import IDLE_SECONDS
from bot.workers.announcer import AnnounceWorker
from tests.bot.builders import REPOSITORY, FakeSender, announcement, permanent, transient

CHANNEL = 300000000000000001
OTHER_CHANNEL = 300000000000000002


@pytest.fixture
def worker(store, sender, clock) -> AnnounceWorker:
    async def ready() -> None:
        return None

    return AnnounceWorker(AnnouncementDelivery(store.announcements, sender, clock), clock, ready)


@pytest.fixture
async def queued(store, clock, peek):
    """One announcement of issue 7, due now."""
    await store.announcements.add_announcements([announcement(CHANNEL, 7, at=clock.now())])
    (pending,) = peek.pending_announcements()
    return pending


def stored(peek, channel_id: int = CHANNEL):
    return {a.channel_id: a for a in peek.announcements(7)}[channel_id]


async def test_sent_announcement_is_done_with_its_message_id(worker, queued, store, sender, peek):
    """A successful send marks the announcement done and keeps the message id."""
    await worker.run_one(queued)

    after = stored(peek)
    assert after.state is JobState.DONE
    assert after.message_id is not None and after.message_id > 0
    assert [a.issue_number for a in sender.sent] == [7]


async def test_transient_failure_is_retried_later(worker, queued, store, sender, clock, peek):
    """A transient failure keeps it pending, counts the attempt and schedules another."""
    sender.fail(CHANNEL, transient())

    await worker.run_one(queued)

    after = stored(peek)
    assert (after.state, after.attempts, after.message_id) == (JobState.PENDING, 1, None)
    assert after.next_attempt_at > clock.now()


async def test_retry_after_a_transient_failure_sends_it(worker, queued, store, sender, clock, peek):
    """Once due again, the retried announcement is sent and done."""
    sender.fail(CHANNEL, transient())
    await worker.run_one(queued)
    clock.advance(3600)

    assert await worker._run_due() == 0

    after = stored(peek)
    assert (after.state, after.attempts) == (JobState.DONE, 2)
    assert len(sender.sent) == 1


async def test_permanent_failure_marks_it_failed(worker, queued, store, sender, peek):
    """A permanent failure (no access, channel gone) gives up at once."""
    sender.fail(CHANNEL, permanent())

    await worker.run_one(queued)

    after = stored(peek)
    assert (after.state, after.attempts) == (JobState.FAILED, 1)
    assert peek.pending_announcements() == []


async def test_gives_up_after_the_last_attempt(worker, queued, store, sender, clock, peek):
    """Transient failures stop being retried after MAX_ATTEMPTS attempts."""
    sender.fail(CHANNEL, *(transient() for _ in range(MAX_ATTEMPTS)))

    for _ in range(MAX_ATTEMPTS):
        (due,) = peek.pending_announcements()
        await worker.run_one(due)

    after = stored(peek)
    assert (after.state, after.attempts) == (JobState.FAILED, MAX_ATTEMPTS)
    assert sender.sent == []


async def test_not_yet_due_announcement_waits(worker, store, sender, clock):
    """An announcement due later is not sent; the loop learns how long to sleep."""
    due_at = clock.now()
    clock.advance(-30)
    await store.announcements.add_announcements([announcement(CHANNEL, 7, at=due_at)])

    assert await worker._run_due() == 30.0
    assert sender.sent == []


async def test_nothing_pending_sleeps_until_woken(worker, sender):
    """With nothing queued the loop idles."""
    assert await worker._run_due() == IDLE_SECONDS
    assert sender.sent == []


async def test_unexpected_sender_error_does_not_block_the_queue(store, clock):
    """An announcement whose sending raises unexpectedly does not starve the ones after it."""

    async def ready() -> None:
        return None

    sender = FakeSender()
    sender.fail(CHANNEL, *(RuntimeError("bug in the sender") for _ in range(5)))
    worker = AnnounceWorker(AnnouncementDelivery(store.announcements, sender, clock), clock, ready)
    await store.announcements.add_announcements(
        [announcement(CHANNEL, 7, at=clock.now()), announcement(OTHER_CHANNEL, 7, at=clock.now())]
    )

    for _ in range(3):  # what the loop does: run, log the error, run again
        try:
            await worker._run_due()
        except RuntimeError:
            pass

    assert [a.channel_id for a in sender.sent] == [OTHER_CHANNEL]


async def test_a_lost_answer_is_resolved_by_the_nonce(worker, queued, store, sender, clock, peek):
    """Discord posted it but the answer was lost: the retry sends the same nonce and records
    Discord's earlier message; nothing is posted twice, nothing looked up."""
    sender.lost_answers = 1
    await worker.run_one(queued)
    assert stored(peek).state is JobState.PENDING
    clock.advance(30)

    assert await worker._run_due() == 0

    after = stored(peek)
    assert after.state is JobState.DONE and after.message_id == sender.posted[0][0]
    assert (len(sender.sent), sender.looks) == (1, 0)


async def test_past_the_nonce_window_the_post_is_found_by_its_link(
    worker, queued, store, sender, clock, peek
):
    """Discord has forgotten the nonce: the bot finds its post by the entry's link, adopts
    it (later edits go to it) and posts nothing."""
    sender.clock = clock
    sender.lost_answers = 1
    await worker.run_one(queued)
    sender.nonces.clear()
    clock.advance(DEFAULT_NONCE_WINDOW + 60)

    assert await worker._run_due() == 0

    after = stored(peek)
    assert after.state is JobState.DONE and after.message_id == sender.posted[0][0]
    assert (len(sender.sent), sender.looks) == (1, 1)


async def test_past_the_window_with_nothing_found_it_is_posted(
    worker, queued, store, sender, clock, peek
):
    """An unknown outcome that in fact posted nothing: the look finds nothing, one post."""
    sender.clock = clock
    sender.fail(CHANNEL, AnnouncementFailed("timeout", permanent=False, outcome_unknown=True))
    await worker.run_one(queued)
    clock.advance(DEFAULT_NONCE_WINDOW + 60)

    assert await worker._run_due() == 0

    assert stored(peek).state is JobState.DONE
    assert (len(sender.sent), sender.looks) == (1, 1)


async def test_every_announcement_has_its_own_nonce(store, clock):
    """Nonces are made when announcements are recorded: distinct, at most 25 characters."""
    await store.announcements.add_announcements(
        [announcement(CHANNEL, 7, at=clock.now()), announcement(OTHER_CHANNEL, 7, at=clock.now())]
    )
    nonces = [a.nonce for a in await store.announcements.list_tracked_announcements(REPOSITORY, 7)]
    assert len(set(nonces)) == 2 and all(n and len(n) <= 25 for n in nonces)
