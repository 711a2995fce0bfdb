"""Endpoint handlers of the GitHub fake: plain functions `(state, call) -> Reply`.

They run under the fake's lock and raise `ApiError` for GitHub-shaped error answers. Fault
injection, auth, rate limits and ETags are the server's business (`github_server.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil
from typing import Any
from urllib.parse import unquote, urlencode

from tests.fakes import github_git as git
from tests.fakes import github_oauth as oauth
from tests.fakes.github_state import ApiError, GitHubState, now_iso, validation_failed

DOC_ISSUES = "https://docs.github.com/rest/issues/issues"
DOC_COMMENTS = "https://docs.github.com/rest/issues/comments"
DOC_LABELS = "https://docs.github.com/rest/issues/labels"
DOC_CONTENTS = "https://docs.github.com/rest/repos/contents"
DOC_REPO = "https://docs.github.com/rest/repos/repos#get-a-repository"
DOC_INSTALLATIONS = "https://docs.github.com/rest/apps/installations"


@dataclass
class Call:
    method: str
    raw_path: str
    query: list[tuple[str, str]]  # decoded pairs, in order
    params: dict[str, str]  # decoded path parameters
    body: Any = None  # parsed JSON for writes
    login: str | None = None  # the user of a GitHub App user access token (None: the token)
    token: str | None = None  # the token the request was made with
    target: Any = None  # the GitHubState of the repository a /repos/... route names
    budget: Any = None  # the RateBudget the request's credentials spend from (once known)

    def arg(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default


@dataclass
class Reply:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[GitHubState, Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    regex: re.Pattern[str]
    handler: Handler
    repo: bool = True  # subject to "repository missing"
    issues: bool = False  # subject to "issues disabled"
    free: bool = False  # does not count against the rate limit (like GET /rate_limit)


def _int_arg(call: Call, name: str, default: int) -> int:
    try:
        return int(call.arg(name) or default)
    except ValueError:
        return default


def paginate(state: GitHubState, call: Call, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """Slice `items` by `page`/`per_page` (default 30, max 100) and build GitHub's Link header."""
    per_page = min(max(_int_arg(call, "per_page", 30), 1), 100)
    page = max(_int_arg(call, "page", 1), 1)
    last = max(1, ceil(len(items) / per_page))
    rest = [(k, v) for k, v in call.query if k != "page"]

    def link(number: int, rel: str) -> str:
        query = urlencode([*rest, ("page", str(number))])
        return f'<{state.base_url}{call.raw_path}?{query}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    headers = {"Link": ", ".join(links)} if links else {}
    return items[(page - 1) * per_page : page * per_page], headers


def _issue(state: GitHubState, call: Call, doc: str) -> dict[str, Any]:
    try:
        return state.issues[int(call.params["number"])]
    except (KeyError, ValueError):
        raise ApiError(404, "Not Found", doc) from None


def get_user(state: GitHubState, call: Call) -> Reply:
    if call.login is None:
        return Reply(200, state.private_user_json())
    return Reply(200, {**state.private_user_json(), **state.user_json(call.login), "name": None})


def _author(state: GitHubState, call: Call) -> str:
    return call.login or state.token_user


def _user_token(state: GitHubState, call: Call) -> str:
    if call.login is None:
        raise ApiError(
            403,
            "You must authenticate with an access token authorized to a GitHub App in order "
            "to list installations",
            DOC_INSTALLATIONS,
        )
    return call.login


def list_user_installations(state: GitHubState, call: Call) -> Reply:
    login = _user_token(state, call)
    found = state.oauth.user_installations(login)
    page, headers = paginate(state, call, found)
    items = [oauth.installation_json(state, state.oauth, i, state.web_url) for i in page]
    return Reply(200, {"total_count": len(found), "installations": items}, headers)


def list_installation_repositories(state: GitHubState, call: Call) -> Reply:
    login = _user_token(state, call)
    try:
        inst = state.oauth.installations[int(call.params["installation_id"])]
    except (KeyError, ValueError):
        inst = None
    if inst is None or login.lower() not in inst.users:
        raise ApiError(404, "Not Found", DOC_INSTALLATIONS)
    permission = inst.users[login.lower()]
    page, headers = paginate(state, call, inst.repositories)
    return Reply(
        200,
        {
            "total_count": len(inst.repositories),
            "repository_selection": inst.selection,
            "repositories": [oauth.repository_json(state, name, permission) for name in page],
        },
        headers,
    )


