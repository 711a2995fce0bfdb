"""The servers this bot serves (DISCORD_GUILD_ID): others are left and change nothing; a listed
server the bot is not in does not stop it; without the list, a public bot is warned about."""

from __future__ import annotations

import sqlite3

from tests.e2e.harness import Rig
from tests.e2e.test_operations import cli

LEFT = 'leaving server "Stranger\'s Server"'


def drafts_in(rig: Rig) -> int:
    with sqlite3.connect(rig.database_path) as db:
        return db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]


def test_a_server_not_on_the_list_changes_nothing_and_is_left(rig: Rig) -> None:
    """The bot is in a server nobody listed, whose members still see commands synced globally
    by an earlier run: at start-up and when added again it leaves that server (logging which),
    and /draft publish and /draft new there get a refusal and create nothing."""
    world = rig.discord.world
    world.bot_guilds.append(world.other_guild_id)
    rig.extra_env["DISCORD_GUILD_ID"] = ""  # an earlier run served every server
    rig.start_bot()
    assert rig.discord.left_guilds == []
    rig.stop_bot()

    rig.extra_env["DISCORD_GUILD_ID"] = world.guild_id
    rig.bot = None  # a new environment for the next start
    rig.start_bot()
    rig.discord.wait_for(lambda: rig.discord.left_guilds == [world.other_guild_id], 10, "leave")
    assert LEFT in rig.bot.log()

    for locale, refusal in (("en-US", "other servers"), ("ja", "別のサーバー")):
        reply = rig.slash("stranger", "publish", {}, channel="elsewhere", locale=locale)
        final = reply.wait_final(timeout=10)
        assert refusal in final["content"] and final["flags"] & 64, final
    made = rig.slash("stranger", "new", {"title": "t", "body": "b"}, channel="elsewhere")
    assert "other servers" in made.wait_final(timeout=10)["content"]
    choices = rig.slash("stranger", "show", {"draft": ""}, channel="elsewhere", focused="draft")
    assert choices.wait_response()["data"]["choices"] == []
    assert rig.github.issues() == []
    assert drafts_in(rig) == 0

    rig.discord.join("other")  # added again while running
    rig.discord.wait_for(lambda: len(rig.discord.left_guilds) == 2, 10, "second leave")
    reply = rig.slash("admin", "new", {"title": "Home", "body": "still served"})
    assert "Home" in str(reply.wait_final(timeout=10))


def test_a_listed_server_the_bot_is_not_in_is_logged_and_the_others_served(rig: Rig) -> None:
    """DISCORD_GUILD_ID lists a server the bot is not in: Discord refuses that sync (403,
    50001); the bot says so in one line and serves the other server."""
    missing = rig.discord.world.ids.next()
    rig.extra_env["DISCORD_GUILD_ID"] = f"{missing},{rig.discord.world.guild_id}"
    rig.start_bot()
    reply = rig.slash("admin", "new", {"title": "Served", "body": "here"}).wait_final(timeout=10)
    assert "Served" in str(reply)
    log = rig.bot.log()
    lines = [line for line in log.splitlines() if missing in line]
    assert len(lines) == 1 and "the bot is not in it" in lines[0], log
    assert "Traceback" not in log


def test_a_public_bot_serving_every_server_is_warned_about(rig: Rig) -> None:
    """Without DISCORD_GUILD_ID and with "Public Bot" on, the start-up log and
    `diary-bot check` warn and say how to turn it off; turned off, neither warns."""
    rig.discord.world.bot_public = True
    rig.extra_env["DISCORD_GUILD_ID"] = ""
    checked = cli(rig, "check")
    warning = [line for line in checked.stdout.splitlines() if "who may add the bot" in line]
    assert len(warning) == 1 and warning[0].strip().startswith("!"), checked.stdout
    assert 'turn "Public Bot" off' in warning[0]
    rig.start_bot()
    assert 'Turn "Public Bot" off' in rig.bot.log()

    rig.discord.world.bot_public = False
    checked = cli(rig, "check")
    assert "✓ who may add the bot" in checked.stdout, checked.stdout
