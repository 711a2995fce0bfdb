"""A member's own diary: signing in to the operator's GitHub App from Discord (device flow),
choosing the repository, keeping the user tokens fresh and sealed, and disconnecting.

Knows nothing of Discord: the cog shows the code, and this service polls as GitHub's device
flow prescribes (wait `interval`; `slow_down` lengthens it; stop at `expired_token`,
`access_denied` or the code's expiry). Tokens reach the store only encrypted (TokenCipher).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.errors import GitHubError, UserFacingError
from bot.models import DiaryTarget
from bot.services.clock import Clock
from bot.services.connection_overview import ConnectionsOverview, connections_overview
from bot.services.store_ports import ConnectionRecords
from bot.sign_in_records import (
    DeviceCode,
    DeviceWait,
    RefreshRejected,
    SignInRefused,
    TokenGrant,
    TokenRejected,
)
from bot.token_cipher import TokenCipher, TokenUnreadable

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)  # refresh a token this long before it expires
POLL_MARGIN = 0.2  # seconds added to GitHub's interval so a poll never arrives early
MAX_FAILED_POLLS = 5  # consecutive polls GitHub did not answer before giving up
# The wait ends in an edit of the member's interaction reply, which Discord accepts for 15
# minutes: never wait longer than that, whatever `expires_in` GitHub (or a bad answer) gives.
MAX_SIGN_IN_WAIT = 14 * 60
REPOSITORIES_TTL = 60.0  # seconds a member's repository list is reused (autocomplete)
REPOSITORIES_CACHED = 256  # members whose list is kept
MAX_SIGN_INS = 200  # sign-ins waiting at once over all servers (one per member and server)


class SignInGateway(Protocol):
    async def request_device_code(self) -> DeviceCode: ...
    async def poll_device(self, device_code: str) -> TokenGrant | DeviceWait: ...
    async def refresh(self, refresh_token: str) -> TokenGrant: ...
    async def login(self, access_token: str) -> str: ...
    async def pushable_repositories(self, access_token: str) -> list[str]: ...


@dataclass(frozen=True)
class Connection:
    """A member's connection as shown to them: no tokens."""

    login: str
    repository: str | None
    access_expires_at: datetime | None


@dataclass
class _Flight:
    """The one sign-in of a member in a server: its device code, then its polling, and the
    message key a waiter gets if it is cancelled."""

    device: asyncio.Future[tuple[DeviceCode, datetime]]
    task: asyncio.Task[str] | None = None
    cancelled_because: str = "connect.interrupted"  # the bot is stopping


@dataclass(frozen=True)
class SignIn:
    """A device-flow sign-in waiting for a member: the code to show, when it stops working,
    and whether this call joined one already under way (`ConnectionService.wait` ends it)."""

    user_code: str
    verification_uri: str
    expires_at: datetime
    minutes: int
    joined: bool
    flight: _Flight = field(repr=False, compare=False)


