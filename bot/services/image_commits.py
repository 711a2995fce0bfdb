"""The publish job's image step: an entry's new images go into the repository in one commit.

Git Data API: a blob per new image, one tree on the branch head's tree, one commit, then the
branch moves (never forced; if someone pushed meanwhile, the commit is built again on the new
head). Each blob and the commit are recorded in SQLite before the next step, so a restart finds
them; a recorded commit whose branch update had no answer is looked for on the branch first.
Identical images are not sent again, and a different file at a path is never replaced.
The commit goes to the job's diary (a member's own repository, with their token, or the server
diary), and the links name that repository.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.errors import GitHubError, InvalidInput
from bot.limits import cut
from bot.models import DiaryTarget, Draft, ImageCommit, JobImage, PublishJob
from bot.services.clock import Clock
from bot.services.drafts import MAX_BODY
from bot.services.images import HASH_LENGTHS, ImageLinks, git_blob_sha, markdown_image
from bot.services.store_ports import ImageRecords

log = logging.getLogger(__name__)

# Times a job's commit is built again because the branch moved before it could be moved there.
REBUILDS = 3


class ImageGateway(Protocol):
    async def get_default_branch(self) -> str: ...

    async def get_file_sha(self, path: str, branch: str) -> str | None: ...

    async def get_branch_head(self, branch: str) -> tuple[str, str]: ...

    async def create_blob(self, content: bytes) -> str: ...

    async def create_tree(self, base_tree: str, files: Sequence[tuple[str, str]]) -> str: ...

    async def create_commit(self, message: str, tree: str, parent: str) -> str: ...

    async def move_branch(self, branch: str, sha: str) -> bool: ...

    async def branch_contains(self, branch: str, sha: str) -> bool: ...


class ImageGateways(Protocol):
    """The gateway of each diary (bot.github_gateways.GatewayPool)."""

    async def for_target(self, target: DiaryTarget | None) -> ImageGateway: ...


@dataclass(frozen=True)
class _Repo:
    """The repository one job's images go to: its gateway, links and default branch."""

    gateway: ImageGateway
    links: ImageLinks
    branch: str


@dataclass(frozen=True)
class _Placed:
    """Where an image goes in the job's commit, and its Git blob."""

    image: JobImage
    path: str
    blob: str


