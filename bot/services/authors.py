"""Who writes the diary on GitHub: only their issues are entries (announced, counted, listed,
editable); issues by anyone else are left alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.github_records import IssueSnapshot

# GitHub's `author_association` of the repository's owner, its organization's members and its
# collaborators: the people who may write to the repository.
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
EVERYONE = "*"


@dataclass(frozen=True)
class AuthorPolicy:
    """ANNOUNCE_AUTHORS: no logins means the owner, members and collaborators; `*` everyone;
    else exactly the logins listed (compared case-insensitively, as GitHub does)."""

    logins: frozenset[str] = frozenset()

    @classmethod
    def of(cls, logins: Iterable[str]) -> AuthorPolicy:
        return cls(frozenset(login.lower() for login in logins))

    def allows(self, login: str, association: str) -> bool:
        """Whether an issue by `login` (with GitHub's `author_association`) is an entry."""
        if not self.logins:
            return association.upper() in TRUSTED_ASSOCIATIONS
        return EVERYONE in self.logins or login.lower() in self.logins

    def names(self, login: str) -> bool:
        """Whether ANNOUNCE_AUTHORS lists `login` by name (`*` names nobody)."""
        return login.lower() in self.logins and login != EVERYONE

    def is_entry(self, snapshot: IssueSnapshot, *, published_by_bot: bool = False) -> bool:
        """An issue (never a pull request) this bot published, or one an allowed author wrote."""
        if snapshot.pull_request:
            return False
        return published_by_bot or self.allows(
            snapshot.entry.author_name, snapshot.author_association
        )
