"""The GitHub fake's user sign-in (device flow, refresh grant, user tokens) and installations,
driven over HTTP with requests (the `/login` endpoints) and PyGithub (the API)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import github
import pytest
import requests
from github.PaginatedList import PaginatedList
from github.Repository import Repository

from tests.fakes.github_oauth import DEVICE_GRANT, OAuthState
from tests.fakes.github_server import FakeGitHub

CLIENT = "Iv23liFAKEclient01"
SECRET = "fake-client-secret"
JSON = {"Accept": "application/json"}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """A fake whose device codes may be polled without waiting (interval 0)."""
    started = FakeGitHub(oauth=OAuthState(interval=0)).start()
    try:
        yield started
    finally:
        started.stop()


def post(fake: FakeGitHub, path: str, headers: dict[str, str] | None = None, **data: str) -> dict:
    answer = requests.post(fake.web_url + path, data=data, headers=headers or JSON, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def start_device(fake: FakeGitHub) -> dict:
    return post(fake, "/login/device/code", client_id=CLIENT)


def poll(fake: FakeGitHub, device_code: str) -> dict:
    return post(
        fake,
        "/login/oauth/access_token",
        client_id=CLIENT,
        device_code=device_code,
        grant_type=DEVICE_GRANT,
    )


def sign_in(fake: FakeGitHub, login: str) -> dict:
    code = start_device(fake)
    fake.oauth.approve(code["user_code"], login)
    return poll(fake, code["device_code"])


def api(fake: FakeGitHub, token: str) -> github.Github:
    return github.Github(
        auth=github.Auth.Token(token),
        base_url=fake.url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def test_device_code_answers_like_github(fake):
    """The device code carries a user code, the web host's verification page, 900 s and 5 s."""
    fake.stop()
    with FakeGitHub() as default:
        code = start_device(default)
        assert set(code) == {
            "device_code",
            "user_code",
            "verification_uri",
            "expires_in",
            "interval",
        }
        assert code["verification_uri"] == f"{default.web_url}/login/device"
        assert (code["expires_in"], code["interval"]) == (900, 5)
        assert len(code["user_code"]) == 9 and code["user_code"][4] == "-"
        assert default.web_url != default.url
        assert requests.get(code["verification_uri"], timeout=10).status_code == 200


def test_answers_are_form_encoded_unless_json_is_accepted(fake):
    """Without `Accept: application/json` GitHub answers application/x-www-form-urlencoded."""
    answer = requests.post(
        fake.web_url + "/login/device/code", data={"client_id": CLIENT}, timeout=10
    )
    assert answer.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(answer.text)["expires_in"] == ["900"]


def test_pending_until_approved_then_a_user_token(fake):
    """Polls answer authorization_pending (HTTP 200) until the person approves; then a token."""
    code = start_device(fake)
    pending = poll(fake, code["device_code"])
    assert pending["error"] == "authorization_pending" and "error_description" in pending
    fake.oauth.approve(code["user_code"], "bob")
    token = poll(fake, code["device_code"])
    assert token["access_token"].startswith("ghu_") and token["refresh_token"].startswith("ghr_")
    assert (token["expires_in"], token["refresh_token_expires_in"]) == (28800, 15811200)
    assert token["token_type"] == "bearer"
    assert api(fake, token["access_token"]).get_user().login == "bob"
    assert poll(fake, code["device_code"])["error"] == "incorrect_device_code"  # used once
    assert fake.oauth.issued_tokens == [token["access_token"]]


def test_polling_faster_than_the_interval_slows_down(fake):
    """A poll sooner than `interval` after the last gets slow_down and an interval 5 s longer."""
    fake.stop()
    with FakeGitHub(oauth=OAuthState(interval=2)) as slow:
        code = start_device(slow)
        assert poll(slow, code["device_code"])["error"] == "authorization_pending"
        again = poll(slow, code["device_code"])
        assert again["error"] == "slow_down" and again["interval"] == 7


def test_slow_down_can_be_forced(fake):
    """`slow_down_next` answers slow_down to the next polls whatever their timing."""
    code = start_device(fake)
    fake.oauth.slow_down_next(2)
    assert [poll(fake, code["device_code"]).get("interval") for _ in range(2)] == [5, 10]
    fake.oauth.advance(10)  # the grown interval is kept from now on
    assert poll(fake, code["device_code"])["error"] == "authorization_pending"
    assert poll(fake, code["device_code"])["interval"] == 15


