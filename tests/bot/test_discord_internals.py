"""Guards for where we rely on discord.py internals: the names of the tasks that run
interaction handlers, which `bot.client.diary_bot._finish_interactions` waits for at
shutdown, and that a modal sent already stopped is not stored (editors). An upgrade that
changes either fails here instead of silently cutting replies off at shutdown or keeping
every editor in memory."""

from __future__ import annotations

import inspect
from pathlib import Path

import discord

from bot.client import INTERACTION_TASKS as _INTERACTION_TASKS


def test_discord_py_still_names_its_interaction_tasks_as_we_expect():
    """Every task name prefix we wait for appears as a literal in discord.py's source."""
    sources = "\n".join(
        path.read_text("utf-8") for path in Path(discord.__file__).parent.rglob("*.py")
    )
    # Event tasks are named f'discord.py: {event_name}'; the rest are plain literals.
    event = "'discord.py: {event_name}'"
    missing = [
        name
        for name in _INTERACTION_TASKS
        if f"'{name}" not in sources and not (name.startswith("discord.py: ") and event in sources)
    ]
    assert not missing, f"discord.py {discord.__version__} no longer names tasks {missing}"


def test_discord_py_keeps_no_handler_for_a_modal_sent_stopped():
    """Editors are sent stopped so discord.py stores nothing for them (cogs/_editors.py routes
    their submissions by custom_id); were that to change, each editor opened and never
    submitted would stay in memory (editors have no timeout)."""
    source = inspect.getsource(discord.InteractionResponse.send_modal)

    assert "if not modal.is_finished():" in source
