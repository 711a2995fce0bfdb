"""Images in drafts, and their copies in the diary repository.

Discord's attachment URLs expire, so an image is downloaded when it arrives, checked by its
content (not its name), and kept in SQLite with the draft. At publish, the job puts the entry's
new images into the repository in one commit (Git Data API: blobs, one tree, one commit, then
the branch moves, never forced), recording each step, and the issue links those copies with
Markdown (gialog drops raw HTML such as `<img>`). One commit per entry means one blog rebuild.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import quote

from bot.byte_sizes import MEGABYTE, format_size
from bot.errors import ImagesTooLarge, InvalidInput, TooManyImages, UserFacingError
from bot.limits import clean_text, cut
from bot.models import Draft, DraftImage, JobState, NewImage, Owner
from bot.services.clock import Clock
from bot.services.drafts import DraftService
from bot.services.store_ports import DraftRecords, ImageRecords

log = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 10 * MEGABYTE
DRAFT_IMAGES_MAX_BYTES = 25 * MEGABYTE
MAX_IMAGES_PER_DRAFT = 50
ALT_MAX = 200
# A name taken by a different file is retried with a longer prefix of the hash.
HASH_LENGTHS = (12, 16, 24, 32, 64)
# Until the default branch is known, the body-length check assumes a name this long.
BRANCH_ESTIMATE = 64

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def sniff(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP file judged by its first bytes, else None."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature) and len(data) > len(signature):
            return media_type
    return None


def clean_alt(text: str | None, filename: str) -> str:
    """One line of alt text; without one, the file name without its extension."""
    alt = " ".join(clean_text(text or "").split())
    alt = alt or " ".join(clean_text(PurePosixPath(filename).stem).split())
    return cut(alt or "image", ALT_MAX)


def markdown_image(alt: str, url: str) -> str:
    """`![alt](url)`, with the characters that would end the alt text escaped."""
    escaped = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{escaped}]({url})"


def git_blob_sha(data: bytes) -> str:
    """The id Git (and the contents API's `sha`) gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Upload:
    """A file as downloaded from Discord, before any check."""

    filename: str
    data: bytes
    alt: str | None = None


@dataclass(frozen=True)
class ImageLinks:
    """Where images go in the repository (IMAGE_PATH_TEMPLATE) and the URL that links them
    (IMAGE_URL_TEMPLATE)."""

    path_template: str
    url_template: str
    repository: str  # owner/name

    def path(self, sha256: str, media_type: str, at: datetime, hash_length: int = 12) -> str:
        """The path for an image committed at `at` (UTC date); `{sha256_12}` takes
        `hash_length` characters of the hash."""
        day = at.astimezone(UTC)
        return self.path_template.format(
            yyyy=f"{day.year:04d}",
            mm=f"{day.month:02d}",
            dd=f"{day.day:02d}",
            sha256=sha256,
            sha256_12=sha256[:hash_length],
            ext=EXTENSIONS[media_type],
        )

    def url(self, path: str, branch: str) -> str:
        owner, _, repo = self.repository.partition("/")
        return self.url_template.format(
            owner=owner, repo=repo, branch=quote(branch, safe="/"), path=quote(path, safe="/")
        )

    def markdown_length(
        self, images: Sequence[tuple[str, str]], at: datetime, branch: str | None
    ) -> int:
        """The most the links of `images` ((alt, media type) pairs) can add to a body."""
        longest = "f" * 64
        branch = branch or "b" * BRANCH_ESTIMATE
        return sum(
            2 + len(markdown_image(alt, self.url(self.path(longest, kind, at, 64), branch)))
            for alt, kind in images
        )


class BodyFit(Protocol):
    """How the images will be linked at publish (ImagePublisher), to check the body still fits."""

    def check_fits(self, body: str, images: Sequence[tuple[str, str]], at: datetime) -> None: ...


class ImageService:
    """Images attached to a member's drafts."""

    def __init__(
        self,
        images: ImageRecords,
        draft_records: DraftRecords,
        drafts: DraftService,
        publisher: BodyFit,
        clock: Clock,
    ) -> None:
        self._images = images
        self._draft_records = draft_records
        self._drafts = drafts
        self._publisher = publisher
        self._clock = clock

    async def list(self, owner: Owner, draft_id: int) -> list[DraftImage]:
        """The draft's images, in the order they will appear."""
        return await self._images.list_draft_images(owner, draft_id)

    async def check_attach(
        self, owner: Owner, draft_id: int | None, files: Sequence[tuple[str, int]]
    ) -> Draft:
        """Before downloading: the draft may change and the declared sizes fit; the draft."""
        draft = self._drafts.check_writable(await self._drafts.get(owner, draft_id))
        check_sizes(files, await self._images.list_draft_images(owner, draft.id))
        return draft

    async def check_message(self, owner: Owner, files: Sequence[tuple[str, int]]) -> None:
        """Before downloading a message's images: their declared sizes fit the draft they
        will go to (the current one, unless it is being published: then a new one)."""
        current = await self._draft_records.get_latest_draft(owner)
        images: list[DraftImage] = []
        if current is not None and current.job_state is not JobState.PENDING:
            images = await self._images.list_draft_images(owner, current.id)
        check_sizes(files, images)

    async def prepare(self, uploads: Sequence[Upload]) -> list[NewImage]:
        """Check downloaded files by content and size, and hash them; nothing is stored."""
        prepared = []
        for upload in uploads:
            check_sizes([(upload.filename, len(upload.data))], [])
            media_type = sniff(upload.data)
            if media_type is None:
                raise InvalidInput("error.not_an_image", name=cut(upload.filename, 100))
            digest = await asyncio.to_thread(_sha256, upload.data)
            prepared.append(
                NewImage(
                    sha256=digest,
                    data=upload.data,
                    media_type=media_type,
                    filename=cut(upload.filename, 200),
                    alt=clean_alt(upload.alt, upload.filename),
                )
            )
        return prepared

    async def attach_uploads(self, owner: Owner, draft_id: int, uploads: Sequence[Upload]) -> Draft:
        """Downloaded files checked by content (`prepare`) and stored with the draft."""
        return await self.attach(owner, draft_id, await self.prepare(uploads))

    async def attach(self, owner: Owner, draft_id: int, images: Sequence[NewImage]) -> Draft:
        """Store checked images with the draft (durably, before anyone is told); the draft."""
        draft = self._drafts.check_writable(await self._drafts.get(owner, draft_id))
        current = await self._images.list_draft_images(owner, draft.id)
        known = {image.sha256 for image in current}
        every = [(i.alt, i.media_type) for i in current]
        every += [(i.alt, i.media_type) for i in images if i.sha256 not in known]
        self._publisher.check_fits(draft.body, every, self._clock.now())
        try:
            saved = await self._images.add_draft_images(
                owner,
                draft.id,
                images,
                self._clock.now(),
                max_total_bytes=DRAFT_IMAGES_MAX_BYTES,
                max_count=MAX_IMAGES_PER_DRAFT,
            )
        except ImagesTooLarge as error:
            raise InvalidInput(
                "error.images_too_large",
                size=format_size(error.total),
                limit=format_size(DRAFT_IMAGES_MAX_BYTES),
            ) from None
        except TooManyImages as error:
            raise InvalidInput(
                "error.too_many_images", count=error.count, limit=MAX_IMAGES_PER_DRAFT
            ) from None
        if saved is None:  # published, or being published, since it was read
            self._drafts.check_writable(await self._drafts.get(owner, draft.id))
            raise UserFacingError("error.changed_meanwhile", id=draft.id)
        return await self._drafts.get(owner, draft.id)

    async def add_message(
        self,
        owner: Owner,
        text: str,
        uploads: Sequence[Upload],
        *,
        timezone: str | None = None,
        title_format: str | None = None,
    ) -> tuple[Draft, bool]:
        """A message's text and images go to the current draft, or start one; (draft, new).
        The images are checked before the text is added, so a bad one changes nothing."""
        images = await self.prepare(uploads)
        draft, created = await self._drafts.add_text(
            owner, text, timezone=timezone, title_format=title_format, allow_empty=bool(images)
        )
        if images:
            draft = await self.attach(owner, draft.id, images)
        return draft, created


def check_sizes(files: Sequence[tuple[str, int]], current: Sequence[DraftImage]) -> None:
    """Each file within the per-image limit; with the draft's images, within the per-draft
    limits."""
    for name, size in files:
        if size > IMAGE_MAX_BYTES:
            raise InvalidInput(
                "error.image_too_large",
                name=cut(name, 100),
                size=format_size(size),
                limit=format_size(IMAGE_MAX_BYTES),
            )
    total = sum(image.size for image in current) + sum(size for _, size in files)
    if total > DRAFT_IMAGES_MAX_BYTES:
        raise InvalidInput(
            "error.images_too_large",
            size=format_size(total),
            limit=format_size(DRAFT_IMAGES_MAX_BYTES),
        )
    if len(current) + len(files) > MAX_IMAGES_PER_DRAFT:
        raise InvalidInput(
            "error.too_many_images", count=len(current) + len(files), limit=MAX_IMAGES_PER_DRAFT
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
