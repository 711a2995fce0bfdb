"""Each diary's labels, cached so autocomplete and checks cost GitHub almost nothing.

A member with their own diary repository sees that repository's labels; everyone else the
server diary's. The cache is per repository and bounded."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.errors import InvalidInput
from bot.limits import cut, encodable
from bot.models import DiaryTarget, Owner

CACHE_SECONDS = 300.0
CACHED_REPOSITORIES = 256  # diaries whose label names are kept
MAX_LABELS = 20
ECHOED_LABELS = 300  # an error names the unknown labels, but no more of them than this


class LabelSource(Protocol):
    async def list_label_names(self) -> list[str]: ...


class LabelSources(Protocol):
    """The gateway of each diary (bot.github_gateways.GatewayPool)."""

    async def for_target(self, target: DiaryTarget | None) -> LabelSource: ...


DiaryOf = Callable[[int, int], Awaitable[DiaryTarget | None]]


async def _server_diary(guild_id: int, user_id: int) -> DiaryTarget | None:
    return None


def parse_labels(text: str | None) -> list[str]:
    """Comma-separated label names (ASCII or Japanese comma), trimmed, without empties or
    repeats."""
    parts = encodable(text or "").replace("、", ",").replace("，", ",").split(",")
    return list(dict.fromkeys(name for part in parts if (name := part.strip())))


class LabelCatalog:
    """Label names of each diary, fetched at most every few minutes (off the event loop, by
    the gateway). `owner=`: the diary that member's entries go to; `target=`: that diary."""

    def __init__(
        self,
        sources: LabelSources,
        cache_seconds: float = CACHE_SECONDS,
        *,
        diary_of: DiaryOf = _server_diary,
    ) -> None:
        self._sources = sources
        self._cache_seconds = cache_seconds
        self._diary_of = diary_of
        self._cached: OrderedDict[str | None, tuple[float, list[str]]] = OrderedDict()

    async def _target(self, owner: Owner | None, target: DiaryTarget | None) -> DiaryTarget | None:
        if owner is not None and target is None:
            return await self._diary_of(owner.guild_id, owner.user_id)
        return target

    async def names(
        self, *, owner: Owner | None = None, target: DiaryTarget | None = None
    ) -> list[str]:
        """The diary's label names (the server diary's without `owner` or `target`)."""
        target = await self._target(owner, target)
        key = None if target is None or target.member is None else target.repository.lower()
        cached = self._cached.get(key)
        if cached is None or time.monotonic() - cached[0] > self._cache_seconds:
            source = await self._sources.for_target(target)
            cached = (time.monotonic(), await source.list_label_names())
            self._cached[key] = cached
            while len(self._cached) > CACHED_REPOSITORIES:
                self._cached.popitem(last=False)
        self._cached.move_to_end(key)
        return cached[1]

    async def resolve(
        self,
        labels: Sequence[str],
        *,
        owner: Owner | None = None,
        target: DiaryTarget | None = None,
    ) -> list[str]:
        """The diary's names for `labels` (GitHub compares them without case); refuses
        labels it does not have, naming some that it does."""
        if not labels:
            return []
        if len(labels) > MAX_LABELS:
            raise InvalidInput("error.too_many_labels", limit=MAX_LABELS, count=len(labels))
        names = await self.names(owner=owner, target=target)
        known = {name.casefold(): name for name in names}
        missing = [name for name in labels if name.casefold() not in known]
        if missing:
            raise InvalidInput(
                "error.unknown_labels",
                labels=cut(", ".join(missing), ECHOED_LABELS),
                known=", ".join(list(known.values())[:10]) or "—",
            )
        return list(dict.fromkeys(known[name.casefold()] for name in labels))

    async def choose(
        self, text: str | None, *, owner: Owner | None = None, target: DiaryTarget | None = None
    ) -> list[str]:
        """The labels typed as a comma-separated list, as the diary names them (see
        `resolve`)."""
        return await self.resolve(parse_labels(text), owner=owner, target=target)

    async def suggest(
        self, typed: str, limit: int = 25, *, owner: Owner | None = None
    ) -> list[str]:
        """Completions for a comma-separated list: earlier names kept, the last one completed
        (from the labels of the diary `owner`'s entries go to)."""
        *done, current = typed.replace("、", ",").split(",") if typed else [""]
        chosen = parse_labels(",".join(done))
        prefix = ", ".join(chosen)
        needle = current.strip().lower()
        taken = set(chosen)
        names = [n for n in await self.names(owner=owner) if n not in taken]
        matches = [n for n in names if n.lower().startswith(needle)]
        starting = set(matches)
        matches += [n for n in names if needle in n.lower() and n not in starting]
        return [f"{prefix}, {name}" if prefix else name for name in matches[:limit]]