class ImagePublisher:
    """The publish job's image step: the entry's new images in one commit, then linked."""

    def __init__(
        self, images: ImageRecords, gateways: ImageGateways, links: ImageLinks, clock: Clock
    ) -> None:
        self._images = images
        self._gateways = gateways
        self._links = links  # the server diary's
        self._clock = clock
        self._branch: str | None = None  # the server diary's default branch, once known

    def _links_for(self, target: DiaryTarget | None) -> ImageLinks:
        if target is None or target.member is None:
            return self._links
        return replace(self._links, repository=target.repository)

    def check_fits(
        self,
        body: str,
        images: Sequence[tuple[str, str]],
        at: datetime,
        target: DiaryTarget | None = None,
    ) -> None:
        """Refuse, before any request, a body that the image links would take over the limit
        (linking into `target`'s repository, the server diary's by default)."""
        branch = self._branch if target is None or target.member is None else None
        length = len(body) + self._links_for(target).markdown_length(images, at, branch)
        if images and length > MAX_BODY:
            raise InvalidInput("error.body_too_long_with_images", length=length, limit=MAX_BODY)

    async def check_draft(self, draft: Draft, target: DiaryTarget | None = None) -> int:
        """Check the draft's text and image links fit an issue in `target`; the number of
        images."""
        images = await self._images.list_draft_images(draft.owner, draft.id)
        every = [(i.alt, i.media_type) for i in images]
        self.check_fits(draft.body, every, self._clock.now(), target)
        return len(images)

    async def commit(self, job: PublishJob) -> list[str]:
        """Put the job's images that are not in the repository yet there in one commit
        (recording each step), and return the Markdown links of all of them, in order."""
        images = await self._images.plan_publish_job_images(job.id)
        if any(image.url is None for image in images):
            try:
                await self._commit_all(job)
            except GitHubError as error:
                # Not the unknown outcome: the next attempt asks GitHub first.
                error.outcome_unknown = False
                raise
            images = await self._images.list_publish_job_images(job.id)
        return [markdown_image(image.alt, image.url or "") for image in images]

    async def _repo(self, job: PublishJob) -> _Repo:
        gateway = await self._gateways.for_target(job.target)
        branch = await gateway.get_default_branch()
        if job.target is None or job.target.member is None:
            self._branch = branch
        return _Repo(gateway, self._links_for(job.target), branch)

    async def _commit_all(self, job: PublishJob) -> None:
        repo = await self._repo(job)
        gateway, branch = repo.gateway, repo.branch
        recorded = await self._images.get_publish_job_commit(job.id)
        if recorded is not None and await self._resume(repo, recorded):
            return
        for _ in range(REBUILDS):
            head, tree = await gateway.get_branch_head(branch)
            placed = await self._place(repo, job, head)
            if not placed:
                return
            files = [(p.path, p.blob) for p in placed]
            new_tree = await gateway.create_tree(tree, files)
            message = f"diary: images for {cut(job.title, 100)}"
            sha = await gateway.create_commit(message, new_tree, head)
            commit = ImageCommit(job.id, branch, head, sha)
            positions = [(p.image.position, p.path) for p in placed]
            await self._images.record_publish_job_commit(commit, positions, self._clock.now())
            if await gateway.move_branch(branch, sha):
                log.info("publish job %d: %d image(s) in commit %s", job.id, len(placed), sha)
                await self._finish(repo, commit)
                return
            # Someone pushed meanwhile: build again on the new head.
            log.info("publish job %d: %s moved; committing the images again", job.id, branch)
            await self._images.forget_publish_job_commit(job.id)
        raise GitHubError("github.unavailable", transient=True, detail=f"{branch} kept moving")

    async def _resume(self, repo: _Repo, recorded: ImageCommit) -> bool:
        """A commit recorded by an earlier attempt: True once it is on its branch (found
        there, or moved there now); False when it never will be (the branch went on without
        it), and it is forgotten."""
        gateway = repo.gateway
        head, _ = await gateway.get_branch_head(recorded.branch)
        landed = head == recorded.commit_sha or await gateway.branch_contains(
            recorded.branch, recorded.commit_sha
        )
        if not landed and head == recorded.parent_sha:
            landed = await gateway.move_branch(recorded.branch, recorded.commit_sha)
        if landed:
            log.info(
                "publish job %d: commit %s is on %s",
                recorded.job_id,
                recorded.commit_sha,
                recorded.branch,
            )
            await self._finish(repo, recorded)
            return True
        await self._images.forget_publish_job_commit(recorded.job_id)
        return False

    async def _finish(self, repo: _Repo, commit: ImageCommit) -> None:
        images = await self._images.list_publish_job_images(commit.job_id)
        links = [
            (i.position, repo.links.url(i.planned_path, commit.branch))
            for i in images
            if i.planned_path is not None
        ]
        await self._images.finish_publish_job_commit(commit.job_id, links, self._clock.now())

    async def _place(self, repo: _Repo, job: PublishJob, head: str) -> list[_Placed]:
        """The images the commit on `head` must add, with their blobs (made now unless made
        before); images already at a path of theirs are recorded as committed instead."""
        images = await self._images.list_publish_job_images(job.id)
        placed: list[_Placed] = []
        taken: set[str] = set()
        for image in images:
            if image.url is not None:
                continue
            data = await self._images.get_image_data(image.sha256)
            if data is None:
                raise GitHubError("github.image_lost", detail=image.sha256[:12])
            blob = await asyncio.to_thread(git_blob_sha, data)
            path, present = await self._find_path(repo, job, image, head, blob, taken)
            if present:
                log.info("publish job %d: image %s is already in the repository", job.id, path)
                url = repo.links.url(path, repo.branch)
                await self._images.mark_publish_job_image_committed(
                    job.id, image.position, path, url, self._clock.now()
                )
                continue
            if image.blob_sha != blob:
                blob = await repo.gateway.create_blob(data)
                await self._images.record_publish_job_blob(job.id, image.position, blob)
            taken.add(path)
            placed.append(_Placed(image, path, blob))
        return placed

    async def _find_path(
        self, repo: _Repo, job: PublishJob, image: JobImage, head: str, blob: str, taken: set[str]
    ) -> tuple[str, bool]:
        """The image's path at `head`, and whether it is already there with this content.
        A different file at a path is never replaced: the name gets longer instead."""
        earlier = await self._images.get_committed_image_path(image.sha256)
        candidates = [earlier] if earlier else []
        for length in HASH_LENGTHS:
            path = repo.links.path(image.sha256, image.media_type, job.created_at, length)
            if path not in candidates:
                candidates.append(path)
        for path in candidates:
            if path in taken:
                continue
            found = await repo.gateway.get_file_sha(path, head)
            if found == blob:
                return path, True
            if found is None:
                return path, False
        raise GitHubError("github.image_path_taken", detail=candidates[-1])
