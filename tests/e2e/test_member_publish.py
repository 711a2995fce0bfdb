"""Publishing as the member, through the real bot: a member who connected their own repository
with /diary connect has their entries created there with their own user token and announced
once in the server; tokens that expire are refreshed, a revoked sign-in keeps the draft,
/diary disconnect sends later entries to the server diary, and a lost answer still makes one
issue. No token is ever in the database file in plaintext."""

from __future__ import annotations

import time

from tests.e2e.harness import (
    REPOSITORY,
    Rig,
    announcements,
    settled_announcements,
    wait_for_announcements,
    wait_until,
)
from tests.e2e.test_connect import database_bytes, enable_connections, secrets_issued, sign_in


def connect(rig: Rig, user: str, login: str, repository: str) -> None:
    """The member signs in as `login` and picks `repository` (the app installed there)."""
    sign_in(rig, user, login)
    chosen = rig.slash(user, "connect", {"repository": repository}, command="diary")
    assert f"**{repository}**" in chosen.wait_final(timeout=10)["content"]


def publish(rig: Rig, user: str, title: str, body: str = "Morning by the river.") -> str:
    """/draft new, then /draft publish; the publish reply's text."""
    rig.slash(user, "new", {"title": title, "body": body}).wait_final()
    return rig.slash(user, "publish").wait_final(timeout=20, quiet=0.5)["content"]


def own_diary(rig: Rig, login: str) -> str:
    """`login`/diary served by the local GitHub, with the app installed for `login`."""
    repository = f"{login}/diary"
    rig.github.add_repository(repository)
    rig.github.oauth.add_installation(login, [repository], {login: "admin"})
    return repository


def assert_no_plaintext_token(rig: Rig) -> None:
    data = database_bytes(rig)
    for secret in secrets_issued(rig):
        assert secret not in data


def test_a_members_entry_is_created_in_their_repository_as_them(rig: Rig) -> None:
    """connect → pick a repository → publish: the issue is in the member's repository,
    created with the member's token, and announced once in the server with its link (not the
    server blog's page: BLOG_URL_TEMPLATE is the server diary's)."""
    rig.extra_env["BLOG_URL_TEMPLATE"] = "https://blog.example/articles/{number}"
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)

    reply = publish(rig, "owner", "A walk")
    (issue,) = rig.github.issues(mine)
    token = rig.github.oauth.issued_tokens[-1]
    assert (issue["title"], issue["user"], issue["created_with"]) == ("A walk", "owner", token)
    assert rig.github.issues() == []  # nothing in the server diary
    assert f"https://github.com/{mine}/issues/1" in reply and "blog.example" not in reply
    (announced,) = settled_announcements(rig)
    embed = announced["embeds"][0]
    assert embed["title"] == "A walk" and embed["url"] == f"https://github.com/{mine}/issues/1"
    assert_no_plaintext_token(rig)


def test_with_the_watcher_following_the_diary_the_entry_is_announced_once(rig: Rig) -> None:
    """The watcher polls the member's repository every second and sees the new issue there
    while the publish job has not recorded it yet (the create's answer was lost; the job
    waits 3 s before looking): it leaves it to the job, so the entry is announced once, by the
    member's Discord name (not by the GitHub login, as an entry written on GitHub is)."""
    rig.extra_env.update(POLL_INTERVAL="1", GITHUB_SETTLE_SECONDS="3")
    enable_connections(rig)
    mine = own_diary(rig, "ogawa")
    rig.start_bot()
    connect(rig, "owner", "ogawa", mine)
    wait_until(lambda: polled_since(rig, mine, 0) >= 2)  # its baseline is taken: #1 is new
    rig.github.drop_after_create(1)
    publish(rig, "owner", "Watched")
    wait_for_announcements(rig)
    start = len(rig.github.requests)
    wait_until(lambda: polled_since(rig, mine, start) >= 2)  # it has seen the issue since
    time.sleep(1.0)
    (announced,) = announcements(rig)
    assert announced["embeds"][0]["author"]["name"] != "ogawa"
    assert [i["title"] for i in rig.github.issues(mine)] == ["Watched"]


def polled_since(rig: Rig, repository: str, start: int) -> int:
    return sum(
        1
        for r in rig.github.requests[start:]
        if r.method == "GET" and r.path == f"/repos/{repository}/issues"
    )


def test_two_own_diaries_and_the_server_diary_each_get_their_entries(rig: Rig) -> None:
    """Two members with their own diaries and one without: each entry lands in its author's
    diary (three repositories, all numbering from #1) and each is announced once."""
    enable_connections(rig)
    rig.start_bot()
    rig.configure_author_role()
    for user in ("owner", "admin"):
        rig.discord.add_role(user, "Author")
    for user in ("owner", "admin"):
        connect(rig, user, user, own_diary(rig, user))

    for user in ("owner", "admin", "author"):
        publish(rig, user, f"{user}'s day")

    assert [i["title"] for i in rig.github.issues("owner/diary")] == ["owner's day"]
    assert [i["title"] for i in rig.github.issues("admin/diary")] == ["admin's day"]
    assert [i["title"] for i in rig.github.issues(REPOSITORY)] == ["author's day"]
    assert rig.github.issues("owner/diary")[0]["user"] == "owner"
    assert rig.github.issues("admin/diary")[0]["user"] == "admin"
    assert rig.github.issues(REPOSITORY)[0]["created_with"] == rig.env()["GITHUB_TOKEN"]
    posted = settled_announcements(rig, 3)
    assert sorted(m["embeds"][0]["url"] for m in posted) == sorted(
        f"https://github.com/{name}/issues/1" for name in ("owner/diary", "admin/diary", REPOSITORY)
    )
    assert_no_plaintext_token(rig)


