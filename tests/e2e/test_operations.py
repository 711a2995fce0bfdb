"""Running diary-bot for months: `diary-bot check`, `invite`, `backup`, `export`/`import` as
subprocesses against the local Discord and GitHub, and /diary-admin status in the running bot."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.models import Owner
from bot.store import Store
from tests.e2e.harness import GITHUB_TOKEN, ROOT, Rig
from tests.fakes.discord_world import EMBED_LINKS

# Discord's documented bit positions: View Channel 10, Send Messages 11, Embed Links 14,
# Read Message History 16.
INVITE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)


def cli(rig: Rig, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with the bot's environment; its output never holds a token."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**rig.env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for secret in (rig.discord.token, GITHUB_TOKEN):
        assert secret not in result.stdout + result.stderr
    return result


def failures(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("✗")]


def test_check_passes_when_everything_is_in_place(rig: Rig) -> None:
    """Against working Discord and GitHub every check passes and the exit status is 0."""
    result = cli(rig, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert failures(result.stdout) == []
    for what in (
        "Discord token",
        "announcement channel #announcements",
        "GitHub token",
        "creating issues",
        "rate limit",
        "database",
    ):
        assert any(line.strip().startswith(f"✓ {what}") for line in result.stdout.splitlines()), (
            what
        )
    assert "All " in result.stdout and "checks passed" in result.stdout
    assert rig.github.issues() == []  # the permission probe created nothing


@pytest.mark.parametrize(
    ("mode", "failing"),
    [
        ("token_revoked", "✗ GitHub token: rejected"),
        ("repo_missing", "✗ repository alice/diary: not found"),
        ("issues_disabled", "✗ issues: turned off"),
        ("read_only", "✗ creating issues: the token may not"),
    ],
)
def test_check_names_the_github_problem(rig: Rig, mode: str, failing: str) -> None:
    """Each GitHub problem gives its own ✗ line with what to do, and exit status 1."""
    rig.github.set_mode(**{mode: True})
    result = cli(rig, "check")
    assert result.returncode == 1
    line = next((f for f in failures(result.stdout) if f.startswith(failing)), None)
    assert line is not None, result.stdout
    assert " → " in line


def test_check_reports_an_unknown_announcement_channel(rig: Rig) -> None:
    """An announcement channel Discord does not know is a ✗ saying how to get the right id."""
    result = cli(rig, "check", ANNOUNCE_CHANNEL_ID="123456789012345678")
    assert result.returncode == 1
    (line,) = failures(result.stdout)
    assert line.startswith("✗ announcement channel 123456789012345678")
    assert "no such channel" in line and "Copy Channel ID" in line


def test_check_reports_a_missing_channel_permission(rig: Rig) -> None:
    """A channel overwrite denying the bot Embed Links is found from roles and overwrites."""
    channel = rig.discord.world.channel("announcements")
    channel["permission_overwrites"].append(
        {"id": rig.discord.world.application_id, "type": 1, "allow": "0", "deny": str(EMBED_LINKS)}
    )
    result = cli(rig, "check")
    assert result.returncode == 1
    (line,) = failures(result.stdout)
    assert line.startswith("✗ announcement channel #announcements")
    assert "lacks Embed Links" in line


def test_check_covers_each_servers_configured_channel(rig: Rig) -> None:
    """Channels chosen with /diary-admin config (stored in the database) are checked too."""
    writing = int(rig.discord.channel_id("writing"))

    async def configure() -> None:
        store = await Store.open(rig.database_path)
        await store.settings.update_guild_settings(
            int(rig.discord.world.guild_id), datetime.now(UTC), announce_channel_id=writing
        )
        await store.close()

    asyncio.run(configure())
    result = cli(rig, "check", ANNOUNCE_CHANNEL_ID="")
    assert result.returncode == 0, result.stdout
    assert (
        f"✓ announcement channel #writing ({writing}, /diary-admin config in server"
        in result.stdout
    )


def test_check_reports_a_rejected_discord_token(rig: Rig) -> None:
    """A Discord token Discord rejects is a ✗ saying where to reset it."""
    result = cli(rig, "check", DISCORD_TOKEN="not-the-bot-token-at-all")
    assert result.returncode == 1
    assert failures(result.stdout)[0].startswith("✗ Discord token: rejected")
    assert "not-the-bot-token-at-all" not in result.stdout + result.stderr


def test_check_with_bad_configuration_lists_problems_and_exits_2(rig: Rig) -> None:
    """Configuration problems stop `check` like the bot: one line each, exit status 2."""
    result = cli(rig, "check", GITHUB_REPOSITORY="not a repository", LOG_FORMAT="xml")
    assert result.returncode == 2
    assert "  - GITHUB_REPOSITORY must look like owner/name" in result.stderr
    assert "  - LOG_FORMAT must be text or json" in result.stderr


def test_invite_prints_the_link_with_the_applications_id(rig: Rig) -> None:
    """`diary-bot invite` asks Discord for the application id and prints the minimal link."""
    result = cli(rig, "invite")
    assert result.returncode == 0, result.stdout + result.stderr
    url = (
        "https://discord.com/oauth2/authorize?client_id="
        f"{rig.discord.world.application_id}&scope=bot+applications.commands"
        f"&permissions={INVITE_PERMISSIONS}"
    )
    assert url in result.stdout


def test_export_and_import_commands_round_trip(rig: Rig, tmp_path) -> None:
    """`diary-bot export DIR` then `diary-bot import DIR --database NEW` restore the drafts."""
    body = "日本語の本文。\n\n二段落目。"

    async def fill() -> None:
        store = await Store.open(rig.database_path)
        await store.drafts.add_draft(Owner(1, 2), "一日目", body, ["diary"], datetime.now(UTC))
        await store.close()

    asyncio.run(fill())
    exported = cli(rig, "export", str(tmp_path / "export"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    new = tmp_path / "restored.sqlite3"
    imported = cli(rig, "import", str(tmp_path / "export"), "--database", str(new))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    connection = sqlite3.connect(new)
    try:
        assert connection.execute("SELECT title, body FROM drafts").fetchall() == [("一日目", body)]
    finally:
        connection.close()
    again = cli(rig, "import", str(tmp_path / "export"), "--database", str(new))
    assert again.returncode == 1 and "not empty" in again.stdout


def test_backup_of_the_running_bots_database(rig: Rig, tmp_path) -> None:
    """`diary-bot backup` copies the live database while the bot runs; the copy is intact."""
    rig.start_bot()
    rig.slash("admin", "new", {"title": "Backed up", "body": "本文"}).wait_final()
    result = cli(rig, "backup", str(tmp_path / "backup.sqlite3"))
    assert result.returncode == 0, result.stdout + result.stderr
    connection = sqlite3.connect(tmp_path / "backup.sqlite3")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT title FROM drafts").fetchall() == [("Backed up",)]
    finally:
        connection.close()


def test_status_shows_pending_jobs_ephemerally(rig: Rig) -> None:
    """/diary-admin status answers an admin privately, in time, with the publish job still
    pending."""
    rig.start_bot()
    rig.slash("admin", "new", {"title": "Pending", "body": "まだ"}).wait_final()
    rig.github.hold_creates()
    rig.slash("admin", "publish")
    rig.github.wait_for_request("POST", "/repos/alice/diary/issues")

    status = rig.slash("admin", "status", command="diary-admin")
    reply = status.wait_final()

    assert status.ephemeral
    fields = {field["name"]: field["value"] for field in reply["embeds"][0]["fields"]}
    assert fields["Publish jobs"].startswith("1 pending")
    assert fields["Announcement jobs"].startswith("0 pending")
    assert fields["Watcher (entries written on GitHub)"].startswith("off")
    rig.github.release_creates()


def test_restore_is_refused_while_the_bot_runs_and_works_once_stopped(rig: Rig, tmp_path) -> None:
    """`diary-bot restore` refuses while the bot holds the database; after the bot stops it
    puts the backup in place, and the restarted bot serves the backup's drafts."""
    rig.start_bot()
    rig.slash("admin", "new", {"title": "Before the backup", "body": "本文"}).wait_final()
    backup = tmp_path / "backup.sqlite3"
    assert cli(rig, "backup", str(backup)).returncode == 0
    rig.slash("admin", "new", {"title": "After the backup", "body": "本文"}).wait_final()
    refused = cli(rig, "restore", str(backup))
    assert refused.returncode == 1 and "stop it first" in refused.stdout
    assert rig.stop_bot() == 0
    restored = cli(rig, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    rig.start_bot()
    listed = str(rig.slash("admin", "list").wait_final())
    assert "Before the backup" in listed and "After the backup" not in listed


def test_a_second_bot_on_the_same_database_exits_with_a_clear_line(rig: Rig) -> None:
    """While one bot runs, a second one started on its database says so and exits 1."""
    rig.start_bot()
    second = cli(rig)
    assert second.returncode == 1
    assert "in use by another diary-bot" in second.stdout + second.stderr
