"""Fixtures shared by every test: the local GitHub, and a store on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import Store
from tests.fakes.fixtures import fake_github  # noqa: F401


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[Store]:
    """A migrated store on a SQLite file in the test's temporary folder."""
    opened = await Store.open(tmp_path / "diary.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()
