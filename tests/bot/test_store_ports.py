"""The store's parts (bot/store/) keep the methods the services' ports declare
(bot/services/store_ports.py), with the same parameters and types."""

from __future__ import annotations

import inspect

import pytest

from bot.services import store_ports
from bot.store.announcements import AnnouncementStore
from bot.store.comments import CommentStore
from bot.store.connections import ConnectionStore
from bot.store.drafts import DraftStore
from bot.store.entries import EntryStore
from bot.store.images import ImageStore
from bot.store.jobs import JobStore
from bot.store.reminders import ReminderStore
from bot.store.schedules import ScheduleStore
from bot.store.settings import SettingsStore
from bot.store.status import StatusStore
from bot.store.watching import WatchStore

PARTS = {
    store_ports.DraftRecords: DraftStore,
    store_ports.ImageRecords: ImageStore,
    store_ports.PublishJobRecords: JobStore,
    store_ports.AnnouncementRecords: AnnouncementStore,
    store_ports.ScheduleRecords: ScheduleStore,
    store_ports.ReminderRecords: ReminderStore,
    store_ports.PublishedEntryRecords: EntryStore,
    store_ports.CommentRecords: CommentStore,
    store_ports.ConnectionRecords: ConnectionStore,
    store_ports.GuildSettingsRecords: SettingsStore,
    store_ports.NamedValues: SettingsStore,
    store_ports.WatchRecords: WatchStore,
    store_ports.StatusRecords: StatusStore,
}


def declared(port: type) -> dict[str, inspect.Signature]:
    """The methods a port declares, by name."""
    return {
        name: inspect.signature(member)
        for name, member in vars(port).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def shape(signature: inspect.Signature) -> list[tuple[str, object, str, bool]]:
    """Name, kind, annotation and whether it has a default, for each parameter; then the
    return annotation (annotations are strings: every module has postponed evaluation)."""
    return [
        (p.name, p.kind, str(p.annotation), p.default is not inspect.Parameter.empty)
        for p in signature.parameters.values()
    ] + [("return", None, str(signature.return_annotation), False)]


def test_every_port_is_checked():
    """Each Protocol of store_ports has its part named here."""
    ports = {
        value
        for value in vars(store_ports).values()
        if isinstance(value, type) and value.__module__ == store_ports.__name__
    }
    assert ports == set(PARTS)


@pytest.mark.parametrize("port", list(PARTS), ids=lambda port: port.__name__)
def test_the_part_has_what_its_port_declares(port):
    """Every method the port declares exists on its store part with the same signature."""
    part = PARTS[port]
    methods = declared(port)
    assert methods, f"{port.__name__} declares nothing"
    for name, signature in methods.items():
        implementation = getattr(part, name, None)
        assert implementation is not None, f"{part.__name__} has no {name}"
        assert shape(inspect.signature(implementation)) == shape(signature), name
