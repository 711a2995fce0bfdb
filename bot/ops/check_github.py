"""The GitHub part of `diary-bot check`: the token, the repository, whether issues (with
labels) and files may be written, and the rate limit.

Whether a token may create issues is found out by asking GitHub to create an issue with an
empty title: GitHub checks permissions before it validates a request, so the answer is 403
(or 404) when the token may not create issues and 422 when it may, and nothing is created.
The repository's `permissions` are no substitute: they give the role of the token's *user*,
which a fine-grained token can narrow without it showing there, and fine-grained tokens
cannot be asked for their permissions (`X-OAuth-Scopes` exists only for classic tokens).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.errors import GitHubError
from bot.github_gateway import GitHubGateway
from bot.github_records import RepositoryAccess
from bot.ops.report import Outcome, Report, failed, passed, skipped, warned
from bot.settings import Settings
from bot.token_expiry import expires_soon

NEW_TOKEN = (
    "create a fine-grained token (Repository access: the diary repository; "
    "Issues: Read and write) and put it in GITHUB_TOKEN"
)
NETWORK_FIX = "check GITHUB_API_URL and this machine's network (HTTPS to the GitHub API)"
LOW_RATE_LIMIT = 50


async def check_github(settings: Settings, report: Report) -> None:
    """Check token, repository, issue and file permissions, and the rate limit."""
    report.section("GitHub")
    gateway = GitHubGateway(
        settings.github_token,
        settings.github_repository,
        settings.github_api_url,
        seconds_between_writes=0,
    )
    repository = settings.github_repository
    try:
        login = await gateway.get_token_login()
    except GitHubError as error:
        if error.key == "github.forbidden":  # e.g. an app's token: no user, but accepted
            login = None
        else:
            report.add(_failure("GitHub token", error))
            report.add(skipped(f"repository {repository}", "not checked without a working token"))
            return
    report.add(passed("GitHub token", f"valid (user {login})" if login else "accepted"))
    report.add(_expiry(gateway.token_expires_at(), datetime.now(UTC)))
    user = login or "the token's user"
    try:
        access = await gateway.get_repository_access()
    except GitHubError as error:
        report.add(_failure(f"repository {repository}", error))
        access = None
    if access is not None:
        report.add(
            passed(f"repository {repository}", "visible" + (" (private)" if access.private else ""))
        )
        if not access.has_issues:
            report.add(
                failed(
                    "issues",
                    "turned off in the repository",
                    "repository Settings → General → Features: tick Issues",
                )
            )
            report.add(skipped("creating issues", "not checked while issues are off"))
        else:
            report.add(passed("issues", "enabled"))
            report.add(await _issue_creation(gateway, access))
        report.add(_labels(access, user))
        report.add(_contents(access, user))
    report.add(await _rate_limit(gateway))


def _expiry(expires_at: datetime | None, now: datetime) -> Outcome:
    """The token's expiry from GitHub's answers; a warning from WARN_BEFORE ahead."""
    what = "token expiry"
    if expires_at is None:
        return passed(what, "none reported (the token does not expire)")
    when = expires_at.strftime("%Y-%m-%d %H:%M UTC")
    days = (expires_at - now).days
    if expires_soon(expires_at, now):
        return warned(
            what,
            f"{when}, in {max(days, 0)} day(s)",
            "create a new token before then and put it in GITHUB_TOKEN, or publishing stops",
        )
    return passed(what, f"{when} (in {days} days)")


async def _issue_creation(gateway: GitHubGateway, access: RepositoryAccess) -> Outcome:
    what = "creating issues"
    try:
        probe = await gateway.probe_issue_creation()
    except GitHubError as error:
        return _failure(what, error)
    if not probe.allowed:
        needs = (
            f"; GitHub says it needs {probe.accepted_permissions}"
            if probe.accepted_permissions
            else ""
        )
        if access.token_scopes is not None:
            fix = "give the classic token the repo scope (public_repo for a public repository)"
        else:
            fix = "edit the fine-grained token: Permissions → Issues: Read and write"
        return failed(what, f"the token may not ({probe.detail}{needs})", fix)
    if probe.created_issue is not None:
        return passed(
            what,
            f"allowed, but GitHub created issue #{probe.created_issue} from the empty-title "
            "probe; close or delete it",
        )
    return passed(what, "allowed (a probe with an empty title was refused only for the title)")


def _labels(access: RepositoryAccess, user: str) -> Outcome:
    # GitHub silently drops labels from a new issue unless its author can triage or push.
    what = "labels on new issues"
    if access.push or access.triage:
        return passed(what, f"kept ({user} has triage or write access)")
    return failed(
        what,
        f"{user} has read access only, so GitHub would drop the labels",
        f"repository Settings → Collaborators: give {user} the Triage or Write role",
    )


def _contents(access: RepositoryAccess, user: str) -> Outcome:
    what = "writing files (for images)"
    if not access.push:
        return failed(
            what,
            f"{user} has no write access",
            f"repository Settings → Collaborators: give {user} the Write role",
        )
    if access.token_scopes is not None:
        wanted = {"repo"} if access.private else {"repo", "public_repo"}
        if not wanted & set(access.token_scopes):
            return failed(
                what,
                f"the classic token's scopes ({', '.join(access.token_scopes) or 'none'}) "
                "do not allow it",
                "give the token the repo scope",
            )
        return passed(what, "allowed (classic token with the repo scope)")
    return skipped(
        what,
        "a fine-grained token's Contents permission cannot be read without writing a file; "
        "make sure it has Contents: Read and write before images are published",
    )


async def _rate_limit(gateway: GitHubGateway) -> Outcome:
    what = "rate limit"
    try:
        limit = await gateway.get_rate_limit()
    except GitHubError as error:
        return _failure(what, error)
    reset = limit.reset_at.astimezone(UTC).strftime("%H:%M UTC") if limit.reset_at else "?"
    detail = f"{limit.remaining} of {limit.limit} requests left this hour (resets {reset})"
    if limit.remaining == 0:
        return failed(what, detail, "wait until the reset; publishing resumes on its own")
    if limit.remaining < LOW_RATE_LIMIT:
        detail += "; low: something else is using this token heavily"
    return passed(what, detail)


def _failure(what: str, error: GitHubError) -> Outcome:
    detail = error.detail or error.key
    if error.key == "github.unauthorized":
        return failed(what, f"rejected ({detail}): invalid, expired or revoked", NEW_TOKEN)
    if error.key == "github.not_found":
        return failed(
            what,
            f"not found, or the token cannot see it ({detail})",
            "check GITHUB_REPOSITORY (owner/name); a fine-grained token must list the "
            "repository under Repository access",
        )
    if error.key == "github.issues_disabled":
        return failed(what, f"issues are off ({detail})", "repository Settings → tick Issues")
    if error.key == "github.forbidden":
        return failed(what, f"refused ({detail})", NEW_TOKEN)
    if error.key == "github.rate_limited":
        wait = f"{error.retry_after:.0f} s" if error.retry_after else "a while"
        return failed(what, f"rate-limited ({detail})", f"wait {wait} and check again")
    if error.key == "github.unavailable":
        return failed(what, f"no answer ({detail})", NETWORK_FIX)
    return failed(what, f"unexpected answer ({detail})", NETWORK_FIX)
