"""The Git Data API, branch and commit-list endpoints of the GitHub fake, over the objects in
`github_objects`. Handlers return `(status, payload)`; `github_routes` wraps them."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from tests.fakes.github_state import ApiError, validation_failed

if TYPE_CHECKING:
    from tests.fakes.github_objects import GitObjects
    from tests.fakes.github_routes import Call
    from tests.fakes.github_state import GitHubState

DOC_GIT = "https://docs.github.com/rest/git"


# ---- JSON -------------------------------------------------------------------------------


def _person(git: GitObjects, date: str) -> dict[str, str]:
    return {"name": git.committer, "email": "bot@example.invalid", "date": date}


def git_commit_json(state: GitHubState, sha: str) -> dict[str, Any]:
    commit = state.git.commits[sha]
    api = state.repo_api
    return {
        "sha": sha,
        "node_id": base64.b64encode(f"0:Commit{sha}".encode()).decode().rstrip("="),
        "url": f"{api}/git/commits/{sha}",
        "html_url": f"{state.repo_html}/commit/{sha}",
        "author": _person(state.git, commit["date"]),
        "committer": _person(state.git, commit["date"]),
        "message": commit["message"],
        "tree": {"sha": commit["tree"], "url": f"{api}/git/trees/{commit['tree']}"},
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{state.repo_html}/commit/{p}"}
            for p in commit["parents"]
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def commit_json(state: GitHubState, sha: str) -> dict[str, Any]:
    """The `commit` shape of the commits and branches endpoints (a Git commit wrapped)."""
    inner = git_commit_json(state, sha)
    api = state.repo_api
    return {
        "sha": sha,
        "node_id": inner["node_id"],
        "url": f"{api}/commits/{sha}",
        "html_url": inner["html_url"],
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": inner["url"],
            "author": inner["author"],
            "committer": inner["committer"],
            "message": inner["message"],
            "tree": inner["tree"],
            "comment_count": 0,
            "verification": inner["verification"],
        },
        "author": None,
        "committer": None,
        "parents": inner["parents"],
    }


def ref_json(state: GitHubState, branch: str) -> dict[str, Any]:
    sha = state.git.refs[branch]
    return {
        "ref": f"refs/heads/{branch}",
        "node_id": base64.b64encode(f"0:Ref{branch}".encode()).decode().rstrip("="),
        "url": f"{state.repo_api}/git/refs/heads/{branch}",
        "object": {"type": "commit", "sha": sha, "url": f"{state.repo_api}/git/commits/{sha}"},
    }


def _tree_json(state: GitHubState, sha: str) -> dict[str, Any]:
    entries = state.git.trees[sha]
    api = state.repo_api
    rows = [
        {
            "path": path,
            "mode": "100644",
            "type": "blob",
            "sha": blob,
            "size": len(state.git.blobs[blob]),
            "url": f"{api}/git/blobs/{blob}",
        }
        for path, blob in sorted(entries.items())
    ]
    return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": rows, "truncated": False}


# ---- handlers ---------------------------------------------------------------------------


def _sha_param(call: Call, name: str, known: dict[str, Any], doc: str) -> str:
    sha = call.params[name]
    if sha not in known:
        raise ApiError(404, "Not Found", doc)
    return sha


def create_blob(state: GitHubState, call: Call) -> tuple[int, Any]:
    doc = f"{DOC_GIT}/blobs#create-a-blob"
    content, encoding = call.body.get("content"), call.body.get("encoding", "utf-8")
    if not isinstance(content, str):
        raise validation_failed(
            doc, {"resource": "Blob", "code": "missing_field", "field": "content"}
        )
    if encoding == "base64":
        try:
            data = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "content is not valid Base64", doc) from None
    elif encoding in ("utf-8", "utf8"):
        data = content.encode()
    else:
        raise ApiError(422, f"encoding must be utf-8 or base64, not {encoding}", doc)
    sha = state.git.blob(data)
    return 201, {"url": f"{state.repo_api}/git/blobs/{sha}", "sha": sha}


def get_blob(state: GitHubState, call: Call) -> tuple[int, Any]:
    sha = _sha_param(call, "sha", state.git.blobs, f"{DOC_GIT}/blobs#get-a-blob")
    data = state.git.blobs[sha]
    return 200, {
        "content": base64.b64encode(data).decode(),
        "encoding": "base64",
        "url": f"{state.repo_api}/git/blobs/{sha}",
        "sha": sha,
        "size": len(data),
        "node_id": base64.b64encode(f"0:Blob{sha}".encode()).decode().rstrip("="),
    }


def create_tree(state: GitHubState, call: Call) -> tuple[int, Any]:
    doc = f"{DOC_GIT}/trees#create-a-tree"
    git = state.git
    base = call.body.get("base_tree")
    if base is not None and base not in git.trees:
        raise ApiError(422, "base_tree is not a valid tree oid", doc)
    entries = dict(git.trees[base]) if base else {}
    rows = call.body.get("tree")
    if not isinstance(rows, list):
        raise validation_failed(doc, {"resource": "Tree", "code": "missing_field", "field": "tree"})
    for row in rows:
        path = str(row.get("path") or "").strip("/")
        if not path or row.get("type") != "blob" or row.get("mode") not in ("100644", "100755"):
            raise ApiError(422, "Invalid tree info", doc)
        if "content" in row and row.get("sha") is not None:
            raise ApiError(422, "Must supply either tree.sha or tree.content, not both", doc)
        if "content" in row:
            entries[path] = git.blob(str(row["content"]).encode())
        elif row.get("sha") is None:
            entries.pop(path, None)
        elif row["sha"] in git.blobs:
            entries[path] = row["sha"]
        else:
            raise ApiError(422, f"tree.sha {row['sha']} is not a valid blob", doc)
    return 201, _tree_json(state, git.tree(entries))


def get_tree(state: GitHubState, call: Call) -> tuple[int, Any]:
    sha = _sha_param(call, "sha", state.git.trees, f"{DOC_GIT}/trees#get-a-tree")
    return 200, _tree_json(state, sha)


def create_commit(state: GitHubState, call: Call) -> tuple[int, Any]:
    doc = f"{DOC_GIT}/commits#create-a-commit"
    git = state.git
    message, tree, parents = (call.body.get(k) for k in ("message", "tree", "parents"))
    if not isinstance(message, str) or not isinstance(tree, str):
        raise validation_failed(doc, {"resource": "Commit", "code": "missing_field"})
    if tree not in git.trees:
        raise ApiError(422, "Tree SHA does not exist", doc)
    parents = list(parents or [])
    if any(p not in git.commits for p in parents):
        raise ApiError(422, "Parent SHA does not exist or is not a commit object", doc)
    return 201, git_commit_json(state, git.commit(tree, parents, message))


def get_git_commit(state: GitHubState, call: Call) -> tuple[int, Any]:
    sha = _sha_param(call, "sha", state.git.commits, f"{DOC_GIT}/commits#get-a-commit-object")
    return 200, git_commit_json(state, sha)


def _branch_of(call: Call, doc: str) -> str:
    ref = call.params["ref"]
    if not ref.startswith("heads/"):
        raise ApiError(404, "Not Found", doc)
    return ref.removeprefix("heads/")


def get_ref(state: GitHubState, call: Call) -> tuple[int, Any]:
    doc = f"{DOC_GIT}/refs#get-a-reference"
    branch = _branch_of(call, doc)
    if branch not in state.git.refs:
        raise ApiError(404, "Not Found", doc)
    return 200, ref_json(state, branch)


def update_ref(state: GitHubState, call: Call) -> tuple[int, Any]:
    """Move a branch: refused (422) unless a fast-forward or `force`, as GitHub does."""
    doc = f"{DOC_GIT}/refs#update-a-reference"
    git = state.git
    branch = _branch_of(call, doc)
    sha = call.body.get("sha")
    if branch not in git.refs:
        raise ApiError(422, "Reference does not exist", doc)
    if not isinstance(sha, str) or sha not in git.commits:
        raise ApiError(422, "Object does not exist", doc)
    if not call.body.get("force") and git.refs[branch] not in git.ancestors(sha):
        raise ApiError(422, "Update is not a fast forward", doc)
    rule = state.protected.get(branch)
    if rule == "ruleset":  # as GitHub answers a ref update a ruleset blocks
        raise ApiError(
            409,
            "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
            "https://docs.github.com/repositories/configuring-branches-and-merges-in-your-"
            "repository/managing-rulesets/about-rulesets",
        )
    if rule == "protection":
        raise ApiError(422, f"Protected branch update failed for refs/heads/{branch}.", doc)
    git.refs[branch] = sha
    return 200, ref_json(state, branch)


def get_branch(state: GitHubState, call: Call) -> tuple[int, Any]:
    branch = call.params["branch"]
    if branch not in state.git.refs:
        raise ApiError(404, "Branch not found", "https://docs.github.com/rest/branches/branches")
    api = state.repo_api
    return 200, {
        "name": branch,
        "commit": commit_json(state, state.git.refs[branch]),
        "_links": {"self": f"{api}/branches/{branch}", "html": f"{state.repo_html}/tree/{branch}"},
        "protected": branch in state.protected,
        "protection": {"enabled": branch in state.protected},
        "protection_url": f"{api}/branches/{branch}/protection",
    }


def list_commits(state: GitHubState, call: Call) -> tuple[list[str], str]:
    """The SHAs the commit list pages over (from `sha`, default branch if absent)."""
    start = state.git.resolve(call.arg("sha"))
    if start is None:
        raise ApiError(404, "No commit found for SHA", "https://docs.github.com/rest/commits")
    return state.git.ancestors(start), start
