"""Images that last: attached in Discord, committed into the diary repository at publish,
linked from the issue with Markdown, never through Discord's expiring CDN URLs."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from typing import Any

from tests.e2e.harness import Rig, wait_until

RAW = "https://raw.githubusercontent.com/alice/diary/main/"
IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\((\S+)\)")


def png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG whose colour (and so whose bytes) depends on `seed`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, seed // 256 % 256, 7]))
    body = chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def _hash12(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _image_commits(rig: Rig) -> list[dict[str, Any]]:
    """The bot's image commits on the default branch, oldest first."""
    history = reversed(rig.github.branch_history())
    return [c for c in history if c["message"].startswith("diary: images for ")]


def _contents_puts(rig: Rig) -> list[str]:
    """Paths the bot's image commits added, in order."""
    return [path for commit in _image_commits(rig) for path in commit["paths"]]


def _ref_updates(rig: Rig) -> list[int | None]:
    """Statuses of the branch moves GitHub received."""
    return [r.status for r in rig.github.requests if r.method == "PATCH" and "/git/refs/" in r.path]


def _images_field(message: dict[str, Any]) -> str | None:
    fields = message["embeds"][0].get("fields", [])
    return next((f["value"] for f in fields if f["name"].startswith("Images")), None)


def _attach(rig: Rig, name: str, data: bytes) -> dict[str, Any]:
    return rig.slash("owner", "attach", {"image": (name, data)}).wait_final(timeout=10)


def _publish(rig: Rig) -> dict[str, Any]:
    return rig.slash("owner", "publish").wait_final(timeout=20, quiet=0.5)


def test_published_image_is_committed_once_and_linked(rig: Rig) -> None:
    """An attached image becomes one commit, and the issue links that copy with
    Markdown, without any Discord CDN URL."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Heron", "body": "By the river."}).wait_final()
    attached = _attach(rig, "heron.png", png(1))
    assert "Attached the image to draft #1" in attached["content"]
    assert "heron.png" in (_images_field(attached) or "")
    assert "#1" in _publish(rig)["content"]

    (path,) = _contents_puts(rig)
    assert path.startswith("assets/diary/") and path.endswith(f"/{_hash12(png(1))}.png")
    assert rig.github.files()[path] == png(1)
    body = rig.github.issues()[0]["body"]
    assert IMAGE_LINK.findall(body) == [("heron", RAW + path)]
    assert "cdn.discordapp.com" not in body and "/cdn/" not in body and "<img" not in body


def test_same_image_in_a_second_entry_is_not_committed_again(rig: Rig) -> None:
    """A second entry with the same image links the committed file without a new commit."""
    rig.start_bot()
    for title in ("First", "Second"):
        rig.slash("owner", "new", {"title": title, "body": f"{title} entry."}).wait_final()
        _attach(rig, "same.png", png(2))
        assert "Published" in _publish(rig)["content"]

    (path,) = _contents_puts(rig)
    first, second = (issue["body"] for issue in rig.github.issues())
    assert IMAGE_LINK.findall(first) == IMAGE_LINK.findall(second) == [("same", RAW + path)]


def test_text_file_named_png_is_refused(rig: Rig) -> None:
    """A .png that is really text is refused, saying so; the draft gets no image."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Fake", "body": "Nothing to see."}).wait_final()

    refused = _attach(rig, "photo.png", b"I am only text pretending to be a picture.")

    assert "photo.png is not a PNG, JPEG, GIF or WebP image" in refused["content"]
    assert _images_field(rig.slash("owner", "show").wait_final()) is None


