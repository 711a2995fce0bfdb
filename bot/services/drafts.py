"""Drafting: create, append, edit, list and delete a member's drafts."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.errors import (
    ConcurrentChange,
    DraftChanged,
    DraftNotFound,
    InvalidInput,
    TooManyDrafts,
    UserFacingError,
)
from bot.limits import DRAFT_BODY as MAX_BODY
from bot.limits import GITHUB_TITLE, MODAL_TEXT_INPUT, clean_text, encodable
from bot.models import Draft, DraftListing, JobState, Owner, Revision
from bot.services.clock import Clock
from bot.services.draft_files import decode_upload, from_markdown, to_markdown
from bot.services.preview import DraftPreview, escape_links, warnings_for
from bot.services.store_ports import DraftRecords, GuildSettingsRecords, ImageRecords

MAX_DRAFTS_PER_MEMBER = 500
DEFAULT_TITLE_FORMAT = "%Y-%m-%d"
# How often `escape` reads again when the draft changed under it.
ESCAPE_ATTEMPTS = 3


def clean_title(title: str) -> str:
    """Trim a title to one clean line and check GitHub's length limit."""
    cleaned = " ".join(clean_text(title).split())
    if not cleaned:
        raise InvalidInput("error.title_empty")
    if len(cleaned) > GITHUB_TITLE:
        raise InvalidInput("error.title_too_long", limit=GITHUB_TITLE, length=len(cleaned))
    return cleaned


def clean_body(body: str) -> str:
    """Clean a body and check it fits an issue with room for the publish marker."""
    cleaned = clean_text(body).strip("\n")
    if len(cleaned) > MAX_BODY:
        raise InvalidInput("error.body_too_long", limit=MAX_BODY, length=len(cleaned))
    return cleaned


def tail_start(body: str, limit: int = MODAL_TEXT_INPUT) -> int:
    """Where the last part of `body` that fits an editor starts: at a paragraph or a line if
    there is one in it."""
    start = len(body) - limit
    if start <= 0:
        return 0
    for separator in ("\n\n", "\n"):
        cut_at = body.find(separator, start)
        if cut_at >= 0:
            return cut_at + len(separator)
    return start


def refuse_published(draft: Draft) -> None:
    """A published draft changes no more: the refusal names its entry."""
    if draft.is_published:
        raise UserFacingError(
            "error.already_published",
            id=draft.id,
            number=draft.issue_number,
            url=draft.issue_url,
        )