class ConnectionService:
    """Connections of members to their own repository; disabled without the app's settings."""

    def __init__(
        self,
        connections: ConnectionRecords,
        clock: Clock,
        gateway: SignInGateway | None = None,
        cipher: TokenCipher | None = None,
        install_url: str | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._connections = connections
        self._clock = clock
        self._gateway = gateway
        self._cipher = cipher
        self.install_url = install_url
        self._sleep = sleep
        self._locks: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._repositories: dict[tuple[int, int], tuple[float, list[str]]] = {}
        self._renewals: set[asyncio.Future[TokenGrant]] = set()
        self._flights: dict[tuple[int, int], _Flight] = {}

    @property
    def enabled(self) -> bool:
        return self._gateway is not None and self._cipher is not None

    def _parts(self) -> tuple[SignInGateway, TokenCipher]:
        if self._gateway is None or self._cipher is None:
            raise UserFacingError("connect.disabled")
        return self._gateway, self._cipher

    # ---- signing in ----------------------------------------------------------------------
    async def start(self) -> DeviceCode:
        """Ask GitHub for a device code to show the member, its life cut to `MAX_SIGN_IN_WAIT`."""
        gateway, _ = self._parts()
        try:
            device = await gateway.request_device_code()
        except SignInRefused as refused:
            log.error("GitHub refused the app's device flow: %s", refused.error)
            raise UserFacingError("connect.refused", detail=refused.error) from None
        return replace(device, expires_in=min(device.expires_in, MAX_SIGN_IN_WAIT))

    async def sign_in(self, guild_id: int, user_id: int) -> SignIn:
        """Start the member's sign-in in this server, or join the one already waiting: one
        device code (and one poller) per member and server, however often they ask. A second
        request shows the same code, so one typed on GitHub already still counts."""
        self._parts()
        key = (guild_id, user_id)
        flight = self._flights.get(key)
        if flight is not None and flight.task is not None and flight.task.done():
            flight = None  # ended a moment ago; its callback has not run yet
        joined = flight is not None
        if flight is None:
            if len(self._flights) >= MAX_SIGN_INS:
                raise UserFacingError("connect.busy")
            flight = _Flight(asyncio.get_running_loop().create_future())
            self._flights[key] = flight
            flight.task = asyncio.create_task(self._fly(key, flight))
            flight.task.add_done_callback(lambda task: self._landed(key, flight))
        device, expires_at = await asyncio.shield(flight.device)
        assert flight.task is not None
        return SignIn(
            user_code=device.user_code,
            verification_uri=device.verification_uri,
            expires_at=expires_at,
            minutes=max(1, device.expires_in // 60),
            joined=joined,
            flight=flight,
        )

    async def wait(self, sign_in: SignIn) -> str:
        """The member's GitHub login once they approve; UserFacingError when the sign-in ends
        otherwise (expired, denied, ended by /diary disconnect or by the bot stopping).
        Waiting never cancels the sign-in another request also waits for."""
        outcome = sign_in.flight.task
        assert outcome is not None
        try:
            return await asyncio.shield(outcome)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if outcome.cancelled() and (task is None or not task.cancelling()):
                raise UserFacingError(sign_in.flight.cancelled_because) from None
            raise

    async def _fly(self, key: tuple[int, int], flight: _Flight) -> str:
        try:
            device = await self.start()
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):
                flight.device.cancel()
            else:
                flight.device.set_exception(error)
            raise
        flight.device.set_result((device, self._clock.now() + timedelta(seconds=device.expires_in)))
        return await self.finish(key[0], key[1], device)

    def _landed(self, key: tuple[int, int], flight: _Flight) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        # Nobody may be left to read how it ended (every waiter gave up): read it here.
        for done in (flight.device, flight.task):
            if done is not None and done.done() and not done.cancelled():
                done.exception()

    async def stop(self) -> None:
        """End every waiting sign-in (the bot is stopping)."""
        tasks = [f.task for f in self._flights.values() if f.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def finish(self, guild_id: int, user_id: int, device: DeviceCode) -> str:
        """Poll until the member approves (their GitHub login), refuses or the code expires."""
        gateway, _ = self._parts()
        interval = max(device.interval, 0)
        deadline = time.monotonic() + device.expires_in
        failures = 0
        while True:
            await self._sleep(interval + POLL_MARGIN)
            if time.monotonic() > deadline:
                raise UserFacingError("connect.expired")
            try:
                answer = await gateway.poll_device(device.device_code)
            except GitHubError:
                failures += 1
                if failures >= MAX_FAILED_POLLS:
                    raise
                continue
            except SignInRefused as refused:
                raise UserFacingError("connect.refused", detail=refused.error) from None
            failures = 0
            if isinstance(answer, TokenGrant):
                login = await gateway.login(answer.access_token)
                await self._keep(guild_id, user_id, login, answer)
                return login
            if answer.error == "authorization_pending":
                continue
            if answer.error == "slow_down":
                interval = answer.interval if answer.interval is not None else interval + 5
                continue
            if answer.error in ("expired_token", "incorrect_device_code"):
                raise UserFacingError("connect.expired")
            if answer.error == "access_denied":
                raise UserFacingError("connect.denied")
            log.error("GitHub refused the device grant: %s", answer.error)
            raise UserFacingError("connect.refused", detail=answer.error)

    async def _keep(self, guild_id: int, user_id: int, login: str, grant: TokenGrant) -> None:
        _, cipher = self._parts()
        now = self._clock.now()

        def after(seconds: int | None) -> datetime | None:
            return None if seconds is None else now + timedelta(seconds=seconds)

        await self._connections.put_connection_tokens(
            guild_id,
            user_id,
            login,
            cipher.encrypt(grant.access_token),
            after(grant.expires_in),
            None if grant.refresh_token is None else cipher.encrypt(grant.refresh_token),
            after(grant.refresh_token_expires_in),
            now,
        )
        self._repositories.pop((guild_id, user_id), None)

    # ---- using the connection ------------------------------------------------------------
    async def get(self, guild_id: int, user_id: int) -> Connection | None:
        stored = await self._connections.get_connection(guild_id, user_id)
        if stored is None:
            return None
        return Connection(stored.github_login, stored.repository, stored.access_expires_at)

    async def own_diary(self, guild_id: int, user_id: int) -> tuple[DiaryTarget, str] | None:
        """The member's own diary here and the GitHub login whose issues are their entries
        there, from one read of their connection; None: the server diary (as `diary_of`)."""
        if not self.enabled:
            return None
        stored = await self._connections.get_connection(guild_id, user_id)
        if stored is None or stored.repository is None:
            return None
        return DiaryTarget(stored.repository, (guild_id, user_id)), stored.github_login

    async def diary_of(self, guild_id: int, user_id: int) -> DiaryTarget | None:
        """Where the member's entries in this server go: their own repository when they are
        connected and chose one (and the app is configured), else None (the server diary)."""
        own = await self.own_diary(guild_id, user_id)
        return None if own is None else own[0]

    async def access_token(self, guild_id: int, user_id: int, *, stale: bool = False) -> str:
        """The member's user access token, refreshed first when it is (about to be) expired or
        `stale` (GitHub just rejected it). UserFacingError connect.again if GitHub refuses."""
        _, cipher = self._parts()
        key = (guild_id, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:  # one refresh at a time: GitHub retires a refresh token when used
            stored = await self._connections.get_connection(guild_id, user_id)
            if stored is None:
                raise UserFacingError("connect.none")
            try:
                token = cipher.decrypt(stored.access_token)
                expires = stored.access_expires_at
                if not stale and (expires is None or expires - REFRESH_MARGIN > self._clock.now()):
                    return token
                if stored.refresh_token is None:
                    raise await self._failed(key, "connect.again")
                refresh = cipher.decrypt(stored.refresh_token)
            except TokenUnreadable:
                log.warning("a member's stored GitHub token does not decrypt with this key")
                raise await self._failed(key, "connect.again") from None
            # Shielded: GitHub retires the old refresh token as it answers, so the new tokens
            # must be stored even if the caller gives up (an autocomplete that timed out).
            renewal = asyncio.ensure_future(self._renew(stored.github_login, key, refresh))
            self._renewals.add(renewal)
            renewal.add_done_callback(self._renewals.discard)
            try:
                grant = await asyncio.shield(renewal)
            except RefreshRejected:
                # Revoked, expired, or spent: also when GitHub rotated it but the bot stopped
                # before storing the new one. Only signing in again helps.
                raise await self._failed(key, "connect.again") from None
            except SignInRefused as refused:
                log.error("GitHub refused to refresh a member's token: %s", refused.error)
                raise UserFacingError("connect.refused", detail=refused.error) from None
            return grant.access_token

    async def note_failure(self, guild_id: int, user_id: int, key: str) -> None:
        """Record what went wrong with the member's connection (a message key), for their
        server's admins; new tokens clear it."""
        await self._connections.set_connection_failure(guild_id, user_id, key, self._clock.now())

    async def _failed(self, member: tuple[int, int], key: str) -> UserFacingError:
        await self.note_failure(member[0], member[1], key)
        return UserFacingError(key)

    async def _renew(self, login: str, key: tuple[int, int], refresh: str) -> TokenGrant:
        gateway, _ = self._parts()
        grant = await gateway.refresh(refresh)
        await self._keep(key[0], key[1], login, grant)
        return grant

    async def repositories(self, guild_id: int, user_id: int) -> list[str]:
        """Repositories of the app's installations the member can push to (kept a minute)."""
        gateway, _ = self._parts()
        key = (guild_id, user_id)
        cached = self._repositories.get(key)
        if cached is not None and time.monotonic() - cached[0] < REPOSITORIES_TTL:
            return cached[1]
        token = await self.access_token(guild_id, user_id)
        try:
            names = await gateway.pushable_repositories(token)
        except TokenRejected:
            token = await self.access_token(guild_id, user_id, stale=True)
            try:
                names = await gateway.pushable_repositories(token)
            except TokenRejected:
                raise await self._failed(key, "connect.again") from None
        if len(self._repositories) >= REPOSITORIES_CACHED:
            self._repositories.pop(next(iter(self._repositories)))
        self._repositories[key] = (time.monotonic(), names)
        return names

    async def choose(self, guild_id: int, user_id: int, repository: str) -> Connection:
        """Make `repository` the member's diary, if the app lets them push there."""
        self._parts()
        if await self._connections.get_connection(guild_id, user_id) is None:
            raise UserFacingError("connect.none")
        self._repositories.pop((guild_id, user_id), None)
        names = await self.repositories(guild_id, user_id)
        wanted = repository.strip().lower()
        match = next((name for name in names if name.lower() == wanted), None)
        if match is None:
            key = "connect.not_installed" if self.install_url else "connect.not_installed_no_link"
            raise UserFacingError(key, repository=repository.strip()[:100], url=self.install_url)
        await self._connections.set_connection_repository(
            guild_id, user_id, match, self._clock.now()
        )
        connection = await self.get(guild_id, user_id)
        assert connection is not None
        return connection

    async def disconnect(self, guild_id: int, user_id: int) -> bool:
        """Delete the member's tokens and repository choice, and end a sign-in still waiting
        (it would store tokens after this); False if there was neither."""
        flight = self._flights.pop((guild_id, user_id), None)
        if flight is not None and flight.task is not None:
            flight.cancelled_because = "connect.cancelled"
            flight.task.cancel()
        self._repositories.pop((guild_id, user_id), None)
        removed = await self._connections.delete_connection(guild_id, user_id)
        return removed or flight is not None

    # ---- for the server's admins ---------------------------------------------------------
    async def overview(self, guild_id: int) -> ConnectionsOverview:
        """The server's connected diaries for /diary-admin status (see connection_overview)."""
        return await connections_overview(self._connections, guild_id, self.enabled, REFRESH_MARGIN)
