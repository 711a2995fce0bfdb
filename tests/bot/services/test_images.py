"""Images with the real store and the real gateway on the GitHub fake: checked by content,
kept with the draft, committed into the repository once each, and linked from the issue."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib

import pytest

from bot import i18n
from bot.errors import InvalidInput
from bot.models import JobState, PublishJob
from bot.services.drafts import MAX_BODY
from bot.services.images import Upload, git_blob_sha
from bot.services.publishing import Author
from tests.bot.builders import ALICE

AUTHOR = Author("Alice")
MB = 1024 * 1024
RAW = "https://raw.githubusercontent.com/alice/diary/main/"


def png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG whose colour (and so whose bytes) depends on `seed`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, seed // 256 % 256, 7]))
    body = chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def path_for(job: PublishJob, data: bytes, hash_length: int = 12) -> str:
    """Where the default IMAGE_PATH_TEMPLATE puts `data` for this job."""
    digest = hashlib.sha256(data).hexdigest()
    return f"assets/diary/{job.created_at:%Y/%m}/{digest[:hash_length]}.png"


@pytest.fixture
async def draft(services):
    return await services.drafts.create(ALICE, "Day 1", "Dear diary.")


async def attach(services, draft, *seeds: int):
    """Attach PNGs made from `seeds` to the draft, as /draft attach does after downloading."""
    uploads = [Upload(f"photo-{seed}.png", png(seed)) for seed in seeds]
    return await services.images.attach(ALICE, draft.id, await services.images.prepare(uploads))


async def publish(services, store, draft) -> PublishJob:
    """Queue the draft's publish job and run one attempt; the job afterwards."""
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    return await attempt(services, store, job.id)


async def attempt(services, store, job_id: int) -> PublishJob:
    await services.publishing.run(await store.jobs.get_publish_job(job_id))
    return await store.jobs.get_publish_job(job_id)


def image_commits(fake_github) -> list[dict]:
    """The bot's image commits on the default branch, oldest first."""
    history = fake_github.branch_history()
    return [c for c in reversed(history) if c["message"].startswith("diary: images for ")]


def puts(fake_github) -> list[str]:
    """Paths the bot's image commits added, in order."""
    return [path for commit in image_commits(fake_github) for path in commit["paths"]]


def writes(fake_github, prefix: str = "/repos/alice/diary/git/") -> list[str]:
    """`METHOD path-tail` of the Git Data requests GitHub answered with success."""
    return [
        f"{r.method} {r.path.removeprefix(prefix).split('/')[0]}"
        for r in fake_github.requests
        if r.path.startswith(prefix) and r.status in (200, 201)
    ]


