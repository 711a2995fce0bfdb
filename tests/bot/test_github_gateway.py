"""The GitHub gateway: real PyGithub against the local GitHub fake, and its error mapping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot import i18n
from bot.errors import GitHubError
from bot.github_gateway import GitHubGateway

TOKEN = "ghp_test"
MARKER = "<!-- diary-bot:0123456789abcdef -->"


def since() -> datetime:
    return datetime.now(UTC)


async def test_create_issue_sends_one_request_with_labels(gateway, fake_github):
    """Creating an issue is a single POST carrying the labels, with no GET of the repository."""
    created = await gateway.create_issue("Day 1", "Dear diary", ["bug", "question"])

    assert [(r.method, r.path) for r in fake_github.requests] == [
        ("POST", "/repos/alice/diary/issues")
    ]
    (issue,) = fake_github.issues()
    assert (issue["title"], issue["body"], issue["labels"]) == (
        "Day 1",
        "Dear diary",
        ["bug", "question"],
    )
    assert (created.number, created.url) == (
        issue["number"],
        f"https://github.com/alice/diary/issues/{issue['number']}",
    )
    assert created.created_at.tzinfo is not None
    assert fake_github.violations == []


async def test_find_issue_returns_the_one_with_the_marker(gateway, fake_github):
    """find_issue_containing returns the issue whose body contains the text."""
    fake_github.add_issue_from_web("Before", body="nothing here")
    wanted = fake_github.add_issue_from_web("Day 1", body=f"Dear diary\n\n{MARKER}")
    fake_github.add_issue_from_web("After", body=None)

    found = await gateway.find_issue_containing(MARKER, since())

    assert found is not None and found.number == wanted
    assert found.url == f"https://github.com/alice/diary/issues/{wanted}"
    assert fake_github.violations == []


async def test_find_issue_returns_none_when_absent(gateway, fake_github):
    """Without an issue containing the text, the search finds nothing."""
    fake_github.add_issue_from_web("Day 1", body="Dear diary <!-- diary-bot:other -->")

    assert await gateway.find_issue_containing(MARKER, since()) is None
    assert fake_github.violations == []


async def test_find_issue_sees_closed_issues(gateway, fake_github):
    """A closed issue with the marker is still found (GitHub's default lists only open ones)."""
    number = fake_github.add_issue_from_web("Day 1", body=MARKER)
    fake_github.edit_issue_from_web(number, state="closed")

    found = await gateway.find_issue_containing(MARKER, since())

    assert found is not None and found.number == number
    assert fake_github.violations == []


async def test_find_issue_ignores_pull_requests(gateway, fake_github):
    """A pull request whose body contains the marker is not taken for the issue."""
    fake_github.add_issue_from_web("Copy of day 1", body=MARKER, pull_request=True)

    assert await gateway.find_issue_containing(MARKER, since()) is None
    assert fake_github.violations == []


async def test_list_label_names_returns_every_label(gateway, fake_github):
    """All labels are listed, across pages."""
    for i in range(120):
        fake_github.add_label(f"topic-{i:03}")

    names = await gateway.list_label_names()

    assert sorted(names) == sorted(fake_github.labels())
    assert "topic-119" in names and "bug" in names
    assert fake_github.violations == []


async def test_get_issue_reads_an_issue_with_its_authors_association(gateway, fake_github):
    """get_issue turns an issue into a snapshot: entry, labels, author and association."""
    number = fake_github.add_issue_from_web("Day 1", body="Dear diary", labels=["diary"])

    snapshot = await gateway.get_issue(number)
    entry = snapshot.entry

    assert (entry.number, entry.title, entry.body, entry.labels, entry.author_name) == (
        number,
        "Day 1",
        "Dear diary",
        ("diary",),
        "alice",
    )
    assert (snapshot.author_association, snapshot.pull_request) == ("OWNER", False)
    assert entry.created_at.tzinfo == UTC
    assert fake_github.violations == []


async def test_get_issue_tells_a_strangers_pull_request(gateway, fake_github):
    """A pull request by someone with no role in the repository: NONE, pull_request."""
    number = fake_github.add_issue_from_web("Fix", user="mallory", pull_request=True)

    snapshot = await gateway.get_issue(number)

    assert (snapshot.author_association, snapshot.pull_request) == ("NONE", True)
    assert snapshot.entry.author_name == "mallory"


FINAL_MODES = [
    pytest.param({"repo_missing": True}, "github.not_found", id="404-repository-missing"),
    pytest.param({"issues_disabled": True}, "github.issues_disabled", id="410-issues-disabled"),
    pytest.param({"read_only": True}, "github.forbidden", id="403-read-only-token"),
]


async def create_error(gateway, labels: tuple[str, ...] = ()) -> GitHubError:
    with pytest.raises(GitHubError) as raised:
        await gateway.create_issue("Day 1", "Dear diary", list(labels))
    return raised.value


@pytest.mark.parametrize(("mode", "key"), FINAL_MODES)
async def test_final_errors_are_mapped_and_not_retried(gateway, fake_github, mode, key):
    """404, 410 and a read-only 403 map to their own key and are not transient."""
    fake_github.set_mode(**mode)

    error = await create_error(gateway)

    assert error.key == key
    assert error.transient is False
    assert fake_github.issues() == []
    assert fake_github.violations == []


async def test_a_rejected_token_waits_instead_of_failing(gateway, fake_github):
    """A 401 (expired or revoked token) did nothing: not an unknown outcome, and retried only
    after a long wait, so jobs are kept until a new token is in place."""
    fake_github.set_mode(token_revoked=True)

    error = await create_error(gateway)

    assert error.key == "github.unauthorized"
    assert (error.transient, error.outcome_unknown) == (True, False)
    assert error.retry_after == 600
    assert fake_github.issues() == []


async def test_the_tokens_expiry_is_read_from_every_answer(gateway, fake_github):
    """The expiry GitHub names in its answers is kept from any call, through PyGithub's own
    objects as through the gateway's direct requests; a token without one leaves None."""
    assert gateway.token_expires_at() is None
    await gateway.list_label_names()
    assert gateway.token_expires_at() is None

    fake_github.set_token_expiration("2026-12-20 10:00:00 UTC")
    await gateway.create_issue("Day 1", "Dear diary", [])  # PyGithub's Repository object
    assert gateway.token_expires_at() == datetime(2026, 12, 20, 10, 0, tzinfo=UTC)

    fake_github.set_token_expiration("2027-01-31 00:00:00 UTC")
    await gateway.list_issues_page()  # the gateway's own conditional request
    assert gateway.token_expires_at() == datetime(2027, 1, 31, tzinfo=UTC)

    fake_github.set_token_expiration("2027-02-28 00:00:00 UTC")
    await gateway.get_repository_access()  # a request of the client, not the repository
    assert gateway.token_expires_at() == datetime(2027, 2, 28, tzinfo=UTC)


async def test_unknown_label_is_invalid(gateway, fake_github):
    """A 422 for an unknown label maps to github.invalid, not transient."""
    error = await create_error(gateway, ("no-such-label",))

    assert error.key == "github.invalid" and error.transient is False
    assert fake_github.issues() == []
    assert fake_github.violations == []


async def test_unknown_label_detail_names_the_field_error(gateway, fake_github):
    """The 422's detail says which field GitHub rejected and with what value."""
    error = await create_error(gateway, ("no-such-label",))

    assert "labels" in error.detail and "no-such-label" in error.detail
    assert fake_github.violations == []


@pytest.mark.parametrize("language", i18n.LANGUAGES)
async def test_invalid_error_renders_completely(gateway, fake_github, language):
    """The localized github.invalid message is filled in, naming the rejected label."""
    error = await create_error(gateway, ("no-such-label",))

    text = i18n.t(language, error.key, **error.values)

    assert "{" not in text and "no-such-label" in text
    assert fake_github.violations == []


async def test_unexpected_error_renders_completely(gateway, fake_github):
    """The localized github.unexpected message is filled in with what GitHub said."""
    fake_github.fail_next(1, 418)
    error = await create_error(gateway)

    assert error.key == "github.unexpected"
    assert "{" not in i18n.t("en", error.key, **error.values)
    assert fake_github.violations == []


async def test_server_error_on_create_is_transient_with_unknown_outcome(gateway, fake_github):
    """A 502 answering a creation may hide a created issue: transient, outcome unknown."""
    fake_github.fail_next(1, 502)

    error = await create_error(gateway)

    assert error.key == "github.unavailable"
    assert (error.transient, error.outcome_unknown) == (True, True)
    assert fake_github.violations == []


async def test_server_error_on_read_is_transient_with_known_outcome(gateway, fake_github):
    """A 502 answering a search is transient, and a read changes nothing."""
    fake_github.fail_next(1, 502)

    with pytest.raises(GitHubError) as raised:
        await gateway.find_issue_containing(MARKER, since())

    assert raised.value.key == "github.unavailable"
    assert (raised.value.transient, raised.value.outcome_unknown) == (True, False)
    assert fake_github.violations == []


async def test_secondary_rate_limit_is_transient_with_retry_after(gateway, fake_github):
    """GitHub's secondary rate limit maps to github.rate_limited, retried after Retry-After."""
    fake_github.secondary_rate_limit(1, retry_after=7)

    error = await create_error(gateway)

    assert error.key == "github.rate_limited"
    assert error.transient is True and error.retry_after == 7.0
    assert fake_github.issues() == []
    assert fake_github.violations == []


async def test_primary_rate_limit_is_transient(gateway, fake_github):
    """An exhausted primary rate limit maps to github.rate_limited with a wait."""
    fake_github.set_rate_limit(0, reset_in=120)

    error = await create_error(gateway)

    assert error.key == "github.rate_limited"
    assert error.transient is True and error.retry_after is not None and error.retry_after >= 1
    assert fake_github.violations == []


async def test_dropped_connection_after_create_is_unknown_outcome(gateway, fake_github):
    """A creation whose answer never arrives is transient with an unknown outcome."""
    fake_github.drop_after_create()

    error = await create_error(gateway)

    assert error.key == "github.unavailable"
    assert (error.transient, error.outcome_unknown) == (True, True)
    assert len(fake_github.issues()) == 1  # it was created: why the outcome is unknown
    assert fake_github.violations == []


SETUPS = {
    "401": lambda fake: fake.set_mode(token_revoked=True),
    "404": lambda fake: fake.set_mode(repo_missing=True),
    "410": lambda fake: fake.set_mode(issues_disabled=True),
    "403": lambda fake: fake.set_mode(read_only=True),
    "422": lambda fake: None,
    "502": lambda fake: fake.fail_next(1, 502),
    "secondary": lambda fake: fake.secondary_rate_limit(1),
    "dropped": lambda fake: fake.drop_after_create(),
}


@pytest.mark.parametrize("setup", sorted(SETUPS))
async def test_errors_never_contain_the_token(gateway, fake_github, setup):
    """No error text, detail or value carries the GitHub token."""
    SETUPS[setup](fake_github)

    error = await create_error(gateway, ("no-such-label",) if setup == "422" else ())

    for text in (str(error), repr(error), error.detail, repr(error.values)):
        assert TOKEN not in text
    assert fake_github.violations == []


async def test_calls_beyond_the_thread_limit_wait_their_turn(fake_github):
    """With max_threads=2, five slow calls reach GitHub two at a time, and all are answered."""
    gateway = GitHubGateway(
        TOKEN, "alice/diary", fake_github.url, seconds_between_writes=0, max_threads=2
    )
    fake_github.delay(0.6, "GET", "/labels")

    calls = [asyncio.create_task(gateway.list_label_names()) for _ in range(5)]
    await asyncio.sleep(0.4)
    assert len([r for r in fake_github.requests if r.path.endswith("/labels")]) == 2

    assert len(await asyncio.gather(*calls)) == 5
    assert len([r for r in fake_github.requests if r.path.endswith("/labels")]) == 5
