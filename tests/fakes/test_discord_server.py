"""Tests of the fake Discord, driven by a small real discord.py client in its own thread."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord_interactions import build_options
from tests.fakes.discord_limits import (
    check_commands,
    check_message,
    check_modal,
    valid_command_name,
)
from tests.fakes.discord_server import FakeDiscord, patch_discord_py
from tests.fakes.discord_world import Snowflakes, World

EPHEMERAL = 64


class DraftModal(discord.ui.Modal):
    body = discord.ui.TextInput(
        label="Body", style=discord.TextStyle.paragraph, custom_id="body", max_length=2000
    )
    # discord.py 2.6 added Label (component type 18); the lowest supported release (2.5, tested
    # by .ci/run) sends the same field as a plain text input row.
    if hasattr(discord.ui, "Label"):
        title_input = discord.ui.Label(
            text="Title", component=discord.ui.TextInput(custom_id="title", max_length=100)
        )
    else:
        title_input = discord.ui.TextInput(label="Title", custom_id="title", max_length=100)

    def __init__(self) -> None:
        super().__init__(title="New draft", custom_id="draft-modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        title = getattr(self.title_input, "component", self.title_input).value  # type: ignore[union-attr]
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"saved {title}: {self.body.value}", ephemeral=True)


class PublishView(discord.ui.View):
    @discord.ui.button(label="Publish", custom_id="publish", style=discord.ButtonStyle.green)
    async def publish(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="published", view=None)


class MiniBot(discord.Client):
    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.guild = discord.Object(guild_id)
        self.tree = app_commands.CommandTree(self)
        self.ready = threading.Event()
        tree = self.tree

        @tree.command(description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", ephemeral=True)

        diary = app_commands.Group(name="diary", description="Diary entries")

        @diary.command(description="Write an entry")
        @app_commands.describe(title="Entry title", mood="Mood from 1 to 5")
        async def write(interaction: discord.Interaction, title: str, mood: int = 3) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            await interaction.edit_original_response(content=f"wrote {title} ({mood})")

        @diary.command(description="Find an entry")
        async def find(interaction: discord.Interaction, query: str) -> None:
            await interaction.response.send_message(f"found {query}")

        @find.autocomplete("query")
        async def find_auto(interaction: discord.Interaction, current: str) -> list[Any]:
            return [
                app_commands.Choice(name=f"{current} {i}", value=f"{current}{i}") for i in range(3)
            ]

        @diary.command(description="Open the draft form")
        async def draft(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(DraftModal())

        @diary.command(description="Show the publish button")
        async def menu(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ready to publish?", view=PublishView())

        tree.add_command(diary)

        @tree.command(description="Configure the bot")
        @app_commands.default_permissions(manage_guild=True)
        async def setup(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("configured", ephemeral=True)

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    async def setup_hook(self) -> None:
        self.tree.copy_global_to(guild=self.guild)
        await self.tree.sync(guild=self.guild)

    async def on_ready(self) -> None:
        self.ready.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py sleeps 5 s before every re-IDENTIFY; not needed against the fake


class Harness:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.client = MiniBot(int(fake.world.guild_id))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(self.client.start(self.fake.token))
        self.loop.run_forever()

    def stop(self) -> None:
        self.run(self.client.close())

        async def cancel_leftovers() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_leftovers())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def channel(self, name: str) -> discord.TextChannel:
        channel = self.client.get_channel(int(self.fake.channel_id(name)))
        assert isinstance(channel, discord.TextChannel)
        return channel


@pytest.fixture(scope="module", params=[True, False], ids=["zlib-frames", "text-frames"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeDiscord]:
    with FakeDiscord(gateway_compress=request.param) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeDiscord) -> Iterator[Harness]:
    with patch_discord_py(fake):
        harness = Harness(fake)
        harness.thread.start()
        fake.wait_ready(10)
        fake.wait_commands(10)
        assert harness.client.ready.wait(10)
        yield harness
        harness.stop()


def test_login_ready_and_guild_visible(fake: FakeDiscord, bot: Harness) -> None:
    paths = [(r.method, r.route) for r in fake.requests]
    assert ("GET", "/users/@me") in paths
    assert ("GET", "/oauth2/applications/@me") in paths
    assert fake.identify_count == 1
    assert fake.intents == discord.Intents.default().value
    assert fake.gateway_queries[0]["compress"] == "zlib-stream"
    guild = bot.client.get_guild(int(fake.world.guild_id))
    assert guild is not None and guild.name == fake.world.guild_name
    assert {c.name for c in guild.text_channels} == {"announcements", "writing"}
    assert guild.me is not None and guild.get_member(int(fake.user_id("admin"))) is None
    admin = bot.run(guild.fetch_member(int(fake.user_id("admin"))))
    author = bot.run(guild.fetch_member(int(fake.user_id("author"))))
    assert admin.guild_permissions.manage_guild and not author.guild_permissions.manage_guild
    assert [r.name for r in author.roles[1:]] == ["Author"]
    writing, announcements = bot.channel("writing"), bot.channel("announcements")
    assert writing.permissions_for(guild.me).send_messages
    assert announcements.permissions_for(guild.me).embed_links
    assert not announcements.permissions_for(author).send_messages
    assert bot.client.user is not None and bot.client.user.bot
    assert int(fake.world.application_id) == bot.client.application_id


def test_commands_synced_with_ids(fake: FakeDiscord, bot: Harness) -> None:
    names = {(c["type"], c["name"]) for c in fake.commands}
    assert names == {(1, "ping"), (1, "diary"), (1, "setup"), (3, "Quote")}
    for command in fake.commands:
        assert int(command["id"]) > 2**50 and command["guild_id"] == fake.world.guild_id
    diary = next(c for c in fake.commands if c["name"] == "diary")
    assert [o["name"] for o in diary["options"]] == ["write", "find", "draft", "menu"]
    assert fake.command_sync_count == 1


def test_slash_ephemeral_response(fake: FakeDiscord, bot: Harness) -> None:
    inter = fake.slash("author", "ping")
    response = inter.wait_response()
    assert response["type"] == 4 and response["data"]["content"] == "pong"
    final = inter.wait_final()
    assert final["flags"] & EPHEMERAL and inter.ephemeral
    assert inter.first_response_seconds is not None and inter.first_response_seconds < 3
    assert fake.slowest_first_response is not None
    assert all(m["content"] != "pong" for m in fake.channel_messages("writing"))


def test_deferred_then_original_edit(fake: FakeDiscord, bot: Harness) -> None:
    inter = fake.slash("author", "diary", "write", {"title": "Day 1", "mood": 4}, locale="ja")
    assert inter.wait_response()["type"] == 5
    assert inter.wait_final()["content"] == "wrote Day 1 (4)"
    assert [m["kind"] for m in inter.messages] == ["callback", "original_edit"]
    assert inter.payload["locale"] == "ja"
    assert fake.channel_messages("writing")[-1]["content"] == "wrote Day 1 (4)"


def test_modal_and_submit(fake: FakeDiscord, bot: Harness) -> None:
    inter = fake.slash("author", "diary", "draft")
    assert inter.wait_response()["type"] == 9
    assert inter.modal is not None and inter.modal["title"] == "New draft"
    with pytest.raises(ValueError, match="no inputs"):
        fake.modal_submit("author", "draft-modal", {"nope": "x", "body": "b", "title": "t"})
    with pytest.raises(ValueError, match="shown to 'author'"):
        fake.modal_submit("admin", "draft-modal", {"body": "b", "title": "t"})
    submit = fake.modal_submit("author", "draft-modal", {"body": "It rained.", "title": "Rain"})
    final = submit.wait_final()
    assert final["content"] == "saved Rain: It rained." and final["flags"] & EPHEMERAL
    # Discord: the first follow-up after a deferral edits the deferred (loading) message.
    assert [m["kind"] for m in submit.messages] == ["callback", "followup"]
    assert submit.messages[1]["id"] == submit.original_id


def test_button_click_updates_message(fake: FakeDiscord, bot: Harness) -> None:
    menu = fake.slash("admin", "diary", "menu").wait_final()
    assert menu["components"][0]["components"][0]["custom_id"] == "publish"
    click = fake.button("admin", "publish", menu["id"])
    assert click.wait_response()["type"] == 7
    assert fake.message(menu["id"])["content"] == "published"
    assert fake.message(menu["id"])["components"] == []


def test_default_member_permissions(fake: FakeDiscord, bot: Harness) -> None:
    with pytest.raises(PermissionError):
        fake.slash("outsider", "setup")
    assert fake.slash("admin", "setup").wait_final()["content"] == "configured"
    assert fake.slash("outsider", "setup", force=True).wait_final()["content"] == "configured"


def test_autocomplete(fake: FakeDiscord, bot: Harness) -> None:
    inter = fake.slash("author", "diary", "find", {"query": "rai"}, focused="query")
    assert inter.type == 4
    assert inter.wait_response()["type"] == 8
    assert [c["value"] for c in inter.choices or []] == ["rai0", "rai1", "rai2"]


def test_message_context_menu(fake: FakeDiscord, bot: Harness) -> None:
    message_id = fake.post_user_message("outsider", "writing", "quote me")
    inter = fake.message_command("author", "Quote", message_id)
    assert inter.wait_final()["content"] == "> quote me"


def test_channel_send_embed_and_mentions(fake: FakeDiscord, bot: Harness) -> None:
    channel = bot.channel("announcements")
    embed = discord.Embed(title="New entry", description="Hello")
    none = discord.AllowedMentions.none()
    sent = bot.run(channel.send("@everyone new post", embed=embed, allowed_mentions=none))
    stored = fake.message(str(sent.id))
    assert stored["embeds"][0]["title"] == "New entry" and stored["pinged"] == set()
    author_id = fake.user_id("author")
    sent = bot.run(channel.send(f"@everyone hi <@{author_id}>"))
    assert fake.message(str(sent.id))["pinged"] == {"@everyone", "user:author"}
    mentions = discord.AllowedMentions(everyone=False, users=False, roles=False)
    assert mentions.to_dict()["parse"] == []


def test_overlong_embed_is_a_violation(fake: FakeDiscord, bot: Harness) -> None:
    embed = discord.Embed(description="x" * 5000)
    with pytest.raises(discord.HTTPException) as caught:
        bot.run(bot.channel("writing").send(embed=embed))
    assert caught.value.status == 400
    assert any("description is 5000 chars (max 4096)" in v for v in fake.take_violations())


def test_unknown_route(fake: FakeDiscord, bot: Harness) -> None:
    guild = bot.client.get_guild(int(fake.world.guild_id))
    assert guild is not None
    with pytest.raises(discord.NotFound):
        bot.run(guild.fetch_emojis())
    assert f"GET /guilds/{guild.id}/emojis" in fake.unknown_routes
    fake.unknown_routes.clear()


def test_channel_send_fault_injection(fake: FakeDiscord, bot: Harness) -> None:
    fake.fail_next_channel_messages("writing", 1, status=503)
    with pytest.raises(discord.DiscordServerError):
        bot.run(bot.channel("writing").send("first"))
    sent = bot.run(bot.channel("writing").send("second"))
    assert fake.message(str(sent.id))["content"] == "second"


def test_enforced_nonce_returns_the_earlier_message(fake: FakeDiscord, bot: Harness) -> None:
    """Same author, channel and nonce within the window: the first message, nothing new."""
    channel = bot.channel("writing")
    before = len(fake.channel_messages("writing"))
    first = bot.run(channel.send("once", nonce="job-1"))
    again = bot.run(channel.send("once more", nonce="job-1"))
    assert again.id == first.id
    assert len(fake.channel_messages("writing")) == before + 1
    other = bot.run(bot.channel("announcements").send("elsewhere", nonce="job-1"))
    assert other.id != first.id  # another channel is another key


def test_nonce_is_forgotten_after_the_window(fake: FakeDiscord, bot: Harness) -> None:
    """Past the window the same nonce creates a new message, as on Discord after minutes."""
    window, fake.posts.window = fake.posts.window, 0.2
    try:
        first = bot.run(bot.channel("writing").send("a", nonce="job-2"))
        time.sleep(0.3)
        second = bot.run(bot.channel("writing").send("b", nonce="job-2"))
    finally:
        fake.posts.window = window
    assert second.id != first.id


def test_overlong_nonce_is_rejected(fake: FakeDiscord, bot: Harness) -> None:
    """Discord takes a string nonce of at most 25 characters."""
    with pytest.raises(discord.HTTPException) as caught:
        bot.run(bot.channel("writing").send("x", nonce="n" * 26))
    assert caught.value.status == 400
    assert any("nonce is 26 characters" in v for v in fake.take_violations())


def test_post_stored_then_502_gives_one_message(fake: FakeDiscord, bot: Harness) -> None:
    """discord.py re-sends after a 502 with the same nonce: one message, the earlier one."""
    before = len(fake.channel_messages("writing"))
    fake.fail_after_storing("writing", 1, status=502)
    sent = bot.run(bot.channel("writing").send("after 502"), timeout=15)
    messages = fake.channel_messages("writing")
    assert len(messages) == before + 1 and messages[-1]["id"] == str(sent.id)


def test_held_answer_is_stored_before_it_is_answered(fake: FakeDiscord, bot: Harness) -> None:
    """A held post is in the channel while its answer waits; released, it is answered."""
    fake.hold_channel_posts()
    future = asyncio.run_coroutine_threadsafe(bot.channel("writing").send("held"), bot.loop)
    try:
        fake.wait_for(lambda: fake.posts.held == 1, 5, "a held answer")
        assert fake.channel_messages("writing")[-1]["content"] == "held"
        assert not future.done()
    finally:
        fake.release_channel_posts()
    assert future.result(5).content == "held"


def test_resume_after_disconnect(fake: FakeDiscord, bot: Harness) -> None:
    before = fake.resume_count
    fake.disconnect_gateway(resume=True)
    fake.wait_for(lambda: fake.resume_count == before + 1, 10, "RESUME")
    assert fake.identify_count == 1
    assert fake.slash("author", "ping").wait_final()["content"] == "pong"
    fake.disconnect_gateway(resume=False)
    fake.wait_for(lambda: fake.identify_count == 2, 10, "re-IDENTIFY")
    fake.wait_ready()
    assert fake.slash("author", "ping").wait_final()["content"] == "pong"


def test_no_unexpected_violations(fake: FakeDiscord, bot: Harness) -> None:
    assert fake.violations == []
    assert fake.unknown_routes == []


def test_options_for_groups_and_resolved_users() -> None:
    world = World(Snowflakes())
    leaf_options = [
        {"type": 6, "name": "to", "required": True},
        {"type": 4, "name": "count", "min_value": 1},
    ]
    transfer = {"type": 1, "name": "transfer", "options": leaf_options}
    definition = {"name": "entry", "options": [{"type": 2, "name": "admin", "options": [transfer]}]}
    channel = world.channel("writing")
    options, resolved = build_options(
        world, definition, "admin transfer", {"to": "author", "count": 2}, None, channel
    )
    leaf = options[0]["options"][0]["options"]
    assert options[0]["type"] == 2 and options[0]["options"][0]["name"] == "transfer"
    assert leaf == [
        {"type": 6, "name": "to", "value": world.members["author"].id},
        {"type": 4, "name": "count", "value": 2},
    ]
    assert world.members["author"].id in resolved["members"]
    with pytest.raises(ValueError, match="outside"):
        build_options(
            world, definition, "admin transfer", {"to": "admin", "count": 0}, None, channel
        )
    with pytest.raises(ValueError, match="required"):
        build_options(world, definition, "admin transfer", {}, None, channel)


def test_gateway_flags_privileged_intents() -> None:
    async def identify(url: str, token: str) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            frames = [await ws.receive_json()]
            await ws.send_json({"op": 2, "d": {"token": token, "intents": (1 << 15) | 1}})
            frames += [await ws.receive_json(), await ws.receive_json()]
            return frames

    with FakeDiscord(contract_check=False) as fake:
        hello, ready, guild = asyncio.run(identify(fake.gateway_url + "?v=10", fake.token))
    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
    assert (ready["t"], ready["s"], guild["t"], guild["s"]) == ("READY", 1, "GUILD_CREATE", 2)
    assert [m["user"]["username"] for m in guild["d"]["members"]] == ["diary-bot"]
    assert fake.violations == ["gateway IDENTIFY requests privileged intent MESSAGE_CONTENT"]


SUBPROCESS_BOT = """
import os, discord
client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)

