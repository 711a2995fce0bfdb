"""The SQLite store: the only package that talks to aiosqlite."""

from __future__ import annotations

from pathlib import Path

from bot.store._database import Database
from bot.store.announcements import AnnouncementStore
from bot.store.comments import CommentStore
from bot.store.connections import ConnectionStore
from bot.store.drafts import DraftStore
from bot.store.entries import EntryStore
from bot.store.export import ExportStore
from bot.store.images import ImageStore
from bot.store.jobs import JobStore
from bot.store.reminders import ReminderStore
from bot.store.schedules import ScheduleStore
from bot.store.settings import SettingsStore
from bot.store.status import StatusStore
from bot.store.watching import WatchStore

__all__ = ["Store"]


class Store:
    """The database and its parts, one object each (the settings part keeps its cache for
    everyone): the composition root hands each service the parts it uses."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self.drafts = DraftStore(database)
        self.images = ImageStore(database)
        self.jobs = JobStore(database)
        self.announcements = AnnouncementStore(database)
        self.schedules = ScheduleStore(database)
        self.reminders = ReminderStore(database)
        self.entries = EntryStore(database)
        self.comments = CommentStore(database)
        self.connections = ConnectionStore(database)
        self.settings = SettingsStore(database)
        self.watching = WatchStore(database)
        self.status = StatusStore(database)
        self.export = ExportStore(database)

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open and migrate the database at `path`."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        return await self._db.schema_version()
