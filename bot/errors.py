"""Errors that carry a message key, so the Discord edge can explain them in the user's language."""

from __future__ import annotations

from typing import Any


class DiaryError(Exception):
    """Base of every error this project raises on purpose."""


class UserFacingError(DiaryError):
    """An error whose localized message (catalogue key + values) is shown to the user."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class DraftNotFound(UserFacingError):
    def __init__(self, draft_id: int | None) -> None:
        if draft_id is None:
            super().__init__("error.no_drafts")
        else:
            super().__init__("error.draft_not_found", id=draft_id)


class DraftChanged(UserFacingError):
    """The draft is no longer at the revision a change was based on."""

    def __init__(self, draft_id: int) -> None:
        super().__init__("error.changed_meanwhile", id=draft_id)


class InvalidInput(UserFacingError):
    """Input that breaks a limit; checked before any request is sent."""


class NotAllowed(UserFacingError):
    """The member lacks the role or permission for this action."""


class GitHubError(UserFacingError):
    """A GitHub call failed: `transient` ones are retried; `outcome_unknown` ones may have acted."""

    def __init__(
        self,
        key: str,
        *,
        transient: bool = False,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
        detail: str = "",
        **values: Any,
    ) -> None:
        super().__init__(key, **values)
        self.values.setdefault("detail", detail)
        self.transient = transient
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.key}: {self.detail}" if self.detail else self.key


class LoginRejected(DiaryError):
    """Discord refused the bot token."""


class ConcurrentChange(DiaryError):
    """The record changed between reading it and writing what depended on it."""


class ConfigError(DiaryError):
    """The configuration is missing or malformed; `problems` has one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class TooManyDrafts(Exception):
    """The member already has `limit` unpublished drafts: no new one was stored."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"already {limit} unpublished drafts")
        self.limit = limit


class ImagesTooLarge(Exception):
    """Adding the images would take a draft over its total size; `total` is what it would be."""

    def __init__(self, total: int) -> None:
        super().__init__(f"images would total {total} bytes")
        self.total = total


class TooManyImages(Exception):
    """Adding the images would give a draft more than allowed; `count` is what it would have."""

    def __init__(self, count: int) -> None:
        super().__init__(f"a draft would have {count} images")
        self.count = count
