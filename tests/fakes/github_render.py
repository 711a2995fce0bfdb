"""JSON rendering of the GitHub fake's state, shaped like the examples in GitHub's OpenAPI
description (`private-user`, `label`, `issue`, `issue-comment`, `full-repository`,
`content-file`, `file-commit`) closely enough for PyGithub 2.x."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from tests.fakes.github_state import GitHubState


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode().rstrip("=")


class Renderer:
    """Mixin of `GitHubState`: everything that turns state into API JSON."""

    def user_json(self: GitHubState, login: str) -> dict[str, Any]:
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

    def private_user_json(self: GitHubState) -> dict[str, Any]:
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

    def label_json(self: GitHubState, name: str) -> dict[str, Any]:
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

    def issue_json(self: GitHubState, issue: dict[str, Any]) -> dict[str, Any]:
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

    def association(self: GitHubState, login: str) -> str:
        """GitHub's `author_association`: OWNER for the owner, COLLABORATOR for invited
        collaborators (the token's user among them: it writes the issues), else what the test
        set (MEMBER, CONTRIBUTOR, ...) or NONE."""
        if login.lower() == self.owner.lower():
            return "OWNER"
        if login.lower() == self.token_user.lower():
            return "COLLABORATOR"
        return self.associations.get(login.lower(), "NONE")

    def comment_json(self: GitHubState, number: int, comment: dict[str, Any]) -> dict[str, Any]:
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

    def repo_json(self: GitHubState, has_issues: bool, push: bool) -> dict[str, Any]:
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

    def content_json(
        self: GitHubState,
        path: str,
        with_content: bool = True,
        files: dict[str, bytes] | None = None,
        ref: str = "main",
    ) -> dict[str, Any]:
        files = self.files if files is None else files
        is_file = path in files
        api = f"{self.repo_api}/contents/{quote(path)}?ref={quote(ref)}"
        html = f"{self.repo_html}/{'blob' if is_file else 'tree'}/{quote(ref)}/{quote(path)}"
        sha = blob_sha(files[path]) if is_file else hashlib.sha1(path.encode()).hexdigest()
        git = f"{self.repo_api}/git/{'blobs' if is_file else 'trees'}/{sha}"
        out: dict[str, Any] = {
            "type": "file" if is_file else "dir",
            "size": len(files[path]) if is_file else 0,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "url": api,
            "git_url": git,
            "html_url": html,
            "download_url": (
                f"https://raw.githubusercontent.com/{self.owner}/{self.repo}/{quote(ref)}/{quote(path)}"
                if is_file
                else None
            ),
            "_links": {"self": api, "git": git, "html": html},
        }
        if is_file and with_content:
            encoded = base64.b64encode(files[path]).decode()
            out["content"] = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
            out["encoding"] = "base64"
        return out