async def test_text_named_png_is_refused(services):
    """A text file called photo.png is refused as not an image, naming the file."""
    with pytest.raises(InvalidInput) as refused:
        await services.images.prepare([Upload("photo.png", b"just some text, not pixels")])

    assert refused.value.key == "error.not_an_image"
    assert refused.value.values["name"] == "photo.png"


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (png(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
        (GIF, "image/gif"),
        (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10", "image/webp"),
    ],
    ids=["png", "jpeg", "gif", "webp"],
)
async def test_image_type_is_judged_by_content_not_name(services, data, media_type):
    """A file named like text is still taken as the image its bytes say it is."""
    (prepared,) = await services.images.prepare([Upload("notes.txt", data)])

    assert prepared.media_type == media_type


async def test_declared_size_over_the_image_limit_is_refused(services, draft):
    """Before downloading, a file declared larger than 10 MB is refused with both sizes."""
    with pytest.raises(InvalidInput) as refused:
        await services.images.check_attach(ALICE, draft.id, [("big.png", int(12.5 * MB))])

    assert refused.value.key == "error.image_too_large"
    assert refused.value.values == {"name": "big.png", "size": "12.5 MB", "limit": "10 MB"}


async def test_draft_total_over_the_draft_limit_is_refused(services, draft):
    """Images that would give a draft more than 25 MB are refused, saying how much."""
    files = [(f"{n}.png", 9 * MB) for n in range(3)]

    with pytest.raises(InvalidInput) as refused:
        await services.images.check_attach(ALICE, draft.id, files)

    assert refused.value.key == "error.images_too_large"
    assert (refused.value.values["size"], refused.value.values["limit"]) == ("27 MB", "25 MB")


async def test_downloaded_file_over_the_image_limit_is_refused(services):
    """A download larger than declared is still held to the 10 MB limit."""
    with pytest.raises(InvalidInput) as refused:
        await services.images.prepare([Upload("huge.png", png() + bytes(10 * MB))])

    assert refused.value.key == "error.image_too_large"


async def test_alt_text_defaults_to_the_file_name_without_extension(services):
    """Without alt text the file name's stem describes the image; given alt text wins."""
    plain, described = await services.images.prepare(
        [Upload("river walk.png", png(1)), Upload("x.png", png(2), "A heron  on a rock")]
    )

    assert (plain.alt, described.alt) == ("river walk", "A heron on a rock")


async def test_attached_images_are_listed_with_the_draft(services, draft):
    """Attached images are stored with the draft, in order, and the draft counts as changed."""
    saved = await attach(services, draft, 1, 2)

    listed = await services.images.list(ALICE, draft.id)
    assert [i.filename for i in listed] == ["photo-1.png", "photo-2.png"]
    assert saved.updated_at >= draft.updated_at


async def test_published_issue_links_each_committed_image(services, draft, fake_github, store):
    """The issue body is the text, one Markdown image per committed file, then the marker."""
    await attach(services, draft, 1, 2)

    job = await publish(services, store, draft)

    first, second = path_for(job, png(1)), path_for(job, png(2))
    assert fake_github.files() == {first: png(1), second: png(2)}
    (issue,) = fake_github.issues()
    assert issue["body"] == (
        f"Dear diary.\n\n![photo-1]({RAW}{first})\n\n![photo-2]({RAW}{second})"
        f"\n\n<!-- diary-bot:{job.idempotency_key} -->"
    )
    assert "<img" not in issue["body"]
    assert fake_github.violations == []


async def test_new_images_of_an_entry_are_one_commit(services, draft, fake_github, store):
    """Two new images cost two blobs, one tree, one commit naming the entry and one branch
    move (not forced) on the default branch, all before the issue."""
    await attach(services, draft, 1, 2)

    job = await publish(services, store, draft)

    (commit,) = image_commits(fake_github)
    assert commit["message"] == "diary: images for Day 1"
    assert commit["paths"] == sorted([path_for(job, png(1)), path_for(job, png(2))])
    assert writes(fake_github) == [
        "POST blobs",
        "POST blobs",
        "POST trees",
        "POST commits",
        "PATCH refs",
    ]
    (move,) = [r for r in fake_github.requests if r.method == "PATCH"]
    assert move.path.endswith("/git/refs/heads/main")
    assert json.loads(move.body) == {"sha": commit["sha"], "force": False}
    creation = next(i for i, r in enumerate(fake_github.requests) if r.path.endswith("/issues"))
    assert creation > fake_github.requests.index(move)
    assert fake_github.violations == []


async def test_same_image_in_a_second_entry_is_not_put_again(services, draft, fake_github, store):
    """Publishing another draft with the same image links the committed copy, no new PUT."""
    await attach(services, draft, 1)
    first_job = await publish(services, store, draft)
    other = await services.drafts.create(ALICE, "Day 2", "Again.")
    await attach(services, other, 1)

    second_job = await publish(services, store, other)

    assert second_job.state is JobState.DONE
    assert puts(fake_github) == [path_for(first_job, png(1))]
    assert len(image_commits(fake_github)) == 1
    assert f"({RAW}{path_for(first_job, png(1))})" in fake_github.issues()[1]["body"]


async def test_image_already_in_the_repository_is_not_sent_again(
    services, draft, fake_github, store
):
    """An image found at its path with the same content (a commit whose answer was lost)
    is linked without a PUT."""
    await attach(services, draft, 1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.put_file_from_web(path_for(job, png(1)), png(1))

    done = await attempt(services, store, job.id)

    assert done.state is JobState.DONE and puts(fake_github) == []
    assert writes(fake_github) == []
    assert f"({RAW}{path_for(job, png(1))})" in fake_github.issues()[0]["body"]


async def test_other_file_at_the_path_makes_the_name_longer(services, draft, fake_github, store):
    """A different file at the image's path is left alone; the image gets a longer hash."""
    await attach(services, draft, 1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.put_file_from_web(path_for(job, png(1)), b"someone else's file")

    await attempt(services, store, job.id)

    longer = path_for(job, png(1), hash_length=16)
    assert puts(fake_github) == [longer]
    assert fake_github.files()[path_for(job, png(1))] == b"someone else's file"
    assert f"({RAW}{longer})" in fake_github.issues()[0]["body"]


async def test_failure_between_two_blobs_resumes_without_resending(
    services, draft, fake_github, store
):
    """When the second blob fails, the retry does not send the first again (its blob is
    recorded) and still makes a single commit with both."""
    await attach(services, draft, 1, 2)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    blob_posts = []

    def fail_second_blob(request) -> None:
        if request.method == "POST" and request.path.endswith("/git/blobs"):
            blob_posts.append(request)
            if len(blob_posts) == 2:
                fake_github.fail_next(1, 502)

    fake_github.on_request = fail_second_blob
    failed = await attempt(services, store, job.id)
    assert failed.state is JobState.PENDING and fake_github.issues() == []
    assert image_commits(fake_github) == []

    done = await attempt(services, store, job.id)

    assert done.state is JobState.DONE
    assert len(blob_posts) == 3  # the first once, the second twice
    (commit,) = image_commits(fake_github)
    assert commit["paths"] == sorted([path_for(job, png(1)), path_for(job, png(2))])
    assert len(fake_github.issues()) == 1


async def test_branch_moved_meanwhile_rebuilds_on_the_new_head(services, draft, fake_github, store):
    """Someone pushes between the commit and the branch move: GitHub refuses the move (not a
    fast-forward) and the images are committed again on the new head, keeping both."""
    await attach(services, draft, 1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    armed = [True]

    def push_first(request) -> None:
        if armed and request.method == "PATCH":
            armed.clear()
            fake_github.put_file_from_web("notes/elsewhere.md", "written on the web")

    fake_github.on_request = push_first
    done = await attempt(services, store, job.id)

    assert done.state is JobState.DONE
    history = fake_github.branch_history()
    assert history[0]["message"] == "diary: images for Day 1"
    assert history[1]["message"] == "Add notes/elsewhere.md"
    assert len(image_commits(fake_github)) == 1
    assert set(fake_github.files()) == {"notes/elsewhere.md", path_for(job, png(1))}
    moves = [r.status for r in fake_github.requests if r.method == "PATCH"]
    assert moves == [422, 200]


@pytest.mark.parametrize("applied", [True, False], ids=["moved", "not-moved"])
async def test_branch_move_without_answer_is_resolved_by_looking(
    services, draft, fake_github, applied, store
):
    """The branch move fails without a usable answer; the next attempt finds the recorded
    commit on the branch (GitHub had moved it) or moves it there: one commit either way."""
    await attach(services, draft, 1, 2)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    armed = [True]

    def lose_the_answer(request) -> None:
        if armed and request.method == "PATCH":
            armed.clear()
            if applied:  # GitHub did it; the answer is lost on the way
                fake_github.state.git.refs["main"] = json.loads(request.body)["sha"]
            fake_github.fail_next(1, 502)

    fake_github.on_request = lose_the_answer
    failed = await attempt(services, store, job.id)
    assert failed.state is JobState.PENDING and fake_github.issues() == []

    done = await attempt(services, store, job.id)

    assert done.state is JobState.DONE
    (commit,) = image_commits(fake_github)
    assert commit["paths"] == sorted([path_for(job, png(1)), path_for(job, png(2))])
    made = [f"{r.method} {r.path.rsplit('/', 1)[-1]}" for r in fake_github.requests]
    assert (made.count("POST blobs"), made.count("POST commits")) == (2, 1)
    assert len(fake_github.issues()) == 1


async def test_image_failure_does_not_mark_the_issue_outcome_unknown(
    services, draft, fake_github, store
):
    """A failed image upload retries without searching for an issue that cannot exist yet."""
    await attach(services, draft, 1)
    job, _ = await services.publishing.publish(ALICE, draft.id, None, AUTHOR)
    fake_github.fail_next(1, 502)

    failed = await attempt(services, store, job.id)

    assert failed.state is JobState.PENDING and failed.outcome_unknown is False


async def test_token_without_contents_permission_fails_with_its_own_message(
    services, draft, fake_github, store
):
    """A 403 on the file write ends the job saying Contents: Read and write is needed."""
    await attach(services, draft, 1)
    fake_github.set_mode(read_only=True)

    failed = await publish(services, store, draft)

    assert (failed.state, failed.error_key) == (JobState.FAILED, "github.contents_forbidden")
    assert fake_github.issues() == []


async def test_draft_with_only_images_can_be_published(services, fake_github, store):
    """A draft without text but with an image publishes as the image link and the marker."""
    empty = await services.drafts.create(ALICE, "Pictures", "")
    await attach(services, empty, 3)

    job = await publish(services, store, empty)

    assert fake_github.issues()[0]["body"] == (
        f"![photo-3]({RAW}{path_for(job, png(3))})\n\n<!-- diary-bot:{job.idempotency_key} -->"
    )


async def test_image_that_would_overflow_the_body_is_refused_on_attach(services, fake_github):
    """Attaching an image to a draft at the length limit is refused before anything is sent."""
    full = await services.drafts.create(ALICE, "Full", "x" * MAX_BODY)

    with pytest.raises(InvalidInput) as refused:
        await attach(services, full, 1)

    assert refused.value.key == "error.body_too_long_with_images"
    assert await services.images.list(ALICE, full.id) == []
    assert fake_github.requests == []


async def test_text_that_leaves_no_room_for_image_links_is_refused_on_publish(
    services, draft, fake_github
):
    """Text appended after an image can take the body over: publish refuses before any request."""
    await attach(services, draft, 1)
    await services.drafts.append(ALICE, draft.id, "y" * (MAX_BODY - len(draft.body) - 2))

    with pytest.raises(InvalidInput) as refused:
        await services.publishing.publish(ALICE, draft.id, None, AUTHOR)

    assert refused.value.key == "error.body_too_long_with_images"
    assert fake_github.requests == []


async def test_message_with_only_images_adds_only_the_images(services):
    """A message without text starts a draft with no text and its images."""
    draft, created = await services.images.add_message(ALICE, "", [Upload("a.png", png(1))])

    assert created is True and draft.body == ""
    assert [i.filename for i in await services.images.list(ALICE, draft.id)] == ["a.png"]


async def test_message_with_neither_text_nor_images_is_refused(services):
    """A message with no text and no images is an error."""
    with pytest.raises(InvalidInput) as refused:
        await services.images.add_message(ALICE, "  ", [])

    assert refused.value.key == "error.message_has_no_text"


async def test_message_with_a_fake_image_changes_nothing(services):
    """A message whose "image" is not one is refused before its text is added."""
    with pytest.raises(InvalidInput):
        await services.images.add_message(ALICE, "Look!", [Upload("a.png", b"not an image")])

    assert await services.drafts.list(ALICE) == []


async def test_deleting_a_draft_leaves_no_image_behind(services, draft, peek):
    """Deleting a draft through the service also deletes the images only it had."""
    await attach(services, draft, 1, 2)

    await services.drafts.delete(ALICE, draft.id)

    assert peek.image_blobs() == 0


async def test_file_sha_is_the_git_blob_sha_or_none(gateway, fake_github):
    """The gateway reports a file's Git blob SHA, None for no file and "" for a folder."""
    fake_github.put_file_from_web("assets/a.png", png(1))

    assert await gateway.get_file_sha("assets/a.png", "main") == git_blob_sha(png(1))
    assert await gateway.get_file_sha("assets/b.png", "main") is None
    assert await gateway.get_file_sha("assets", "main") == ""
    assert fake_github.violations == []


async def test_default_branch_is_asked_once(gateway, fake_github):
    """The default branch comes from one repository request and is remembered."""
    assert await gateway.get_default_branch() == "main"
    assert await gateway.get_default_branch() == "main"

    assert [r.path for r in fake_github.requests] == ["/repos/alice/diary"]


@pytest.mark.parametrize("how", ["ruleset", "protection"])
async def test_a_protected_branch_ends_the_job_saying_what_to_change(
    services, draft, fake_github, how, store
):
    """A ruleset (409) or branch protection (422) refusing the image commit is final: the job
    fails at once with a message naming the rule, no issue is made, and the draft stays."""
    await attach(services, draft, 1)
    fake_github.protect_branch("main", how)

    done = await publish(services, store, draft)

    assert done.state is JobState.FAILED
    assert done.error_key == "github.branch_refused"
    error = services.publishing.error_for(done)
    text = i18n.t("en", error.key, **error.values)
    assert "ruleset" in text and "bypass" in text
    assert fake_github.issues() == []
    assert (await store.drafts.get_draft(ALICE, draft.id)).body == draft.body
    assert fake_github.violations == []
