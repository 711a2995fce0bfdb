"""In-memory repository state of the GitHub fake: issues, comments, labels, files, modes and
the primary rate-limit counters, with GitHub's validation rules for writes.

Pure data: no HTTP, no locking (the server serialises access). JSON rendering is inherited from
`github_render.Renderer`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from datetime import UTC, datetime
from typing import Any

from tests.fakes.github_objects import GitObjects
from tests.fakes.github_render import Renderer, blob_sha, now_iso

__all__ = [
    "ApiError",
    "GitHubState",
    "RateBudget",
    "Usage",
    "blob_sha",
    "now_iso",
    "validation_failed",
]

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


def _next_hour() -> int:
    return int(datetime.now(UTC).timestamp()) + 3600


@dataclasses.dataclass
class RateBudget:
    """GitHub's primary ("core") rate limit of one authenticated user: every token of the user
    (the fake's own token, or a user's GitHub App user access tokens) spends from it."""

    limit: int = 5000
    remaining: int = 5000
    reset: int = dataclasses.field(default_factory=_next_hour)

    def renew_if_due(self, now: int) -> None:
        """A new hour: the whole limit again."""
        if now >= self.reset:
            self.remaining, self.reset = self.limit, now + 3600


@dataclasses.dataclass
class Usage:
    """What one user's requests cost: requests answered, primary rate-limit points spent, and
    how many of the requests were conditional GETs answered 304 (which spend no point)."""

    requests: int = 0
    points: int = 0
    not_modified: int = 0


class GitHubState(Renderer):
    def __init__(self, owner: str, repo: str, token_user: str) -> None:
        self.owner, self.repo, self.token_user = owner, repo, token_user
        self.base_url = "http://127.0.0.1:0"
        self.web_url = "http://127.0.0.1:0"  # github.com's counterpart (see github_web.py)
        self.oauth: Any = None  # the app's OAuthState (github_oauth.py), set by FakeGitHub
        self.repo_id = 700000001
        self.created_at = now_iso()
        # Modes (see FakeGitHub.set_mode).
        self.token_revoked = False
        # GitHub names an expiring token's expiry in every answer it authenticates.
        self.token_expiration: str | None = None
        self.repo_missing = False
        self.issues_disabled = False
        self.read_only = False
        self.down = False  # every request answered 503 (an outage)
        self.unknown_labels = "reject"  # or "create"
        # Primary rate limit of the "core" resource for the fake's own token (users of the
        # app's user tokens have budgets of their own, kept by FakeGitHub).
        self.budget = RateBudget()
        self._users: dict[str, int] = {}
        self.associations: dict[str, str] = {}  # lower-case login -> author_association
        self._ids = 5000
        self.labels: dict[str, dict[str, Any]] = {}  # lower-case name -> label
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.git = GitObjects(token_user)
        # Branches the token may not move: branch → "ruleset" (409) or "protection" (422).
        self.protected: dict[str, str] = {}
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
        self,
        name: str,
        color: str = "ededed",
        description: str | None = None,
        default: bool = False,
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
        for field, types in (("title", (str, int)), ("body", (str, type(None)))):
            value = payload.get(field)
            if field in payload and (isinstance(value, bool) or not isinstance(value, types)):
                if value is not None or field == "body":
                    raise validation_failed(
                        doc, {"resource": "Issue", "code": "invalid", "field": field}
                    )
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

    # ---- contents ------------------------------------------------------------------------
    @property
    def files(self) -> dict[str, bytes]:
        """The files on the default branch (a copy: change them through commits)."""
        return self.git.files_at() or {}

    def directory(self, path: str, files: dict[str, bytes] | None = None) -> list[str]:
        files = self.files if files is None else files
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        children = {p[len(prefix) :].split("/", 1)[0] for p in files if p.startswith(prefix)}
        return sorted(prefix + c for c in children)

    def put_file(self, path: str, payload: dict[str, Any], doc: str) -> tuple[int, str]:
        """Commit one file on the default branch; the status and the new commit's SHA."""
        for field in ("message", "content"):
            if not isinstance(payload.get(field), str):
                raise ApiError(422, f'Invalid request.\n\n"{field}" wasn\'t supplied.', doc)
        try:
            data = base64.b64decode("".join(payload["content"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "content is not valid Base64", doc) from None
        files = self.files
        if path in files:
            if not payload.get("sha"):
                raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', doc)
            if payload["sha"] != blob_sha(files[path]):
                raise ApiError(409, f"{path} does not match {payload['sha']}", doc)
        status = 200 if path in files else 201
        return status, self.git.commit_files({path: data}, payload["message"])


def _too_long(field: str, limit: int) -> dict[str, Any]:
    return {
        "resource": "Issue",
        "code": "custom",
        "field": field,
        "message": f"{field} is too long (maximum is {limit} characters)",
    }
