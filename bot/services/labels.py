"""The repository's labels, cached so autocomplete and checks cost GitHub almost nothing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from bot.errors import InvalidInput
from bot.limits import cut, encodable

CACHE_SECONDS = 300.0
MAX_LABELS = 20
ECHOED_LABELS = 300  # an error names the unknown labels, but no more of them than this


class LabelSource(Protocol):
    async def list_label_names(self) -> list[str]: ...


def parse_labels(text: str | None) -> list[str]:
    """Comma-separated label names (ASCII or Japanese comma), trimmed, without empties or
    repeats."""
    parts = encodable(text or "").replace("、", ",").replace("，", ",").split(",")
    return list(dict.fromkeys(name for part in parts if (name := part.strip())))


class LabelCatalog:
    """Label names fetched at most every few minutes (off the event loop, by the gateway)."""

    def __init__(self, source: LabelSource, cache_seconds: float = CACHE_SECONDS) -> None:
        self._source = source
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, list[str]] | None = None

    async def names(self) -> list[str]:
        if self._cached is None or time.monotonic() - self._cached[0] > self._cache_seconds:
            self._cached = (time.monotonic(), await self._source.list_label_names())
        return self._cached[1]

    async def resolve(self, labels: Sequence[str]) -> list[str]:
        """The repository's names for `labels` (GitHub compares them without case); refuses
        labels it does not have, naming some that it does."""
        if not labels:
            return []
        if len(labels) > MAX_LABELS:
            raise InvalidInput("error.too_many_labels", limit=MAX_LABELS, count=len(labels))
        known = {name.casefold(): name for name in await self.names()}
        missing = [name for name in labels if name.casefold() not in known]
        if missing:
            raise InvalidInput(
                "error.unknown_labels",
                labels=cut(", ".join(missing), ECHOED_LABELS),
                known=", ".join(list(known.values())[:10]) or "—",
            )
        return list(dict.fromkeys(known[name.casefold()] for name in labels))

    async def suggest(self, typed: str, limit: int = 25) -> list[str]:
        """Completions for a comma-separated list: earlier names kept, the last one completed."""
        *done, current = typed.replace("、", ",").split(",") if typed else [""]
        chosen = parse_labels(",".join(done))
        prefix = ", ".join(chosen)
        needle = current.strip().lower()
        taken = set(chosen)
        names = [n for n in await self.names() if n not in taken]
        matches = [n for n in names if n.lower().startswith(needle)]
        starting = set(matches)
        matches += [n for n in names if needle in n.lower() and n not in starting]
        return [f"{prefix}, {name}" if prefix else name for name in matches[:limit]]
