"""The diaries the watcher follows: the server diary (GITHUB_REPOSITORY, announced in every
server) and every repository a member connected with /diary connect (announced in the servers
where it is connected, read with a connecting member's own token), each once however many
members or servers connected it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.models import ConnectedRepository, DiaryTarget
from bot.repositories import repository_key
from bot.services.authors import AuthorPolicy

if TYPE_CHECKING:
    from bot.github_records import IssueSnapshot


class ConnectedRepositories(Protocol):
    async def list_connected_repositories(
        self, repository: str | None = None
    ) -> list[ConnectedRepository]: ...


@dataclass(frozen=True)
class FollowedDiary:
    """One repository the watcher follows."""

    repository: str  # `owner/name` in lower case
    target: DiaryTarget | None  # whose token reads it; None: GITHUB_TOKEN (the server diary)
    guild_ids: tuple[int, ...] | None  # the servers that hear of its entries; None: every one
    logins: frozenset[str] = frozenset()  # the connecting members' GitHub logins, lower case

    @property
    def is_server_diary(self) -> bool:
        return self.target is None

    @property
    def name(self) -> str:
        """How logs name it before `#number`: nothing for the server diary."""
        return "" if self.is_server_diary else self.repository

    def is_entry(self, snapshot: IssueSnapshot, authors: AuthorPolicy) -> bool:
        """Whether the issue is one of this diary's entries. The server diary: its authors
        (ANNOUNCE_AUTHORS, by default owner, members and collaborators). A member's own diary:
        issues by the members who connected it, or by a login ANNOUNCE_AUTHORS names; never a
        stranger's (anyone may open an issue in a public repository) nor a pull request."""
        if self.is_server_diary:
            return authors.is_entry(snapshot)
        if snapshot.pull_request:
            return False
        login = snapshot.entry.author_name.lower()
        return login in self.logins or authors.names(login)


async def followed_diaries(
    connections: ConnectedRepositories, server_repository: str, only: str | None = None
) -> list[FollowedDiary]:
    """The server diary first, then each connected repository once (by name, ignoring case),
    read with the token of the connection the store lists first for it (a working sign-in,
    the most recently renewed). With `only`, just that repository's diary (or nothing), from
    its own connections instead of every member's."""
    server = repository_key(server_repository)
    if only is not None and repository_key(only) == server:
        return [FollowedDiary(server, None, None)]
    found: dict[str, list[ConnectedRepository]] = {}
    for connection in await connections.list_connected_repositories(only):
        key = repository_key(connection.repository)
        if key != server:  # the server diary stays the server's, read with GITHUB_TOKEN
            found.setdefault(key, []).append(connection)
    diaries = [] if only is not None else [FollowedDiary(server, None, None)]
    for key, members in found.items():
        reader = members[0]
        diaries.append(
            FollowedDiary(
                key,
                DiaryTarget(reader.repository, (reader.guild_id, reader.user_id)),
                tuple(sorted({m.guild_id for m in members})),
                frozenset(m.login.lower() for m in members),
            )
        )
    return diaries
