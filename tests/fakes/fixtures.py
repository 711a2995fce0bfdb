"""Pytest fixtures for the fakes. Import them into a conftest (or a test module) to use them:

from tests.fakes.fixtures import fake_github  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.github_server import FakeGitHub


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started FakeGitHub (owner "alice", repo "diary", token "ghp_test"), stopped afterwards."""
    fake = FakeGitHub(owner="alice", repo="diary", token="ghp_test").start()
    try:
        yield fake
    finally:
        fake.stop()
