"""The GitHub fake driven by real PyGithub (and raw HTTP where PyGithub can't say it)."""

# The imported `fake_github` fixture is "redefined" by every test parameter using it.
# ruff: noqa: F811

from __future__ import annotations

import base64
import json
import threading
import time

import github
import pytest
import requests

from tests.fakes.contracts import ContractChecker, spec_path
from tests.fakes.fixtures import fake_github  # noqa: F401
from tests.fakes.github_server import DROPPED, FakeGitHub

TOKEN = "ghp_test"
JSON = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}


def client(fake: FakeGitHub, token: str = TOKEN, per_page: int = 30) -> github.Github:
    # PyGithub throttles by default (0.25 s between requests, 1 s between writes): off for speed.
    return github.Github(
        auth=github.Auth.Token(token),
        base_url=fake.url,
        retry=None,
        per_page=per_page,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def raw(fake: FakeGitHub, method: str, path: str, **kwargs) -> requests.Response:
    kwargs.setdefault("headers", JSON)
    return requests.request(method, fake.url + path, timeout=10, **kwargs)


def test_create_issue_with_labels_and_read_back(fake_github):
    fake_github.add_label("diary", color="5319e7")
    repo = client(fake_github).get_repo("alice/diary")
    assert repo.has_issues and repo.permissions.push and repo.default_branch == "main"

    issue = repo.create_issue("Day 1", body="Dear diary", labels=["diary", "BUG"])

    assert issue.number == 1
    assert issue.html_url == "https://github.com/alice/diary/issues/1"
    assert issue.url == f"{fake_github.url}/repos/alice/diary/issues/1"
    assert [label.name for label in issue.labels] == ["diary", "bug"]
    assert issue.user.login == "diarybot-owner"
    again = repo.get_issue(1)
    assert (again.title, again.body, again.state, again.pull_request) == (
        "Day 1",
        "Dear diary",
        "open",
        None,
    )
    (stored,) = fake_github.issues()
    assert stored["labels"] == ["diary", "bug"] and stored["user"] == "diarybot-owner"
    assert stored["pull_request"] is False
    create = fake_github.wait_for_request("POST", "/issues", timeout=1)
    assert create.status == 201 and json.loads(create.body)["title"] == "Day 1"
    assert create.headers["authorization"] == f"token {TOKEN}"  # case-insensitive headers

    issue.edit(state="closed", labels=["diary"])
    comment = issue.create_comment("closing note")
    assert repo.get_issue(1).state == "closed"
    assert [c.body for c in repo.get_issue(1).get_comments()] == ["closing note"]
    assert comment.user.login == "diarybot-owner"
    assert fake_github.issues()[0]["comments"] == 1
    assert fake_github.violations == [] and fake_github.unhandled == []


def test_issue_validation_like_github(fake_github):
    repo = client(fake_github).get_repo("alice/diary")
    with pytest.raises(github.GithubException) as unknown:
        repo.create_issue("x", labels=["no-such-label"])
    assert unknown.value.status == 422
    assert unknown.value.data["errors"] == [
        {"resource": "Label", "code": "invalid", "field": "labels", "value": "no-such-label"}
    ]
    with pytest.raises(github.GithubException) as long_title:
        repo.create_issue("t" * 257)
    assert long_title.value.status == 422
    with pytest.raises(github.GithubException) as long_body:
        repo.create_issue("ok", body="b" * 65537)
    assert long_body.value.data["errors"][0]["field"] == "body"
    assert repo.create_issue("t" * 256, body="b" * 65536).number == 1

    missing = raw(fake_github, "POST", "/repos/alice/diary/issues", json={"title": ""})
    assert missing.status_code == 422
    assert missing.json() == {
        "message": "Validation Failed",
        "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}],
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        "status": "422",
    }
    fake_github.set_mode(unknown_labels="create")
    assert [x.name for x in repo.create_issue("y", labels=["fresh"]).labels] == ["fresh"]
    assert "fresh" in fake_github.labels()
    assert fake_github.violations == []


def test_list_issues_filters_and_pagination(fake_github):
    fake_github.add_label("diary")
    for i in range(64):
        fake_github.add_issue_from_web(f"web {i}", labels=["diary"] if i % 2 else ())
    pr = fake_github.add_issue_from_web("a pull request", user="bob", pull_request=True)
    fake_github.edit_issue_from_web(3, state="closed")
    repo = client(fake_github, per_page=50).get_repo("alice/diary")

    everything = list(repo.get_issues(state="all"))
    assert len(everything) == 65
    assert [i.number for i in everything[:2]] == [65, 64]  # newest first
    assert everything[0].pull_request is not None and everything[0].number == pr
    assert len(list(repo.get_issues())) == 64  # open only
    labelled = list(repo.get_issues(state="all", labels=["diary"], direction="asc"))
    assert [i.number for i in labelled[:2]] == [2, 4]
    assert [i.number for i in repo.get_issues(creator="bob")] == [pr]
    assert repo.get_issues(state="all").totalCount == 65

    first = raw(fake_github, "GET", "/repos/alice/diary/issues?state=all&per_page=20")
    assert len(first.json()) == 20
    links = requests.utils.parse_header_links(first.headers["Link"])
    assert {link["rel"] for link in links} == {"next", "last"}
    last = next(link["url"] for link in links if link["rel"] == "last")
    assert last == f"{fake_github.url}/repos/alice/diary/issues?state=all&per_page=20&page=4"
    page4 = requests.get(last, headers=JSON, timeout=10)
    assert len(page4.json()) == 5
    rels = {link["rel"] for link in requests.utils.parse_header_links(page4.headers["Link"])}
    assert rels == {"prev", "first"}
    assert "pull_request" in first.json()[0] and "pull_request" not in first.json()[1]
    capped = raw(fake_github, "GET", "/repos/alice/diary/issues?per_page=500")
    assert len(capped.json()) == 64  # max 100
    default = raw(fake_github, "GET", "/repos/alice/diary/labels")
    assert len(default.json()) == 10 and "Link" not in default.headers
    assert fake_github.violations == []


def test_conditional_get_304_keeps_rate_limit(fake_github):
    number = fake_github.add_issue_from_web("cached")
    path = f"/repos/alice/diary/issues/{number}"
    first = raw(fake_github, "GET", path)
    etag = first.headers["ETag"]
    remaining = int(first.headers["x-ratelimit-remaining"])
    assert remaining == 4999 and first.headers["x-ratelimit-resource"] == "core"

    cached = raw(fake_github, "GET", path, headers={**JSON, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert int(cached.headers["x-ratelimit-remaining"]) == remaining
    assert fake_github.rate_remaining == remaining

    fake_github.edit_issue_from_web(number, title="changed")
    fresh = raw(fake_github, "GET", path, headers={**JSON, "If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert int(fresh.headers["x-ratelimit-remaining"]) == remaining - 1

    issue = client(fake_github).get_repo("alice/diary").get_issue(number)
    assert issue.title == "changed"
    assert issue.update() is False  # PyGithub's own conditional request gets the 304
    assert fake_github.requests[-1].status == 304


def test_primary_rate_limit_exhausted(fake_github):
    fake_github.set_rate_limit(remaining=1)
    gh = client(fake_github)
    gh.get_user().login  # noqa: B018  (uses the last request)
    with pytest.raises(github.RateLimitExceededException):
        gh.get_repo("alice/diary")
    assert gh.get_rate_limit().resources.core.remaining == 0  # /rate_limit is free


@pytest.mark.parametrize(
    ("mode", "status", "exception", "message"),
    [
        ("token_revoked", 401, github.BadCredentialsException, "Bad credentials"),
        ("repo_missing", 404, github.UnknownObjectException, "Not Found"),
        ("issues_disabled", 410, github.GithubException, "Issues are disabled for this repo"),
        (
            "read_only",
            403,
            github.GithubException,
            "Resource not accessible by personal access token",
        ),
    ],
)
def test_modes(fake_github, mode, status, exception, message):
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.set_mode(**{mode: True})
    with pytest.raises(exception) as caught:
        repo.create_issue("x")
    assert caught.value.status == status
    assert caught.value.data["message"] == message
    assert caught.value.data["status"] == str(status)
    assert type(caught.value) is exception  # e.g. read-only must not look like a rate limit
    assert fake_github.issues() == []
    fake_github.clear_faults()
    assert repo.create_issue("x").number == 1


def test_wrong_or_missing_token(fake_github):
    with pytest.raises(github.BadCredentialsException):
        client(fake_github, token="ghp_wrong").get_user().login  # noqa: B018
    anonymous = raw(fake_github, "GET", "/user", headers={})
    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == "Requires authentication"
    bearer = raw(fake_github, "GET", "/user", headers={"authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200


def test_fail_next_and_secondary_rate_limit(fake_github):
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.fail_next(2, status=502)
    for _ in range(2):
        with pytest.raises(github.GithubException) as caught:
            repo.create_issue("x")
        assert caught.value.status == 502 and caught.value.data["message"] == "Server Error"
    assert fake_github.issues() == []

    fake_github.fail_next(1, status=500, commit=True)  # failed answer, but created
    with pytest.raises(github.GithubException):
        repo.create_issue("ghost")
    assert [i["title"] for i in fake_github.issues()] == ["ghost"]

    fake_github.secondary_rate_limit(next_n=1, retry_after=7)
    with pytest.raises(github.RateLimitExceededException) as limited:
        repo.create_issue("y")
    assert limited.value.status == 403 and limited.value.headers["retry-after"] == "7"
    assert repo.create_issue("y").number == 2
    assert fake_github.violations == []


def test_drop_after_create_creates_but_client_gets_connection_error(fake_github):
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.drop_after_create()
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("lost answer")
    assert [i["title"] for i in fake_github.issues()] == ["lost answer"]
    assert fake_github.requests[-1].status == DROPPED
    assert repo.create_issue("next one").number == 2


def test_a_dropped_create_can_be_recorded_seconds_later(fake_github):
    """With record_after, the client loses the connection at once and the issue appears
    only after the given delay."""
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.drop_after_create(record_after=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("late")
    assert fake_github.issues() == []
    deadline = time.monotonic() + 5
    while not fake_github.issues() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [i["title"] for i in fake_github.issues()] == ["late"]


def test_hold_creates_and_wait_for_request(fake_github):
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.hold_creates()
    result = {}
    worker = threading.Thread(target=lambda: result.update(issue=repo.create_issue("held")))
    worker.start()
    arrived = fake_github.wait_for_request("POST", "/repos/alice/diary/issues", timeout=5)
    assert arrived.status is None and fake_github.issues() == []  # in flight
    fake_github.release_creates()
    worker.join(5)
    assert result["issue"].number == 1 and arrived.status == 201
    with pytest.raises(TimeoutError):
        fake_github.wait_for_request("DELETE", timeout=0.05)


def test_delay_and_on_request_hook(fake_github):
    seen = []
    fake_github.on_request = lambda rec: seen.append((rec.method, rec.path))
    repo = client(fake_github).get_repo("alice/diary")
    fake_github.delay(0.3, method="POST", path_contains="/issues")
    started = time.monotonic()
    repo.create_issue("slow")
    assert time.monotonic() - started >= 0.3
    fake_github.delay(0, method="POST", path_contains="/issues")
    assert ("POST", "/repos/alice/diary/issues") in seen


def test_contents_create_update_conflicts(fake_github):
    repo = client(fake_github).get_repo("alice/diary")
    created = repo.create_file("entries/2024/01.md", "add", "hello")
    sha = created["content"].sha
    assert repo.get_contents("entries/2024/01.md").decoded_content == b"hello"
    with pytest.raises(github.GithubException) as no_sha:
        repo.create_file("entries/2024/01.md", "again", "x")
    assert no_sha.value.status == 422
    with pytest.raises(github.GithubException) as stale:
        repo.update_file("entries/2024/01.md", "upd", "x", sha="0" * 40)
    assert stale.value.status == 409
    assert stale.value.data["message"] == f"entries/2024/01.md does not match {'0' * 40}"
    repo.update_file("entries/2024/01.md", "upd", "bye", sha=sha)
    assert fake_github.files() == {"entries/2024/01.md": b"bye"}
    assert [c.path for c in repo.get_contents("entries")] == ["entries/2024"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.md")
    assert fake_github.violations == []


def test_spec_violations_and_unknown_routes_are_recorded(fake_github):
    bad = raw(fake_github, "POST", "/repos/alice/diary/issues", json={"title": ["x"], "body": 5})
    assert bad.status_code == 422
    assert any("$.title" in v for v in fake_github.violations)
    assert any("$.body: 5 is not of type 'string'" in v for v in fake_github.violations)

    fake_github.reset_requests()
    # The description allows an integer title (oneOf string/integer); GitHub stores "5".
    assert raw(fake_github, "POST", "/repos/alice/diary/issues", json={"title": 5}).ok
    assert fake_github.violations == []
    bogus = raw(fake_github, "GET", "/repos/alice/diary/issues?state=bogus")
    assert bogus.status_code == 422
    assert any("Invalid query parameter: state" in v for v in fake_github.violations)

    fake_github.reset_requests()
    assert raw(fake_github, "GET", "/repos/alice/diary/hooks").status_code == 404
    assert fake_github.unhandled == ["GET /repos/alice/diary/hooks"]
    assert fake_github.violations == []  # documented by GitHub, just not faked
    raw(fake_github, "DELETE", "/user")
    assert fake_github.violations == [
        "DELETE /user: DELETE not documented for /user in github-rest-openapi.json"
    ]


def test_contract_checker_leniencies():
    gh = ContractChecker(spec_path("github"))
    upper = {"CONTENT-TYPE": "application/json; charset=utf-8"}
    assert gh.check("POST", "/repos/a/b/issues", "", upper, b'{"title": "x"}') == []
    assert gh.check("POST", "/repos/a/b/issues", "", {}, b'{"title": "x"}') == []
    content = json.dumps({"message": "m", "content": base64.b64encode(b"x").decode()}).encode()
    assert gh.check("PUT", "/repos/a/b/contents/d/e/f.md", "", JSON, content) == []
    assert gh.check("GET", "/repos/a/b/labels/x/y", "", {}, None) != []

    discord = ContractChecker(spec_path("discord"), path_prefix="/api/v10")
    auth = {"authorization": "Bot abc"}
    message = b'{"content": "hi", "message_reference": {"message_id": 12}}'
    headers = {**auth, "content-type": "application/json"}
    assert discord.check("POST", "/api/v10/channels/1/messages", "", headers, message) == []
    assert discord.check("POST", "/api/v10/channels/1/messages", "", {}, message) != []
    boundary = "xyz"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\n'
        'Content-Type: application/json\r\n\r\n{"content": 5, "attachments": [{"id": 0}]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files[0]"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    ).encode()
    form = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    problems = discord.check("POST", "/api/v10/channels/1/messages", "", form, multipart)
    assert problems == ["request body: $.content: 5 is not of type 'string', 'null'"]