def get_rate_limit(state: GitHubState, call: Call) -> Reply:
    budget = call.budget or state.budget  # the caller's own: a user token's user, or the fake's
    core = {
        "limit": budget.limit,
        "used": budget.limit - budget.remaining,
        "remaining": budget.remaining,
        "reset": budget.reset,
    }
    search = {"limit": 30, "used": 0, "remaining": 30, "reset": budget.reset}
    graphql = {"limit": 5000, "used": 0, "remaining": 5000, "reset": budget.reset}
    return Reply(
        200, {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}
    )


def get_repo(state: GitHubState, call: Call) -> Reply:
    return Reply(200, state.repo_json(not state.issues_disabled, not state.read_only))


def list_issues(state: GitHubState, call: Call) -> Reply:
    query = dict(call.query)
    if query.get("state", "open") not in ("open", "closed", "all"):
        raise validation_failed(
            f"{DOC_ISSUES}#list-repository-issues",
            {"resource": "Issue", "code": "invalid", "field": "state"},
        )
    page, headers = paginate(state, call, state.filter_issues(query))
    return Reply(200, [state.issue_json(i) for i in page], headers)


def create_issue(state: GitHubState, call: Call) -> Reply:
    doc = f"{DOC_ISSUES}#create-an-issue"
    payload = call.body
    state.validate_issue_fields(payload, doc, creating=True)
    labels = state.resolve_labels(payload.get("labels"), doc)
    body = payload.get("body")
    issue = state.new_issue(
        str(payload["title"]),
        None if body is None else str(body),
        labels,
        _author(state, call),
        False,
    )
    issue["created_with"] = call.token
    out = state.issue_json(issue)
    return Reply(201, out, {"Location": out["url"]})


def get_issue(state: GitHubState, call: Call) -> Reply:
    return Reply(200, state.issue_json(_issue(state, call, f"{DOC_ISSUES}#get-an-issue")))


def update_issue(state: GitHubState, call: Call) -> Reply:
    doc = f"{DOC_ISSUES}#update-an-issue"
    issue = _issue(state, call, doc)
    state.validate_issue_fields(call.body, doc, creating=False)
    state.apply_issue_update(issue, call.body, doc)
    return Reply(200, state.issue_json(issue))


def list_comments(state: GitHubState, call: Call) -> Reply:
    issue = _issue(state, call, f"{DOC_COMMENTS}#list-issue-comments")
    items = state.comments[issue["number"]]
    since = call.arg("since")
    if since:
        items = [c for c in items if c["updated_at"] >= since]
    page, headers = paginate(state, call, items)
    return Reply(200, [state.comment_json(issue["number"], c) for c in page], headers)


def create_comment(state: GitHubState, call: Call) -> Reply:
    doc = f"{DOC_COMMENTS}#create-an-issue-comment"
    issue = _issue(state, call, doc)
    body = call.body.get("body")
    if not isinstance(body, str) or not body.strip():
        raise validation_failed(
            doc, {"resource": "IssueComment", "code": "missing_field", "field": "body"}
        )
    if len(body) > 65536:
        raise validation_failed(
            doc,
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            },
        )
    stamp = now_iso()
    comment = {"id": state.next_id(), "body": body, "user": _author(state, call)}
    comment["created_with"] = call.token
    comment.update(created_at=stamp, updated_at=stamp)
    state.comments[issue["number"]].append(comment)
    issue["updated_at"] = stamp
    out = state.comment_json(issue["number"], comment)
    return Reply(201, out, {"Location": out["url"]})


def list_labels(state: GitHubState, call: Call) -> Reply:
    page, headers = paginate(state, call, list(state.labels))
    return Reply(200, [state.label_json(name) for name in page], headers)


def get_label(state: GitHubState, call: Call) -> Reply:
    name = call.params["name"]
    if name.lower() not in state.labels:
        raise ApiError(404, "Not Found", f"{DOC_LABELS}#get-a-label")
    return Reply(200, state.label_json(name))


def get_contents(state: GitHubState, call: Call) -> Reply:
    path = call.params.get("path", "").strip("/")
    ref = call.arg("ref") or "main"
    files = state.git.files_at(ref)
    if files is None:
        raise ApiError(404, f"No commit found for the ref {ref}", DOC_CONTENTS)
    if path in files:
        return Reply(200, state.content_json(path, files=files, ref=ref))
    children = state.directory(path, files)
    if not children:
        raise ApiError(404, "Not Found", f"{DOC_CONTENTS}#get-repository-content")
    return Reply(
        200, [state.content_json(p, with_content=False, files=files, ref=ref) for p in children]
    )


