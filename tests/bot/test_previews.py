"""The record of recent previews that publishing takes buttons from stays bounded."""

from __future__ import annotations

from types import SimpleNamespace

from cogs.drafts import _previews
from cogs.drafts._previews import LIMIT, Previews


def test_the_record_keeps_at_most_limit_previews():
    """However many previews are sent, only the newest LIMIT are kept."""
    previews = Previews()
    for n in range(LIMIT + 50):
        previews.add(n % 7, SimpleNamespace(id=n), None)  # type: ignore[arg-type]
    assert len(previews._sent) == LIMIT
    assert min(key[1] for key in previews._sent) == 50


def test_previews_older_than_the_token_are_dropped(monkeypatch):
    """A preview older than an interaction token's life is forgotten at the next add."""
    now = [1000.0]
    monkeypatch.setattr(_previews.time, "monotonic", lambda: now[0])
    previews = Previews()
    previews.add(1, SimpleNamespace(id=1), None)  # type: ignore[arg-type]
    now[0] += _previews.LIFETIME + 1
    previews.add(2, SimpleNamespace(id=2), None)  # type: ignore[arg-type]
    assert [key[0] for key in previews._sent] == [2]
