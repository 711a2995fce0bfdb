"""In-memory repository state of the GitHub fake, and its JSON rendering.

Pure data: no HTTP, no locking (the server serialises access). Shapes follow the examples of
GitHub's OpenAPI description (`issue`, `label`, `issue-comment`, `private-user`, `full-repository`,
`content-file`, `file-commit`) closely enough for PyGithub 2.x.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

DOCS = "https://docs.github.com/rest"
TITLE_MAX = 256
BODY_MAX = 65536
# Labels a new github.com repository starts with (name, color, description).
DEFAULT_LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)


class ApiError(Exception):
    """An error answer in GitHub's shape: `{"message", "documentation_url", "status", ...}`."""

    def __init__(self, status: int, message: str, doc: str = DOCS, **extra: Any) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.payload: dict[str, Any] = {"message": message, **extra}
        self.payload["documentation_url"] = doc
        self.payload["status"] = str(status)
        self.headers: dict[str, str] = {}


def validation_failed(doc: str, *errors: dict[str, Any]) -> ApiError:
    return ApiError(422, "Validation Failed", doc, errors=list(errors))


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode().rstrip("=")


class GitHubState:
    def __init__(self, owner: str, repo: str, token_user: str) -> None:
        self.owner, self.repo, self.token_user = owner, repo, token_user
        self.base_url = "http://127.0.0.1:0"
        self.repo_id = 700000001
        self.created_at = now_iso()
        self.unknown_labels = "reject"  # or "create" (see FakeGitHub.set_mode)
        self._users: dict[str, int] = {}
        self._ids = 5000
        self.labels: dict[str, dict[str, Any]] = {}  # lower-case name -> label
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.commits = 0
        for name, color, description in DEFAULT_LABELS:
            self.add_label(name, color, description, default=True)

    # ---- helpers -------------------------------------------------------------------------
    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def user_id(self, login: str) -> int:
        return self._users.setdefault(login.lower(), 1000 + len(self._users))

    @property
    def repo_api(self) -> str:
        return f"{self.base_url}/repos/{self.owner}/{self.repo}"

    @property
    def repo_html(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}"

    # ---- labels --------------------------------------------------------------------------
    def add_label(
        self, name: str, color: str = "ededed", description: str | None = None, default: bool = False
    ) -> dict[str, Any]:
        label = self.labels.get(name.lower())
        if label is None:
            label = {"id": self.next_id(), "name": name, "default": default}
            self.labels[name.lower()] = label
        label.update(color=color, description=description)
        return label

    def resolve_labels(self, raw: Any, doc: str) -> list[str]:
        names = []
        for item in raw or []:
            name = item.get("name") if isinstance(item, dict) else item
            if not isinstance(name, str | int):
                raise validation_failed(
                    doc, {"resource": "Label", "code": "invalid", "field": "labels", "value": item}
                )
            name = str(name).strip()
            label = self.labels.get(name.lower())
            if label is None and self.unknown_labels == "create":
                label = self.add_label(name)
            if label is None:
                raise validation_failed(
                    doc, {"resource": "Label", "code": "invalid", "field": "labels", "value": name}
                )
            if label["name"] not in names:
                names.append(label["name"])
        return names

    # ---- issues --------------------------------------------------------------------------
    def validate_issue_fields(self, payload: dict[str, Any], doc: str, creating: bool) -> None:
        title = payload.get("title")
        if (creating or "title" in payload) and (title is None or not str(title).strip()):
            raise validation_failed(
                doc, {"resource": "Issue", "code": "missing_field", "field": "title"}
            )
        if title is not None and len(str(title)) > TITLE_MAX:
            raise validation_failed(doc, _too_long("title", TITLE_MAX))
        body = payload.get("body")
        if isinstance(body, str) and len(body) > BODY_MAX:
            raise validation_failed(doc, _too_long("body", BODY_MAX))
        if payload.get("state") not in (None, "open", "closed"):
            raise validation_failed(
                doc,
                {"resource": "Issue", "code": "invalid", "field": "state"},
            )

    def new_issue(
        self, title: str, body: str | None, labels: list[str], user: str, pull_request: bool
    ) -> dict[str, Any]:
        number = max([*self.issues, 0]) + 1
        stamp = now_iso()
        issue = {
            "id": self.next_id(),
            "number": number,
            "title": title,
            "body": body,
            "labels": labels,
            "state": "open",
            "state_reason": None,
            "user": user,
            "pull_request": pull_request,
            "locked": False,
            "created_at": stamp,
            "updated_at": stamp,
            "closed_at": None,
            "closed_by": None,
        }
        self.issues[number] = issue
        self.comments[number] = []
        self.user_id(user)
        return issue

    def apply_issue_update(self, issue: dict[str, Any], payload: dict[str, Any], doc: str) -> None:
        if "labels" in payload:
            issue["labels"] = self.resolve_labels(payload["labels"], doc)
        for key in ("title", "body"):
            if key in payload:
                issue[key] = None if payload[key] is None else str(payload[key])
        state = payload.get("state")
        if state == "closed" and issue["state"] != "closed":
            issue.update(state="closed", closed_at=now_iso(), closed_by=self.token_user)
            issue["state_reason"] = payload.get("state_reason") or "completed"
        elif state == "open" and issue["state"] != "open":
            issue.update(state="open", closed_at=None, closed_by=None, state_reason="reopened")
        issue["updated_at"] = now_iso()

    def filter_issues(self, query: Any) -> list[dict[str, Any]]:
        state = query.get("state", "open")
        items = [i for i in self.issues.values() if state == "all" or i["state"] == state]
        if query.get("creator"):
            items = [i for i in items if i["user"].lower() == query["creator"].lower()]
        if query.get("labels"):
            wanted = {n.strip().lower() for n in query["labels"].split(",") if n.strip()}
            items = [i for i in items if wanted <= {n.lower() for n in i["labels"]}]
        if query.get("since"):
            since = query["since"]
            items = [i for i in items if i["updated_at"] >= since]
        sort = query.get("sort", "created")

        def key(i: dict[str, Any]) -> tuple[Any, int]:
            if sort == "comments":
                return len(self.comments[i["number"]]), i["number"]
            return i["updated_at" if sort == "updated" else "created_at"], i["number"]

        return sorted(items, key=key, reverse=query.get("direction", "desc") != "asc")

    # ---- rendering -----------------------------------------------------------------------
    def user_json(self, login: str) -> dict[str, Any]:
        uid = self.user_id(login)
        api = f"{self.base_url}/users/{login}"
        return {
            "login": login,
            "id": uid,
            "node_id": _node_id("User", uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def private_user_json(self) -> dict[str, Any]:
        return {
            **self.user_json(self.token_user),
            "name": self.token_user,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 1,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": self.created_at,
            "private_gists": 0,
            "total_private_repos": 1,
            "owned_private_repos": 1,
            "disk_usage": 1,
            "collaborators": 0,
            "two_factor_authentication": True,
        }

    def label_json(self, name: str) -> dict[str, Any]:
        label = self.labels[name.lower()]
        return {
            "id": label["id"],
            "node_id": _node_id("Label", label["id"]),
            "url": f"{self.repo_api}/labels/{quote(label['name'], safe='')}",
            "name": label["name"],
            "color": label["color"],
            "default": label["default"],
            "description": label["description"],
        }

    def issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        n = issue["number"]
        api = f"{self.repo_api}/issues/{n}"
        kind = "pull" if issue["pull_request"] else "issues"
        out: dict[str, Any] = {
            "id": issue["id"],
            "node_id": _node_id("Issue", issue["id"]),
            "url": api,
            "repository_url": self.repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.repo_html}/{kind}/{n}",
            "number": n,
            "state": issue["state"],
            "state_reason": issue["state_reason"],
            "title": issue["title"],
            "body": issue["body"],
            "user": self.user_json(issue["user"]),
            "labels": [self.label_json(name) for name in issue["labels"]],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": issue["locked"],
            "active_lock_reason": None,
            "comments": len(self.comments[n]),
            "closed_at": issue["closed_at"],
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_by": self.user_json(issue["closed_by"]) if issue["closed_by"] else None,
            "author_association": self.association(issue["user"]),
            "timeline_url": f"{api}/timeline",
            "performed_via_github_app": None,
        }
        if issue["pull_request"]:
            out["draft"] = False
            out["pull_request"] = {
                "url": f"{self.repo_api}/pulls/{n}",
                "html_url": f"{self.repo_html}/pull/{n}",
                "diff_url": f"{self.repo_html}/pull/{n}.diff",
                "patch_url": f"{self.repo_html}/pull/{n}.patch",
                "merged_at": None,
            }
        return out

    def association(self, login: str) -> str:
        return "OWNER" if login.lower() == self.owner.lower() else "NONE"

    def comment_json(self, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        cid = comment["id"]
        return {
            "id": cid,
            "node_id": _node_id("IssueComment", cid),
            "url": f"{self.repo_api}/issues/comments/{cid}",
            "html_url": f"{self.repo_html}/issues/{number}#issuecomment-{cid}",
            "body": comment["body"],
            "user": self.user_json(comment["user"]),
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "issue_url": f"{self.repo_api}/issues/{number}",
            "author_association": self.association(comment["user"]),
            "performed_via_github_app": None,
        }

    def repo_json(self, has_issues: bool, push: bool) -> dict[str, Any]:
        api, html = self.repo_api, self.repo_html
        open_count = sum(1 for i in self.issues.values() if i["state"] == "open")
        return {
            "id": self.repo_id,
            "node_id": _node_id("Repository", self.repo_id),
            "name": self.repo,
            "full_name": f"{self.owner}/{self.repo}",
            "private": True,
            "owner": self.user_json(self.owner),
            "html_url": html,
            "description": "Diary",
            "fork": False,
            "url": api,
            "issues_url": f"{api}/issues{{/number}}",
            "labels_url": f"{api}/labels{{/name}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "comments_url": f"{api}/comments{{/number}}",
            "created_at": self.created_at,
            "updated_at": self.created_at,
            "pushed_at": self.created_at,
            "git_url": f"git://github.com/{self.owner}/{self.repo}.git",
            "clone_url": f"{html}.git",
            "homepage": None,
            "size": 1,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "has_issues": has_issues,
            "has_projects": True,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private",
            "forks_count": 0,
            "open_issues_count": open_count,
            "forks": 0,
            "open_issues": open_count,
            "watchers": 0,
            "default_branch": "main",
            "permissions": {
                "admin": push,
                "maintain": push,
                "push": push,
                "triage": push,
                "pull": True,
            },
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "allow_rebase_merge": True,
            "delete_branch_on_merge": False,
            "network_count": 0,
            "subscribers_count": 1,
        }

    # ---- contents ------------------------------------------------------------------------
    def content_json(self, path: str, with_content: bool = True) -> dict[str, Any]:
        is_file = path in self.files
        api = f"{self.repo_api}/contents/{quote(path)}?ref=main"
        html = f"{self.repo_html}/{'blob' if is_file else 'tree'}/main/{quote(path)}"
        sha = blob_sha(self.files[path]) if is_file else hashlib.sha1(path.encode()).hexdigest()
        git = f"{self.repo_api}/git/{'blobs' if is_file else 'trees'}/{sha}"
        out: dict[str, Any] = {
            "type": "file" if is_file else "dir",
            "size": len(self.files[path]) if is_file else 0,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "url": api,
            "git_url": git,
            "html_url": html,
            "download_url": (
                f"https://raw.githubusercontent.com/{self.owner}/{self.repo}/main/{quote(path)}"
                if is_file
                else None
            ),
            "_links": {"self": api, "git": git, "html": html},
        }
        if is_file and with_content:
            encoded = base64.b64encode(self.files[path]).decode()
            out["content"] = "".join(
                encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60)
            )
            out["encoding"] = "base64"
        return out

    def directory(self, path: str) -> list[str]:
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        children = {p[len(prefix) :].split("/", 1)[0] for p in self.files if p.startswith(prefix)}
        return sorted(prefix + c for c in children)

    def put_file(self, path: str, payload: dict[str, Any], doc: str) -> int:
        for field in ("message", "content"):
            if not isinstance(payload.get(field), str):
                raise ApiError(422, f'Invalid request.\n\n"{field}" wasn\'t supplied.', doc)
        try:
            data = base64.b64decode(payload["content"], validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "content is not valid Base64", doc) from None
        if path in self.files:
            if not payload.get("sha"):
                raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', doc)
            if payload["sha"] != blob_sha(self.files[path]):
                raise ApiError(409, f"{path} does not match {payload['sha']}", doc)
        status = 200 if path in self.files else 201
        self.files[path] = data
        self.commits += 1
        return status

    def commit_json(self, message: str) -> dict[str, Any]:
        sha = hashlib.sha1(f"commit {self.commits} {message}".encode()).hexdigest()
        person = {"date": now_iso(), "name": self.token_user, "email": "bot@example.invalid"}
        return {
            "sha": sha,
            "node_id": _node_id("Commit", self.commits),
            "url": f"{self.repo_api}/git/commits/{sha}",
            "html_url": f"{self.repo_html}/commit/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "tree": {"url": f"{self.repo_api}/git/trees/{sha}", "sha": sha},
            "parents": [],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }


def _too_long(field: str, limit: int) -> dict[str, Any]:
    return {
        "resource": "Issue",
        "code": "custom",
        "field": field,
        "message": f"{field} is too long (maximum is {limit} characters)",
    }