def test_after_disconnect_entries_go_to_the_server_diary(rig: Rig) -> None:
    """/diary disconnect: the next entry goes to the server diary; the database file (with its
    WAL) never holds a token in plaintext, before, during or after."""
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)
    assert_no_plaintext_token(rig)
    publish(rig, "owner", "Mine")
    assert_no_plaintext_token(rig)

    assert (
        "Disconnected" in rig.slash("owner", "disconnect", command="diary").wait_final()["content"]
    )
    assert_no_plaintext_token(rig)
    reply = publish(rig, "owner", "The server's")
    assert f"https://github.com/{REPOSITORY}/issues/1" in reply
    assert [i["title"] for i in rig.github.issues(mine)] == ["Mine"]
    assert [i["title"] for i in rig.github.issues()] == ["The server's"]
    assert len(settled_announcements(rig, 2)) == 2
    rig.stop_bot()
    assert_no_plaintext_token(rig)


def test_a_token_that_expired_since_the_draft_is_refreshed_transparently(rig: Rig) -> None:
    """Hours pass between draft and publish and GitHub no longer takes the token: the bot
    refreshes it and publishes; the member notices nothing."""
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)
    first = rig.github.oauth.issued_tokens[-1]
    rig.slash("owner", "new", {"title": "Late", "body": "Written this morning."}).wait_final()
    rig.github.oauth.advance(8 * 3600 + 60)  # the token's 8 hours are over on GitHub's side

    reply = rig.slash("owner", "publish").wait_final(timeout=20, quiet=0.5)["content"]
    assert f"https://github.com/{mine}/issues/1" in reply
    (issue,) = rig.github.issues(mine)
    fresh = rig.github.oauth.issued_tokens[-1]
    assert fresh != first and issue["created_with"] == fresh
    assert len(settled_announcements(rig)) == 1
    assert_no_plaintext_token(rig)


def test_a_revoked_sign_in_says_so_and_keeps_the_draft(rig: Rig) -> None:
    """The member revoked the app on GitHub: the publish reply asks them to connect again,
    the draft stays; after connecting again, publishing it makes the entry."""
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)
    rig.github.oauth.revoke("owner")

    reply = publish(rig, "owner", "Kept")
    assert "Run /diary connect again" in reply
    assert rig.github.issues(mine) == [] and rig.github.issues() == []
    listing = rig.slash("owner", "list").wait_final()["embeds"][0]["description"]
    assert "Kept" in listing and "failed" in listing

    sign_in(rig, "owner", "owner")  # the repository choice is kept for the same account
    again = rig.slash("owner", "publish").wait_final(timeout=20, quiet=0.5)["content"]
    assert f"https://github.com/{mine}/issues/1" in again
    assert [i["title"] for i in rig.github.issues(mine)] == ["Kept"]
    assert len(settled_announcements(rig)) == 1
    assert_no_plaintext_token(rig)


def one_issue_searched_in(rig: Rig, repository: str, title: str) -> None:
    """One issue, created once, in `repository`; every search for its key went there."""
    assert [i["title"] for i in rig.github.issues(repository)] == [title]
    assert rig.github.issues() == []
    creates = [r for r in rig.github.requests if r.method == "POST" and r.path.endswith("/issues")]
    assert {r.path for r in creates} == {f"/repos/{repository}/issues"}
    searches = [r for r in rig.github.requests if r.method == "GET" and "/issues" in r.path]
    assert searches and all(r.path.startswith(f"/repos/{repository}/") for r in searches)


def test_a_5xx_after_the_create_in_a_members_repository_makes_one_issue(rig: Rig) -> None:
    """GitHub creates the member's issue but answers 502: the retry looks for the key in the
    member's repository and adopts the issue; one issue, one announcement."""
    rig.extra_env["GITHUB_SETTLE_SECONDS"] = "0"
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)
    rig.github.fail_next(1, 502, commit=True)

    reply = publish(rig, "owner", "Once")
    assert f"https://github.com/{mine}/issues/1" in reply
    assert len(settled_announcements(rig)) == 1
    one_issue_searched_in(rig, mine, "Once")


def test_a_kill_during_the_create_in_a_members_repository_makes_one_issue(rig: Rig) -> None:
    """The bot is killed right after GitHub received the member's create: after a restart the
    job (which holds no token) acts as the member again, finds the issue in their repository
    and adopts it; one issue, one announcement, the draft published."""
    rig.extra_env["GITHUB_SETTLE_SECONDS"] = "0"
    enable_connections(rig)
    mine = own_diary(rig, "owner")
    rig.start_bot()
    connect(rig, "owner", "owner", mine)
    rig.github.hold_creates()
    rig.slash("owner", "new", {"title": "Once", "body": "Only once."}).wait_final()
    rig.slash("owner", "publish")
    rig.github.wait_for_request("POST", f"/repos/{mine}/issues", timeout=10)
    assert rig.bot is not None
    rig.bot.kill()
    rig.github.release_creates()  # GitHub finishes creating it, but nobody hears the answer
    wait_until(lambda: len(rig.github.issues(mine)) == 1)
    assert_no_plaintext_token(rig)
    rig.start_bot()

    assert len(settled_announcements(rig)) == 1
    one_issue_searched_in(rig, mine, "Once")
    listing = rig.slash("owner", "list").wait_final()
    assert "published as #1" in listing["embeds"][0]["description"]
