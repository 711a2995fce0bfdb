"""Git objects of the GitHub fake: blobs, trees, commits and branch refs, as pure data.

Trees are kept flat (`path -> blob sha`): enough for the contents API and the Git Data API as
diary-bot uses them (full paths in tree entries with a `base_tree`). Commit SHAs are unique per
commit object, as on GitHub (the same tree and parents committed twice give two commits).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.fakes.github_render import blob_sha, now_iso

DEFAULT_BRANCH = "main"
HISTORY_MAX = 10_000  # a bound on ancestor walks


class GitObjects:
    """The object database and branch refs of one repository."""

    def __init__(self, committer: str) -> None:
        self.committer = committer
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}
        self._made = 0
        root = self.commit(self.tree({}), [], "Initial commit")
        self.refs[DEFAULT_BRANCH] = root

    def blob(self, data: bytes) -> str:
        sha = blob_sha(data)
        self.blobs[sha] = data
        return sha

    def tree(self, entries: dict[str, str]) -> str:
        text = json.dumps(sorted(entries.items()))
        sha = hashlib.sha1(b"tree " + text.encode()).hexdigest()
        self.trees[sha] = dict(entries)
        return sha

    def commit(self, tree: str, parents: list[str], message: str) -> str:
        self._made += 1
        seed = f"commit {self._made} {tree} {' '.join(parents)} {message}"
        sha = hashlib.sha1(seed.encode()).hexdigest()
        self.commits[sha] = {
            "tree": tree,
            "parents": list(parents),
            "message": message,
            "date": now_iso(),
        }
        return sha

    def files_at(self, ref: str | None = None) -> dict[str, bytes] | None:
        """The files of a branch or commit (default branch if None); None if unknown."""
        sha = self.resolve(ref)
        if sha is None:
            return None
        return {p: self.blobs[b] for p, b in self.trees[self.commits[sha]["tree"]].items()}

    def resolve(self, ref: str | None) -> str | None:
        ref = (ref or DEFAULT_BRANCH).removeprefix("refs/").removeprefix("heads/")
        if ref in self.refs:
            return self.refs[ref]
        return ref if ref in self.commits else None

    def commit_files(self, changes: dict[str, bytes], message: str) -> str:
        """Commit `changes` on the default branch (what the contents API and the web do)."""
        head = self.refs[DEFAULT_BRANCH]
        entries = dict(self.trees[self.commits[head]["tree"]])
        entries.update({path: self.blob(data) for path, data in changes.items()})
        sha = self.commit(self.tree(entries), [head], message)
        self.refs[DEFAULT_BRANCH] = sha
        return sha

    def ancestors(self, sha: str) -> list[str]:
        """`sha` and the commits it descends from, newest first (first-parent and merges)."""
        seen, order, todo = set(), [], [sha]
        while todo and len(order) < HISTORY_MAX:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            todo.extend(self.commits[current]["parents"])
        return order

    def history(self, branch: str | None = None) -> list[str]:
        """Commit SHAs reachable from a branch (default branch if None), newest first."""
        head = self.resolve(branch)
        return [] if head is None else self.ancestors(head)