def test_three_images_make_one_commit(rig: Rig) -> None:
    """An entry with three images is one commit naming the entry and one branch move, so a
    blog built on every push rebuilds once."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Three", "body": "Three pictures."}).wait_final()
    for seed in (7, 8, 9):
        _attach(rig, f"p{seed}.png", png(seed))
    assert "#1" in _publish(rig)["content"]

    (commit,) = _image_commits(rig)
    assert commit["message"] == "diary: images for Three"
    assert len(commit["paths"]) == 3
    assert _ref_updates(rig) == [200]
    links = IMAGE_LINK.findall(rig.github.issues()[0]["body"])
    assert [alt for alt, _ in links] == ["p7", "p8", "p9"]
    assert {url for _, url in links} == {RAW + path for path in commit["paths"]}


def test_kill_before_the_branch_moves_still_makes_one_commit(rig: Rig) -> None:
    """The bot is killed while its branch move is held back (blobs and commit made); GitHub
    then completes the move. After a restart the bot finds its recorded commit on the
    branch: one commit, one branch move, one issue linking all three images."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Crash", "body": "Three pictures."}).wait_final()
    for seed in (10, 11, 12):
        _attach(rig, f"c{seed}.png", png(seed))
    rig.github.hold_ref_updates()
    rig.slash("owner", "publish")
    move = rig.github.wait_for_request("PATCH", "/git/refs/", timeout=15)
    assert rig.bot is not None
    rig.bot.kill()
    rig.github.release_ref_updates()
    wait_until(lambda: move.status is not None)  # GitHub finished it; nobody heard
    assert rig.github.issues() == []

    restarted_at = len(rig.github.requests)
    rig.start_bot()
    wait_until(lambda: len(rig.github.issues()) == 1)

    (commit,) = _image_commits(rig)
    assert len(commit["paths"]) == 3
    assert _ref_updates(rig) == [200]
    again = [r for r in rig.github.requests[restarted_at:] if "/git/blobs" in r.path]
    assert again == []  # the blobs and the commit were recorded, not made again
    links = IMAGE_LINK.findall(rig.github.issues()[0]["body"])
    assert {url for _, url in links} == {RAW + path for path in commit["paths"]}


def test_message_menu_adds_the_messages_image(rig: Rig) -> None:
    """The message menu on a message with text and an image adds both to a new draft."""
    rig.start_bot()
    message = rig.discord.post_user_message(
        "owner", "writing", "Saw a heron today.", attachments=[("heron.png", png(5))]
    )

    added = rig.discord.message_command("owner", "Add to diary draft", message)

    reply = added.wait_final(timeout=10)
    assert "new draft" in reply["content"].lower()
    assert reply["embeds"][0]["description"] == "Saw a heron today."
    assert "heron.png" in (_images_field(reply) or "")


def test_message_menu_on_an_image_without_text_adds_only_the_image(rig: Rig) -> None:
    """A message with only an image adds the image and leaves the draft's text as it was."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Walk", "body": "Morning walk."}).wait_final()
    message = rig.discord.post_user_message(
        "owner", "writing", "", attachments=[("river.png", png(6))]
    )

    reply = rig.discord.message_command("owner", "Add to diary draft", message).wait_final(10)

    assert "Added to draft #1" in reply["content"]
    assert reply["embeds"][0]["description"] == "Morning walk."
    assert "river.png" in (_images_field(reply) or "")


def test_announcement_shows_the_first_image_and_text_without_markdown(rig: Rig) -> None:
    """The announcement's excerpt has no image Markdown or hidden key, its embed shows the
    entry's first image, and with BLOG_URL_TEMPLATE the publish reply links the blog page."""
    rig.extra_env["BLOG_URL_TEMPLATE"] = "https://alice.example/diary/{number}"
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Birds", "body": "Two birds today."}).wait_final()
    _attach(rig, "heron.png", png(13))
    _attach(rig, "crow.png", png(14))

    reply = _publish(rig)

    assert "https://alice.example/diary/1" in reply["content"]
    assert "/issues/1" in reply["content"]  # the issue stays one click away
    (first, _) = IMAGE_LINK.findall(rig.github.issues()[0]["body"])
    (announcement,) = rig.discord.wait_for(
        lambda: rig.discord.channel_messages("announcements"), 10, "announcement"
    )
    embed = announcement["embeds"][0]
    assert embed["description"] == "Two birds today."
    assert embed["image"]["url"] == first[1]
    assert embed["url"] == "https://alice.example/diary/1"
