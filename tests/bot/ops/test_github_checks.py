"""The gateway's set-up checks: real PyGithub against the local GitHub fake."""

from __future__ import annotations

import pytest

from bot.errors import GitHubError


async def test_the_issue_probe_creates_nothing_when_allowed(gateway, fake_github):
    """With issue write access, the empty-title probe gets 422 and no issue exists after it."""
    probe = await gateway.probe_issue_creation()
    assert probe.allowed
    assert probe.created_issue is None
    assert fake_github.issues() == []
    assert fake_github.violations == []


async def test_the_issue_probe_is_refused_for_a_read_only_token(gateway, fake_github):
    """A token that may not write gets 403: not allowed."""
    fake_github.set_mode(read_only=True)
    probe = await gateway.probe_issue_creation()
    assert not probe.allowed
    assert "403" in probe.detail


async def test_repository_access_reports_issues_and_role(gateway, fake_github):
    """The repository's has_issues and the user's push/triage role are read in one GET."""
    fake_github.set_mode(issues_disabled=True)
    access = await gateway.get_repository_access()
    assert (access.full_name, access.has_issues, access.push, access.triage) == (
        "alice/diary",
        False,
        True,
        True,
    )
    assert access.token_scopes is None  # no X-OAuth-Scopes: not a classic token
    assert [(r.method, r.path) for r in fake_github.requests] == [("GET", "/repos/alice/diary")]


async def test_a_missing_repository_is_not_found(gateway, fake_github):
    """A repository the token cannot see maps to github.not_found."""
    fake_github.set_mode(repo_missing=True)
    with pytest.raises(GitHubError) as raised:
        await gateway.get_repository_access()
    assert raised.value.key == "github.not_found"


async def test_last_rate_limit_sends_no_request(gateway, fake_github):
    """Before any answer the last rate limit is unknown; after one it is the answer's headers,
    and reading it sends nothing."""
    assert await gateway.last_rate_limit() is None
    await gateway.list_label_names()
    count = len(fake_github.requests)

    limit = await gateway.last_rate_limit()

    assert (limit.remaining, limit.limit) == (fake_github.rate_remaining, 5000)
    assert limit.reset_at is not None
    assert len(fake_github.requests) == count


async def test_rate_limit_is_read_without_spending_it(gateway, fake_github):
    """GET /rate_limit reports the core limit and does not count against it."""
    before = fake_github.rate_remaining
    limit = await gateway.get_rate_limit()
    assert limit.remaining == before == fake_github.rate_remaining