class DraftService:
    """A member's drafts in one server."""

    def __init__(
        self,
        drafts: DraftRecords,
        images: ImageRecords,
        clock: Clock,
        *,
        settings: GuildSettingsRecords | None = None,
        delete_confirm_seconds: int = 120,
    ) -> None:
        """`settings`: where a server's time zone and title format are (without: UTC and
        the date)."""
        self._drafts = drafts
        self._images = images
        self._clock = clock
        self._settings = settings
        self._delete_confirm_seconds = delete_confirm_seconds

    @property
    def delete_confirm_seconds(self) -> int:
        """How long /draft delete's Delete button stays usable (DELETE_CONFIRM_SECONDS)."""
        return self._delete_confirm_seconds

    def default_title(self, timezone: str, title_format: str | None = None) -> str:
        """Today in the server's time zone, in the server's title format (default: the date)."""
        today = self._clock.now().astimezone(ZoneInfo(timezone))
        return clean_title(today.strftime(title_format or DEFAULT_TITLE_FORMAT))

    async def create(
        self,
        owner: Owner,
        title: str | None,
        body: str,
        *,
        timezone: str | None = None,
        title_format: str | None = None,
    ) -> Draft:
        """Start a draft; without a title, today in the server's title format and time zone
        (`timezone`, `title_format`: those instead of the server's)."""
        if not (title and title.strip()):
            if timezone is None:
                timezone, title_format = await self._title_defaults(owner, title_format)
            title = self.default_title(timezone, title_format)
        title = clean_title(title)
        body = clean_body(body)
        try:
            # The limit is counted in the insert's own transaction: two drafts started at
            # once cannot both slip under it.
            return await self._drafts.add_draft(
                owner, title, body, (), self._clock.now(), limit=MAX_DRAFTS_PER_MEMBER
            )
        except TooManyDrafts:
            raise InvalidInput("error.too_many_drafts", limit=MAX_DRAFTS_PER_MEMBER) from None

    async def _title_defaults(
        self, owner: Owner, title_format: str | None
    ) -> tuple[str, str | None]:
        """The server's time zone, and its title format unless one is given."""
        if self._settings is None:
            return "UTC", title_format
        settings = await self._settings.get_guild_settings(owner.guild_id)
        return settings.timezone, title_format or settings.title_format

    async def get(self, owner: Owner, draft_id: int | None) -> Draft:
        """The draft with that id, or the most recently changed unpublished one."""
        if draft_id is None:
            draft = await self._drafts.get_latest_draft(owner)
        else:
            draft = await self._drafts.get_draft(owner, draft_id)
        if draft is None:
            raise DraftNotFound(draft_id)
        return draft

    async def count(self, owner: Owner, *, published: bool = False) -> int:
        """How many unpublished drafts the member has; with `published`, all of them."""
        return await self._drafts.count_drafts(owner, published=published)

    async def writable(self, owner: Owner, draft_id: int | None) -> Draft:
        """The draft as `get` finds it, if it may still change (for an editor to open on)."""
        return self.check_writable(await self.get(owner, draft_id))

    async def tail(self, owner: Owner, draft_id: int | None) -> tuple[Draft, int, str]:
        """For editing the end of a draft too long for one editor: (draft, where the end
        starts, the end), the end fitting an editor and starting at a paragraph or line if
        it can."""
        draft = await self.writable(owner, draft_id)
        start = tail_start(draft.body)
        return draft, start, draft.body[start:]

    async def export(self, owner: Owner, draft_id: int | None) -> tuple[Draft, str]:
        """The draft and its Markdown file's text (title in front matter, then the body)."""
        draft = await self.get(owner, draft_id)
        return draft, to_markdown(draft)

    async def import_file(
        self, owner: Owner, draft_id: int | None, filename: str, data: bytes
    ) -> Draft:
        """Replace the draft's title (if the file names one) and text with a Markdown or text
        file's (see `bot.services.draft_files`)."""
        title, body = from_markdown(decode_upload(filename, data))
        return await self.edit(owner, draft_id, title=title, body=body, reason="import")

    async def preview(self, owner: Owner, draft_id: int | None) -> DraftPreview:
        """The draft (as `get` finds it) with all its preview shows."""
        return await self.preview_of(await self.get(owner, draft_id))

    async def preview_of(self, draft: Draft) -> DraftPreview:
        """The preview of a draft just read or written: its images, schedule and warnings
        (images and schedule are read only when the draft, as read, has any)."""
        images, schedule = [], None
        if draft.has_extras:
            images, schedule = await self._images.get_preview_extras(draft.owner, draft.id)
        warnings = [] if draft.is_published else warnings_for(draft)
        return DraftPreview(draft, images, schedule, warnings)

    async def listing(self, owner: Owner, limit: int = 25) -> DraftListing:
        """What `/draft list` shows: the newest drafts, their total, their schedules."""
        return await self._drafts.get_draft_listing(owner, limit)

    async def list(self, owner: Owner, query: str = "", limit: int = 25) -> list[Draft]:
        """The member's drafts, most recently changed first."""
        return await self._drafts.list_drafts(owner, limit=limit, query=encodable(query))

    async def append(self, owner: Owner, draft_id: int | None, text: str) -> Draft:
        """Add a paragraph to the end of an unpublished draft (found, checked and changed in
        one transaction)."""
        text = clean_text(text).strip("\n")
        if not text.strip():
            self.check_writable(await self.get(owner, draft_id))
            raise InvalidInput("error.text_empty")

        def acceptable(draft: Draft) -> bool:
            return _may_change(draft) and _appended_length(draft, text) <= MAX_BODY

        found, updated = await self._drafts.append_to_draft(
            owner, draft_id, text, self._clock.now(), acceptable
        )
        if found is None:
            raise DraftNotFound(draft_id)
        self.check_writable(found)
        if (new_length := _appended_length(found, text)) > MAX_BODY:
            raise InvalidInput("error.body_too_long", limit=MAX_BODY, length=new_length)
        if updated is None:  # not expected: the store refused what was found acceptable
            raise DraftChanged(found.id)
        return updated

    async def add_text(
        self,
        owner: Owner,
        text: str,
        *,
        timezone: str | None = None,
        title_format: str | None = None,
        allow_empty: bool = False,
    ) -> tuple[Draft, bool]:
        """Append to the current unpublished draft, or start one; (draft, whether new).
        With `allow_empty` (the message brings images), no text just picks or starts it."""
        has_text = bool(clean_text(text).strip())
        if not has_text and not allow_empty:
            raise InvalidInput("error.message_has_no_text")
        current = await self._drafts.get_latest_draft(owner)
        if current is None or current.job_state is JobState.PENDING:
            return await self.create(
                owner, None, text if has_text else "", timezone=timezone, title_format=title_format
            ), True
        if not has_text:
            return self.check_writable(current), False
        return await self.append(owner, current.id, text), False

    async def edit(
        self,
        owner: Owner,
        draft_id: int | None,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        reason: str = "edit",
        expected_revision: int | None = None,
    ) -> Draft:
        """Replace the title, body or labels of an unpublished draft; with
        `expected_revision`, only while the draft is at that revision (DraftChanged if not:
        the store checks it in the statement that writes, so two edits cannot both win)."""
        draft = self.check_writable(await self.get(owner, draft_id))
        updated = await self._drafts.update_draft(
            owner,
            draft.id,
            self._clock.now(),
            title=clean_title(title) if title is not None else None,
            body=clean_body(body) if body is not None else None,
            labels=labels,
            reason=reason,
            expected_revision=expected_revision,
        )
        return updated or await self._refused(owner, draft.id)

    async def save_editor(
        self,
        owner: Owner,
        draft_id: int,
        opened_at: int,
        title: str,
        body: str,
        *,
        tail_from: int | None = None,
    ) -> tuple[Draft, bool]:
        """Save what an editor opened at revision `opened_at` holds; (draft, whether the draft
        had changed meanwhile). A change made meanwhile is not refused: the editor's text
        becomes a new revision, so `undo` brings that change back. With `tail_from`, the
        editor held the body from that position on, as it was when it opened."""
        draft = self.check_writable(await self.get(owner, draft_id))
        if tail_from is not None:
            opened = await self._drafts.get_revision(owner, draft.id, opened_at)
            base = opened.body if opened is not None else draft.body
            body = base[:tail_from] + body
        kept_title = title.strip() or None  # empty: the title stays as it is
        try:
            saved = await self.edit(
                owner, draft.id, title=kept_title, body=body, expected_revision=opened_at
            )
        except DraftChanged:
            # Saved all the same, as a new revision: `undo` brings back the one it replaced.
            return await self.edit(owner, draft.id, title=kept_title, body=body), True
        return saved, False

    async def escape(self, owner: Owner, draft_id: int | None) -> Draft:
        """Turn @name and #123 into plain text, as a new revision. The text is written only
        at the revision it was read at, so a change landing in between is never undone."""
        for _ in range(ESCAPE_ATTEMPTS):
            draft = self.check_writable(await self.get(owner, draft_id))
            try:
                return await self.edit(
                    owner,
                    draft.id,
                    body=escape_links(draft.body),
                    reason="escape",
                    expected_revision=draft.revision,
                )
            except DraftChanged:
                draft_id = draft.id
        raise DraftChanged(draft.id)

    async def history(
        self, owner: Owner, draft_id: int | None, limit: int = 10
    ) -> tuple[Draft, list[Revision]]:
        """The draft and its most recent revisions, newest first."""
        draft = await self.get(owner, draft_id)
        return draft, await self._drafts.list_revisions(owner, draft.id, limit)

    async def undo(self, owner: Owner, draft_id: int | None) -> Draft:
        """Go back one change; the undone state stays in the history."""
        draft = self.check_writable(await self.get(owner, draft_id))
        restored = await self._drafts.undo_draft(owner, draft.id, self._clock.now())
        if restored is None:
            raise UserFacingError("error.nothing_to_undo", id=draft.id)
        return restored

    async def delete(self, owner: Owner, draft_id: int) -> Draft:
        """Delete a draft that is not being published right now, with the images only it had."""
        draft = await self.get(owner, draft_id)
        try:
            await self._images.delete_draft_with_images(owner, draft.id)
        except ConcurrentChange:
            # Its publish job would go on without the draft's images: wait, or /draft cancel.
            raise UserFacingError("error.delete_while_publishing", id=draft.id) from None
        return draft

    async def _refused(self, owner: Owner, draft_id: int) -> Draft:
        """Explain why the store refused a change (it was published, deleted or changed
        meanwhile)."""
        self.check_writable(await self.get(owner, draft_id))
        raise DraftChanged(draft_id)

    @staticmethod
    def check_writable(draft: Draft) -> Draft:
        refuse_published(draft)
        if draft.job_state is JobState.PENDING:
            raise UserFacingError("error.publish_in_progress", id=draft.id)
        return draft


def _may_change(draft: Draft) -> bool:
    """What `DraftService.check_writable` lets through."""
    return not draft.is_published and draft.job_state is not JobState.PENDING


def _appended_length(draft: Draft, text: str) -> int:
    """The body's length once `text` is appended as a paragraph."""
    return len(draft.body) + (2 if draft.body else 0) + len(text)