def test_denied_and_expired_device_codes(fake):
    """access_denied after the person cancels; expired_token once the code runs out."""
    denied, expired, late = start_device(fake), start_device(fake), start_device(fake)
    fake.oauth.deny(denied["user_code"])
    fake.oauth.expire_device(expired["user_code"])
    assert poll(fake, denied["device_code"])["error"] == "access_denied"
    assert poll(fake, expired["device_code"])["error"] == "expired_token"
    fake.oauth.advance(900)
    assert poll(fake, late["device_code"])["error"] == "expired_token"


def test_wrong_client_grant_and_device_code(fake):
    """Wrong client id, unknown grant type and unknown device code get their own errors."""
    code = start_device(fake)
    wrong = post(
        fake,
        "/login/oauth/access_token",
        client_id="Iv1.other",
        device_code=code["device_code"],
        grant_type=DEVICE_GRANT,
    )
    assert wrong["error"] == "incorrect_client_credentials"
    grant = post(fake, "/login/oauth/access_token", client_id=CLIENT, grant_type="password")
    assert grant["error"] == "unsupported_grant_type"
    assert poll(fake, "0" * 40)["error"] == "incorrect_device_code"
    unknown = requests.post(
        fake.web_url + "/login/device/code", data={"client_id": "nope"}, headers=JSON, timeout=10
    )
    assert unknown.status_code == 404


def refresh(fake: FakeGitHub, refresh_token: str, secret: str = SECRET) -> dict:
    return post(
        fake,
        "/login/oauth/access_token",
        client_id=CLIENT,
        client_secret=secret,
        grant_type="refresh_token",
        refresh_token=refresh_token,
    )


def test_refresh_grant_rotates_both_tokens(fake):
    """A refresh gives new access and refresh tokens; the old refresh token is spent."""
    first = sign_in(fake, "bob")
    second = refresh(fake, first["refresh_token"])
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert api(fake, second["access_token"]).get_user().login == "bob"
    assert refresh(fake, first["refresh_token"])["error"] == "bad_refresh_token"
    assert refresh(fake, second["refresh_token"], "wrong")["error"] == (
        "incorrect_client_credentials"
    )


def test_revoked_or_expired_refresh_token_is_bad(fake):
    """Revoking the authorization, or six months passing, ends refresh tokens."""
    revoked, old = sign_in(fake, "bob"), sign_in(fake, "carol")
    fake.oauth.revoke("bob")
    assert refresh(fake, revoked["refresh_token"])["error"] == "bad_refresh_token"
    with pytest.raises(github.BadCredentialsException):
        api(fake, revoked["access_token"]).get_user().login  # noqa: B018
    fake.oauth.advance(15811200)
    assert refresh(fake, old["refresh_token"])["error"] == "bad_refresh_token"


def test_user_tokens_expire(fake):
    """After `token_ttl` (8 hours unless configured) the API answers 401 Bad credentials."""
    fake.stop()
    with FakeGitHub(oauth=OAuthState(interval=0, token_ttl=60)) as short:
        token = sign_in(short, "bob")
        assert token["expires_in"] == 60
        assert api(short, token["access_token"]).get_user().login == "bob"
        short.oauth.advance(61)
        with pytest.raises(github.BadCredentialsException):
            api(short, token["access_token"]).get_user().login  # noqa: B018
        renewed = refresh(short, token["refresh_token"])
        assert api(short, renewed["access_token"]).get_user().login == "bob"
        assert short.oauth.login_for(token["access_token"]) is None


def installation_repos(gh: github.Github, installation_id: int) -> list[Repository]:
    return list(
        PaginatedList(
            Repository,
            gh.requester,
            f"/user/installations/{installation_id}/repositories",
            None,
            list_item="repositories",
        )
    )


def test_installations_and_their_repositories(fake):
    """The user sees the installations they can reach and each repository with permissions."""
    mine = fake.oauth.add_installation("bob", ["bob/diary", "bob/notes"], {"bob": "admin"})
    fake.oauth.add_installation("carol", ["carol/diary"], {"carol": "push"})
    team = fake.oauth.add_installation("alice", ["alice/diary"], {"alice": "admin", "bob": "pull"})
    gh = api(fake, sign_in(fake, "bob")["access_token"])

    found = list(gh.get_user().get_installations())
    assert sorted(i.id for i in found) == sorted([mine, team])
    assert {i.id: i.target_type for i in found}[mine] == "User"
    repos = installation_repos(gh, mine)
    assert [(r.full_name, r.permissions.push) for r in repos] == [
        ("bob/diary", True),
        ("bob/notes", True),
    ]
    assert [(r.full_name, r.permissions.push) for r in installation_repos(gh, team)] == [
        ("alice/diary", False)
    ]
    assert fake.violations == [] and fake.unhandled == []


