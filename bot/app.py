"""The services and workers of one running bot, wired together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.services.announcing import AnnouncementSender, AnnouncementService, ChannelDirectory
from bot.services.clock import Clock
from bot.services.drafts import DraftService
from bot.services.labels import LabelCatalog
from bot.services.publishing import IssueGateway, PublishingService
from bot.services.server_settings import ServerSettingsService
from bot.settings import Settings
from bot.store import Store
from bot.workers.announcer import AnnounceWorker
from bot.workers.publisher import PublishWorker


@dataclass
class Services:
    settings: Settings
    store: Store
    drafts: DraftService
    labels: LabelCatalog
    server_settings: ServerSettingsService
    publishing: PublishingService
    announcements: AnnouncementService
    publish_worker: PublishWorker
    announce_worker: AnnounceWorker

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        gateway: IssueGateway,
        discord: ChannelDirectory,
        sender: AnnouncementSender,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
    ) -> Services:
        """Wire services and workers; nothing runs until `start()`."""
        drafts = DraftService(store, clock)
        announce_worker = AnnounceWorker(store, sender, clock, ready)
        announcements = AnnouncementService(
            store,
            discord,
            clock,
            default_channel_id=settings.announce_channel_id,
            blog_url_template=settings.blog_url_template,
            wake_worker=announce_worker.wake,
        )
        labels = LabelCatalog(gateway)
        publishing = PublishingService(store, drafts, gateway, announcements, labels, clock)
        publish_worker = PublishWorker(store, publishing, clock, ready)
        publishing.set_wake_worker(publish_worker.wake)
        return cls(
            settings=settings,
            store=store,
            drafts=drafts,
            labels=labels,
            server_settings=ServerSettingsService(store, clock),
            publishing=publishing,
            announcements=announcements,
            publish_worker=publish_worker,
            announce_worker=announce_worker,
        )

    def start(self) -> None:
        """Start the workers; unfinished jobs from an earlier run resume now."""
        self.publish_worker.start()
        self.announce_worker.start()

    async def stop(self) -> None:
        await self.publish_worker.stop()
        await self.announce_worker.stop()
