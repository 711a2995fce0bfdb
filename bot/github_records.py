"""What the GitHub gateway reports, as plain records (no PyGithub types)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.limits import encodable
from bot.models import Entry


@dataclass(frozen=True)
class RepositoryAccess:
    """The repository as the token sees it. `push`/`triage` are the role of the token's *user*
    (GitHub reports the user's role even for a fine-grained token with fewer permissions);
    `token_scopes` is set only for classic tokens (`X-OAuth-Scopes`)."""

    full_name: str
    private: bool
    has_issues: bool
    push: bool
    triage: bool
    token_scopes: tuple[str, ...] | None


@dataclass(frozen=True)
class IssueWriteProbe:
    allowed: bool
    detail: str
    accepted_permissions: str | None = None  # `X-Accepted-GitHub-Permissions` of a refusal
    created_issue: int | None = None  # only if GitHub unexpectedly accepted the empty title


@dataclass(frozen=True)
class RateLimit:
    remaining: int
    limit: int
    reset_at: datetime | None


@dataclass(frozen=True)
class IssueSnapshot:
    """An issue (or pull request) as a list or a webhook shows it at `updated_at`."""

    entry: Entry
    closed: bool
    updated_at: datetime
    pull_request: bool
    author_association: str  # GitHub's: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...


def issue_snapshot(data: dict[str, Any]) -> IssueSnapshot:
    """Read GitHub's issue JSON (the REST shape, also inside `issues` webhook payloads)."""
    user = data.get("user") or {}
    created = _timestamp(data["created_at"])
    return IssueSnapshot(
        entry=Entry(
            number=int(data["number"]),
            title=_text(data.get("title")),
            body=_text(data.get("body")),
            url=_text(data.get("html_url")),
            labels=tuple(
                _text(label["name"] if isinstance(label, dict) else label)
                for label in data.get("labels") or []
            ),
            author_name=_text(user.get("login")) or "ghost",
            author_avatar_url=avatar if isinstance(avatar := user.get("avatar_url"), str) else None,
            created_at=created,
        ),
        closed=data.get("state") == "closed",
        updated_at=_timestamp(data["updated_at"]) if data.get("updated_at") else created,
        pull_request=bool(data.get("pull_request")),
        author_association=str(data.get("author_association") or "NONE"),
    )


def _text(value: Any) -> str:
    """A string field as text that can be stored and sent (JSON may carry lone surrogates)."""
    return encodable(str(value or ""))


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