def test_installations_need_a_user_token(fake):
    """Another user's installation is 404; the operator's token cannot list installations."""
    other = fake.oauth.add_installation("carol", ["carol/diary"], {"carol": "push"})
    gh = api(fake, sign_in(fake, "bob")["access_token"])
    with pytest.raises(github.UnknownObjectException):
        installation_repos(gh, other)
    with pytest.raises(github.GithubException) as operator:
        list(api(fake, "ghp_test").get_user().get_installations())
    assert operator.value.status == 403


def test_a_user_token_acts_as_its_user_where_the_app_lets_it(fake):
    """Issues created with a user token are the user's; no installation: 404; pull only: 403."""
    token = sign_in(fake, "bob")["access_token"]
    with pytest.raises(github.UnknownObjectException):
        api(fake, token).get_repo("alice/diary").create_issue("hidden")
    installation = fake.oauth.add_installation("alice", ["alice/diary"], {"bob": "pull"})
    with pytest.raises(github.GithubException) as read_only:
        api(fake, token).get_repo("alice/diary").create_issue("read only")
    assert read_only.value.status == 403
    fake.oauth.remove_installation(installation)
    fake.oauth.add_installation("alice", ["alice/diary"], {"bob": "push"})
    issue = api(fake, token).get_repo("alice/diary").create_issue("Bob's day")
    assert issue.user.login == "bob" and fake.issues()[0]["user"] == "bob"
    create = fake.wait_for_request("POST", "/issues", timeout=1)
    assert create.headers["Authorization"].endswith(token)


def test_login_endpoints_live_on_the_web_host_only(fake):
    """The API host does not serve /login (404) and the web host does not serve the API."""
    on_api = requests.post(fake.url + "/login/device/code", data={"client_id": CLIENT}, timeout=10)
    assert on_api.status_code in (401, 404)
    assert requests.get(fake.web_url + "/user", timeout=10).status_code == 404
    assert [r.path for r in fake.oauth.requests] == []


def test_a_members_repository_is_served_beside_the_fakes_own(fake):
    """`add_repository` serves a second repository: an issue created there with a member's
    token is the member's, records that token, and leaves the fake's own repository alone."""
    fake.add_repository("bob/diary")
    installation = fake.oauth.add_installation("bob", ["bob/diary"], {"bob": "admin"})
    token = sign_in(fake, "bob")["access_token"]
    repo = api(fake, token).get_repo("bob/diary")
    assert repo.full_name == "bob/diary" and repo.permissions.push
    assert [r.id for r in installation_repos(api(fake, token), installation)] == [repo.id]
    issue = repo.create_issue("Bob's own", body="mine", labels=["bug"])
    issue.create_comment("later")
    repo.create_file("assets/a.txt", "add", b"hello")

    (stored,) = fake.issues("bob/diary")
    assert (stored["user"], stored["created_with"], stored["labels"]) == ("bob", token, ["bug"])
    assert fake.comments(1, "BOB/diary")[0]["created_with"] == token
    assert fake.files("bob/diary") == {"assets/a.txt": b"hello"}
    assert fake.issues() == [] and fake.files() == {}
    own = api(fake, "ghp_test").get_repo("alice/diary").create_issue("Server's")
    assert own.number == 1 and fake.issues()[0]["created_with"] == "ghp_test"
    assert fake.violations == []


def test_repositories_not_served_are_404(fake):
    """A repository nobody added answers 404 to the fake's token too; adding twice is refused."""
    with pytest.raises(github.UnknownObjectException):
        api(fake, "ghp_test").get_repo("carol/diary").create_issue("x")
    fake.add_repository("carol/diary")
    with pytest.raises(ValueError):
        fake.add_repository("Carol/Diary")
    assert api(fake, "ghp_test").get_repo("carol/diary").create_issue("x").number == 1


