"""Fixtures shared by every test: the local GitHub, and a store on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import Store
from tests.fakes.fixtures import fake_github  # noqa: F401
from tests.peek import Peek

DATABASE_FILE = "diary.sqlite3"


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[Store]:
    """A migrated store on a SQLite file in the test's temporary folder."""
    opened = await Store.open(tmp_path / DATABASE_FILE)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def peek(tmp_path) -> Peek:
    """Direct reads of the `store` fixture's database file."""
    return Peek(tmp_path / DATABASE_FILE)
