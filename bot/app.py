"""The services and workers of one running bot, wired together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.github_gateways import GatewayPool
from bot.page_probe import PageProbe
from bot.services.access import AccessService, MemberLookup
from bot.services.announcement_delivery import AnnouncementDelivery
from bot.services.announcing import AnnouncementSender, AnnouncementService, ChannelDirectory
from bot.services.authors import AuthorPolicy
from bot.services.clock import Clock
from bot.services.comments import CommentGateway, CommentService
from bot.services.connections import ConnectionService
from bot.services.drafts import DraftService
from bot.services.entries import EntryGateway, EntryService
from bot.services.image_commits import ImageGateway, ImagePublisher
from bot.services.images import ImageLinks, ImageService
from bot.services.labels import LabelCatalog
from bot.services.publishing import IssueGateway, PublishingService
from bot.services.reminders import ReminderPoster, ReminderService
from bot.services.rhythm import RhythmService
from bot.services.scheduling import ScheduleService
from bot.services.server_settings import ServerSettingsService
from bot.services.status import RateLimitSource, StatusService
from bot.services.watching import IssueLister, WatchService
from bot.settings import Settings
from bot.store import Store
from bot.wake import Wake
from bot.webhooks import WebhookServer
from bot.workers.announcer import AnnounceWorker
from bot.workers.commenter import CommentWorker
from bot.workers.publisher import PublishWorker
from bot.workers.reminders import ReminderWorker
from bot.workers.scheduler import ScheduleWorker
from bot.workers.watcher import Watcher, polling_interval


class GitHubPorts(
    IssueGateway,
    IssueLister,
    ImageGateway,
    RateLimitSource,
    EntryGateway,
    CommentGateway,
    Protocol,
):
    """Everything the services ask of GitHub."""


class DiscordPorts(ChannelDirectory, ReminderPoster, Protocol):
    """What the services ask of Discord besides announcements."""


@dataclass
class Services:
    """The services (and the loops that carry out their jobs) of one running bot."""

    access: AccessService
    drafts: DraftService
    images: ImageService
    labels: LabelCatalog
    server_settings: ServerSettingsService
    status: StatusService
    entries: EntryService
    comments: CommentService
    comment_worker: CommentWorker
    publishing: PublishingService
    announcements: AnnouncementService
    publish_worker: PublishWorker
    announce_worker: AnnounceWorker
    watching: WatchService
    watcher: Watcher | None  # None with POLL_INTERVAL=0
    webhooks: WebhookServer | None  # None without WEBHOOK_PORT
    pages: PageProbe | None  # None without WAIT_FOR_PAGE
    scheduling: ScheduleService
    schedule_worker: ScheduleWorker
    rhythm: RhythmService
    reminders: ReminderService
    reminder_worker: ReminderWorker
    connections: ConnectionService
    gateways: GatewayPool[GitHubPorts]  # by diary: the server's, and members' own

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        gateway: GitHubPorts,
        discord: DiscordPorts,
        sender: AnnouncementSender,
        clock: Clock,
        ready: Callable[[], Awaitable[object]],
        *,
        members: MemberLookup | None = None,
        connections: ConnectionService | None = None,
        gateways: GatewayPool[GitHubPorts] | None = None,
    ) -> Services:
        """Wire services and workers, each given all it needs here (nothing is set on them
        afterwards); nothing runs until `start()`. `members`: Discord's member lookup (without
        it, nobody is found). Without `gateways`, only the server diary (`gateway`) is served."""
        if gateways is None:
            gateways = GatewayPool(gateway, settings.github_repository)
        connections = connections or ConnectionService(store.connections, clock)
        drafts = DraftService(
            store.drafts,
            store.images,
            clock,
            settings=store.settings,
            delete_confirm_seconds=settings.delete_confirm_seconds,
        )
        pages = PageProbe() if settings.wait_for_page else None
        announcements_due = Wake()
        delivery = AnnouncementDelivery(
            store.announcements,
            sender,
            clock,
            pages=pages,
            nonce_window=settings.discord_nonce_window,
        )
        announce_worker = AnnounceWorker(delivery, clock, ready, announcements_due)
        announcements = AnnouncementService(
            store.announcements,
            store.watching,
            store.settings,
            discord,
            clock,
            server_repository=settings.github_repository,
            default_channel_id=settings.announce_channel_id,
            blog_url_template=settings.blog_url_template,
            wake_worker=announcements_due,
        )
        labels = LabelCatalog(gateways, diary_of=connections.diary_of)
        links = ImageLinks(
            settings.image_path_template, settings.image_url_template, settings.github_repository
        )
        image_publisher = ImagePublisher(store.images, gateways, links, clock)
        jobs_due = Wake()
        publishing = PublishingService(
            store.jobs,
            store.settings,
            drafts,
            gateways,
            announcements,
            labels,
            clock,
            images=image_publisher,
            settle_seconds=settings.github_settle_seconds,
            diary_of=connections.diary_of,
            wake_worker=jobs_due,
        )
        publish_worker = PublishWorker(publishing, clock, ready, jobs_due)
        authors = AuthorPolicy.of(settings.announce_authors)
        watching = WatchService(
            store.watching,
            store.settings,
            gateways,
            announcements,
            repository=settings.github_repository,
            clock=clock,
            authors=authors,
        )
        listening = settings.webhook_port is not None and settings.webhook_secret is not None
        watcher = None
        if settings.poll_interval > 0:
            interval = polling_interval(settings.poll_interval, webhooks=listening)
            watcher = Watcher(watching, interval, ready)
        webhooks = None
        if settings.webhook_port is not None and settings.webhook_secret is not None:
            webhooks = WebhookServer(
                watching,
                ready,
                secret=settings.webhook_secret,
                host=settings.webhook_host,
                port=settings.webhook_port,
                watcher=watcher,
                poll_interval=settings.poll_interval,
            )
        access = AccessService(store.settings, settings.discord_guild_ids, members)
        schedules_due = Wake()
        scheduling = ScheduleService(
            store.schedules,
            store.settings,
            drafts,
            publishing,
            labels,
            clock,
            access,
            wake_worker=schedules_due,
        )
        schedule_worker = ScheduleWorker(scheduling, clock, ready, schedules_due)
        comments_due = Wake()
        comments = CommentService(store.comments, gateways, clock, wake_worker=comments_due)
        entries = EntryService(
            store.drafts,
            gateways,
            announcements,
            clock,
            authors,
            diaries=connections,
            addenda=comments,
        )
        rhythm = RhythmService(
            store.entries,
            store.settings,
            clock,
            entry_url=announcements.entry_url,
            diary=entries.diary,
        )
        reminders_due = Wake()
        reminders = ReminderService(
            store.reminders,
            store.settings,
            rhythm,
            discord,
            clock,
            channel_for_guild=announcements.channel_for_guild,
            nonce_window=settings.discord_nonce_window,
            wake_worker=reminders_due,
        )
        comment_worker = CommentWorker(comments, clock, ready, comments_due)
        reminder_worker = ReminderWorker(reminders, clock, ready, reminders_due)
        return cls(
            access=access,
            drafts=drafts,
            images=ImageService(store.images, store.drafts, drafts, image_publisher, clock),
            labels=labels,
            server_settings=ServerSettingsService(
                store.settings, clock, channel_for_guild=announcements.channel_for_guild
            ),
            status=StatusService(
                store.status,
                store.settings,
                gateway,
                clock,
                watcher_enabled=settings.poll_interval > 0,
                token=gateway,
                channel_for_guild=announcements.channel_for_guild,
                diaries=connections.overview,
            ),
            entries=entries,
            comments=comments,
            comment_worker=comment_worker,
            publishing=publishing,
            announcements=announcements,
            publish_worker=publish_worker,
            announce_worker=announce_worker,
            watching=watching,
            watcher=watcher,
            webhooks=webhooks,
            pages=pages,
            scheduling=scheduling,
            schedule_worker=schedule_worker,
            rhythm=rhythm,
            reminders=reminders,
            reminder_worker=reminder_worker,
            connections=connections,
            gateways=gateways,
        )

    def start(self) -> None:
        """Start the workers; unfinished jobs from an earlier run resume now."""
        self.publish_worker.start()
        self.announce_worker.start()
        self.schedule_worker.start()
        self.reminder_worker.start()
        self.comment_worker.start()
        if self.watcher is not None:
            self.watcher.start()
        if self.webhooks is not None:
            self.webhooks.start()

    def alive(self) -> bool:
        """Whether every worker loop runs (for the heartbeat)."""
        loops = [self.publish_worker, self.announce_worker, self.schedule_worker]
        loops += [self.reminder_worker, *([self.watcher] if self.watcher is not None else [])]
        return all(loop.alive() for loop in loops)

    async def stop(self) -> None:
        await self.connections.stop()
        await self.schedule_worker.stop()
        await self.reminder_worker.stop()
        await self.comment_worker.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()
        if self.watcher is not None:
            await self.watcher.stop()
        await self.publish_worker.stop()
        await self.announce_worker.stop()
        if self.pages is not None:
            await self.pages.close()