def put_contents(state: GitHubState, call: Call) -> Reply:
    path = call.params.get("path", "").strip("/")
    doc = f"{DOC_CONTENTS}#create-or-update-file-contents"
    if not path or (path not in state.files and state.directory(path)):
        raise ApiError(422, "path cannot be a directory or empty", doc)
    status, commit = state.put_file(path, call.body, doc)
    out = {
        "content": state.content_json(path, with_content=False),
        "commit": git.git_commit_json(state, commit),
    }
    return Reply(status, out)


def _git(handler: Callable[[GitHubState, Call], tuple[int, Any]]) -> Handler:
    def reply(state: GitHubState, call: Call) -> Reply:
        status, payload = handler(state, call)
        return Reply(status, payload)

    reply.__name__ = handler.__name__
    return reply


create_blob = _git(git.create_blob)
create_tree = _git(git.create_tree)
create_commit = _git(git.create_commit)
update_ref = _git(git.update_ref)


def list_commits(state: GitHubState, call: Call) -> Reply:
    shas, _ = git.list_commits(state, call)
    page, headers = paginate(state, call, shas)
    return Reply(200, [git.commit_json(state, sha) for sha in page], headers)


def get_commit(state: GitHubState, call: Call) -> Reply:
    sha = state.git.resolve(call.params["ref"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {call.params['ref']}", DOC_CONTENTS)
    return Reply(200, git.commit_json(state, sha))


_SEG = r"(?P<{}>[^/]+)"
_REPO = "/repos/" + _SEG.format("owner") + "/" + _SEG.format("repo")
_ISSUE = _REPO + "/issues/" + _SEG.format("number")


def _r(method: str, pattern: str, handler: Handler, **flags: bool) -> Route:
    return Route(method, re.compile(f"^{pattern}/?$"), handler, **flags)


ROUTES: tuple[Route, ...] = (
    _r("GET", "/user", get_user, repo=False),
    _r("GET", "/rate_limit", get_rate_limit, repo=False, free=True),
    _r("GET", "/user/installations", list_user_installations, repo=False),
    _r(
        "GET",
        "/user/installations/" + _SEG.format("installation_id") + "/repositories",
        list_installation_repositories,
        repo=False,
    ),
    _r("GET", _REPO, get_repo),
    _r("GET", _REPO + "/issues", list_issues, issues=True),
    _r("POST", _REPO + "/issues", create_issue, issues=True),
    _r("GET", _ISSUE, get_issue, issues=True),
    _r("PATCH", _ISSUE, update_issue, issues=True),
    _r("GET", _ISSUE + "/comments", list_comments, issues=True),
    _r("POST", _ISSUE + "/comments", create_comment, issues=True),
    _r("GET", _REPO + "/labels", list_labels),
    _r("GET", _REPO + "/labels/" + _SEG.format("name"), get_label),
    _r("GET", _REPO + "/contents(?:/(?P<path>.*))?", get_contents),
    _r("PUT", _REPO + "/contents/(?P<path>.+)", put_contents),
    _r("POST", _REPO + "/git/blobs", create_blob),
    _r("GET", _REPO + "/git/blobs/" + _SEG.format("sha"), _git(git.get_blob)),
    _r("POST", _REPO + "/git/trees", create_tree),
    _r("GET", _REPO + "/git/trees/" + _SEG.format("sha"), _git(git.get_tree)),
    _r("POST", _REPO + "/git/commits", create_commit),
    _r("GET", _REPO + "/git/commits/" + _SEG.format("sha"), _git(git.get_git_commit)),
    _r("GET", _REPO + "/git/ref/(?P<ref>.+)", _git(git.get_ref)),
    _r("PATCH", _REPO + "/git/refs/(?P<ref>.+)", update_ref),
    _r("GET", _REPO + "/branches/(?P<branch>.+)", _git(git.get_branch)),
    _r("GET", _REPO + "/commits", list_commits),
    _r("GET", _REPO + "/commits/(?P<ref>.+)", get_commit),
)


def match(method: str, raw_path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        found = route.regex.match(raw_path)
        if found and route.method == method:
            params = {k: unquote(v) for k, v in found.groupdict().items() if v is not None}
            return route, params
    return None, {}
