"""GitHub gateways by diary: the server diary's (GITHUB_TOKEN on GITHUB_REPOSITORY), and one
per member's own repository acting with that member's user access token.

A member's gateway holds no token of its own: before each call it asks the member's connection
for the current one (refreshed near its expiry), and once more with `stale=True` when GitHub
rejects it (see `GitHubGateway._run`). A revoked or expired sign-in reaches the caller as
UserFacingError("connect.again"). Durable jobs store a `DiaryTarget` (repository and member),
never a token. Gateways are kept for the most recently used diaries only (`size`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from bot.errors import UserFacingError
from bot.models import DiaryTarget

G = TypeVar("G")
POOL_SIZE = 256  # member diaries whose gateway (and its HTTP connections) is kept
# A member's user access token, asked for before each call: `stale=True` when GitHub has just
# rejected the last one (it is refreshed then). May raise UserFacingError (connect again).
Credentials = Callable[[bool], Awaitable[str]]


class TokenSource(Protocol):
    """Members' user access tokens (ConnectionService)."""

    async def access_token(self, guild_id: int, user_id: int, *, stale: bool = False) -> str: ...


class GatewayPool(Generic[G]):
    """`for_target(target)`: the gateway for a diary. `make(repository, credentials)` builds a
    member's; without `make` and `tokens` (members' diaries not enabled) only the server diary
    is served, and a member's target is refused with `connect.disabled`."""

    def __init__(
        self,
        server: G,
        server_repository: str,
        make: Callable[[str, Credentials], G] | None = None,
        tokens: TokenSource | None = None,
        *,
        size: int = POOL_SIZE,
    ) -> None:
        self.server = server
        self.server_target = DiaryTarget(server_repository, None)
        self._make = make
        self._tokens = tokens
        self._size = max(1, size)
        self._members: OrderedDict[tuple[str, int, int], G] = OrderedDict()

    def __len__(self) -> int:
        """Members' gateways kept now (at most `size`)."""
        return len(self._members)

    async def for_target(self, target: DiaryTarget | None) -> G:
        """The server diary's gateway for None or a target without a member; else the
        member's gateway on the target's repository (made now, or the one kept)."""
        if target is None or target.member is None:
            return self.server
        if self._make is None or self._tokens is None:
            raise UserFacingError("connect.disabled")
        guild_id, user_id = target.member
        key = (target.repository.lower(), guild_id, user_id)
        gateway = self._members.get(key)
        if gateway is not None:
            self._members.move_to_end(key)
            return gateway
        tokens = self._tokens

        async def credentials(stale: bool) -> str:
            return await tokens.access_token(guild_id, user_id, stale=stale)

        gateway = self._make(target.repository, credentials)
        self._members[key] = gateway
        while len(self._members) > self._size:
            self._members.popitem(last=False)
        return gateway