def two_members(fake: FakeGitHub) -> dict[str, str]:
    """bob and carol, each with a diary of their own where the app is installed, and a user
    token each (granted without the device flow)."""
    tokens = {}
    for login in ("bob", "carol"):
        fake.add_repository(f"{login}/diary")
        fake.oauth.add_installation(login, [f"{login}/diary"], {login: "admin"})
        tokens[login] = fake.oauth.grant(login)["access_token"]
    return tokens


def test_granted_tokens_work_like_signed_in_ones(fake):
    """`oauth.grant` hands out what a completed sign-in would: a live token and a refresh token."""
    granted = fake.oauth.grant("bob")
    assert granted["access_token"].startswith("ghu_") and granted["expires_in"] == 28800
    assert fake.oauth.login_for(granted["access_token"]) == "bob"
    assert api(fake, granted["access_token"]).get_user().login == "bob"
    assert fake.oauth.live_refresh_tokens("bob") == [granted["refresh_token"]]


def test_each_user_spends_from_a_rate_limit_of_their_own(fake):
    """Points are kept per user, as GitHub keeps them: bob's requests leave carol's budget and
    the fake's own token's alone, and the headers and /rate_limit show the caller's."""
    tokens = two_members(fake)
    bob = raw_get(fake, tokens["bob"], "/repos/bob/diary/issues")
    raw_get(fake, tokens["bob"], "/repos/bob/diary")
    raw_get(fake, tokens["carol"], "/repos/carol/diary/issues")

    assert bob.status_code == 200 and bob.headers["x-ratelimit-remaining"] == "4999"
    assert fake.rate_remaining_of("bob") == 4998 and fake.rate_remaining_of("BOB") == 4998
    assert fake.rate_remaining_of("carol") == 4999 and fake.rate_remaining == 5000
    core = api(fake, tokens["bob"]).get_rate_limit().resources.core  # free
    assert (core.limit, core.remaining) == (5000, 4998)
    usage = fake.usage()
    assert (usage["bob"].requests, usage["bob"].points) == (3, 2)
    assert (usage["carol"].requests, usage["carol"].points) == (1, 1)
    assert "diarybot-owner" not in usage
    raw_get(fake, "ghp_test", "/repos/alice/diary/issues")
    assert fake.usage()["diarybot-owner"].points == 1 and fake.rate_remaining == 4999
    fake.reset_usage()
    assert fake.usage() == {} and fake.rate_remaining_of("bob") == 4998
    assert fake.violations == [] and fake.unhandled == []


def test_a_conditional_request_answered_304_costs_a_user_nothing(fake):
    """A user token's GET with the last ETag is answered 304 and spends no point; once an issue
    changes in the member's repository the same request is a 200 and spends one."""
    token = two_members(fake)["bob"]
    first = raw_get(fake, token, "/repos/bob/diary/issues")
    etag = first.headers["ETag"]
    again = raw_get(fake, token, "/repos/bob/diary/issues", etag)

    assert again.status_code == 304 and again.headers["x-ratelimit-remaining"] == "4999"
    assert fake.rate_remaining_of("bob") == 4999
    usage = fake.usage()["bob"]
    assert (usage.requests, usage.points, usage.not_modified) == (2, 1, 1)
    number = fake.add_issue_from_web("Bob's day", "on the web", user="bob", repository="bob/diary")
    changed = raw_get(fake, token, "/repos/bob/diary/issues", etag)
    assert changed.status_code == 200 and [i["number"] for i in changed.json()] == [number]
    assert fake.issue_json(number, "bob/diary")["title"] == "Bob's day" and fake.issues() == []
    assert fake.rate_remaining_of("bob") == 4998 and fake.usage()["bob"].not_modified == 1
    assert fake.violations == []


def test_a_user_out_of_points_is_refused_alone(fake):
    """A user whose budget is spent gets GitHub's 403; other users and the fake's token do not."""
    tokens = two_members(fake)
    fake.set_rate_limit(0, login="bob")
    with pytest.raises(github.RateLimitExceededException):
        api(fake, tokens["bob"]).get_repo("bob/diary").get_issues().get_page(0)
    assert raw_get(fake, tokens["carol"], "/repos/carol/diary/issues").status_code == 200
    assert raw_get(fake, "ghp_test", "/repos/alice/diary/issues").status_code == 200
    assert fake.usage()["bob"].points == 0


def raw_get(fake: FakeGitHub, token: str, path: str, etag: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    if etag is not None:
        headers["If-None-Match"] = etag
    return requests.get(fake.url + path, headers=headers, timeout=10)