@client.event
async def on_ready():
    guild = client.get_guild(int(os.environ["DISCORD_GUILD_ID"]))
    channel = guild.get_channel(int(os.environ["ANNOUNCE_CHANNEL_ID"]))
    await channel.send("hello from a subprocess")
    await client.close()

client.run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


def test_subprocess_bot_via_sitecustomize() -> None:
    with FakeDiscord(contract_check=False) as fake:
        env = {**os.environ, **fake.bot_env()}
        done = subprocess.run(
            [sys.executable, "-c", SUBPROCESS_BOT],
            env=env,
            timeout=30,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert [m["content"] for m in fake.channel_messages("announcements")] == [
            "hello from a subprocess"
        ]
        assert fake.identify_count == 1 and fake.violations == []


def test_limit_helpers() -> None:
    assert valid_command_name("日記") and valid_command_name("write-entry")
    assert not valid_command_name("Write") and not valid_command_name("two words")
    bad = {"name": "x", "description": "d" * 101, "options": [{"type": 3, "name": "A"}]}
    problems = check_commands([bad])
    assert any("description" in p for p in problems) and any("'A'" in p for p in problems)
    button = {"type": 2, "style": 1, "label": "x", "custom_id": "c" * 101}
    rows = [
        {"type": 1, "components": [dict(button, custom_id=f"{r}{i}") for i in range(6)]}
        for r in range(6)
    ]
    body = {"content": "x" * 2001, "embeds": [{"title": "t"}] * 11, "components": rows}
    problems = check_message(body, creating=True)
    assert "content is 2001 chars (max 2000)" in problems and "11 embeds (max 10)" in problems
    assert "6 action rows (max 5)" in problems and "components[0] has 6 buttons (max 5)" in problems
    problems = check_message({"components": [{"type": 1, "components": [button]}]}, creating=True)
    assert problems == ["components[0].components[0].custom_id is 101 chars (max 100)"]
    fields = [{"name": "n", "value": "v" * 1000}] * 7
    assert check_message({"embeds": [{"fields": fields}]}, creating=True) == [
        "embeds total 7007 chars (max 6000 per message)"
    ]
    text_input = {"type": 4, "custom_id": "b", "style": 1, "label": "L" * 46, "max_length": 5000}
    modal = {
        "title": "T" * 46,
        "custom_id": "m",
        "components": [{"type": 1, "components": [text_input]}],
    }
    problems = check_modal(modal)
    assert "modal title is 46 chars (max 45)" in problems
    assert "modal.components[0].label is 46 chars (max 45)" in problems
    assert "modal.components[0].max_length 5000 not in 1-4000" in problems


def test_embed_total_counts_every_counted_part_across_the_message() -> None:
    """Title, description, field names and values, footer and author name of all the message's
    embeds count against one 6,000; exactly 6,000 passes, one more is refused."""
    first = {"title": "t" * 256, "description": "d" * 2744, "footer": {"text": "f" * 1000}}
    second = {
        "author": {"name": "a" * 250},
        "fields": [{"name": "n" * 250, "value": "v" * 1000}, {"name": "m", "value": "w" * 499}],
    }
    assert check_message({"embeds": [first, second]}, creating=True) == []

    second["fields"][1]["value"] += "w"
    assert check_message({"embeds": [first, second]}, creating=False) == [
        "embeds total 6001 chars (max 6000 per message)"
    ]
