"""Start-up against a Discord that is not there yet, a heartbeat while running, and the one
start-up failure waiting cannot fix."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

from tests.e2e.harness import ROOT, BotProcess, Rig

WAITING = re.compile(r"cannot reach 127\.0\.0\.1: connection refused; retrying in [\d.]+ s")


def health(rig: Rig) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=ROOT,
        env=rig.env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_bot_waits_for_discord_and_comes_up_by_itself(rig: Rig) -> None:
    """Discord refuses connections at start: the bot says so once per attempt (no traceback),
    keeps trying, connects when Discord is back and answers a command; its heartbeat file is
    fresh only from then on."""
    heartbeat = rig.tmp_path / "heartbeat"
    rig.extra_env.update(DIARY_BOT_START_RETRY_CAP="1", HEARTBEAT_FILE=str(heartbeat))
    rig.discord.go_down()
    log_path = rig.tmp_path / "bot.log"
    stop = threading.Event()

    def come_up_after_two_attempts() -> None:
        # Discord comes back once the bot has failed (and said so) twice, however slowly a
        # loaded machine starts the process.
        deadline = time.monotonic() + 60
        while not stop.wait(0.2) and time.monotonic() < deadline:
            if log_path.exists() and len(WAITING.findall(log_path.read_text("utf-8"))) >= 2:
                break
        rig.discord.come_up()

    returner = threading.Thread(target=come_up_after_two_attempts, daemon=True)
    returner.start()
    try:
        rig.start_bot(timeout=90)
    finally:
        stop.set()
        returner.join(10)
    assert rig.bot is not None
    log = rig.bot.log()
    assert len(WAITING.findall(log)) >= 2, log

    reply = rig.slash("admin", "new", {"title": "Up", "body": "after the outage"}).wait_final()
    assert "Up" in str(reply)
    rig.discord.wait_for(heartbeat.exists, 10, "heartbeat file")
    checked = health(rig)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("healthy")


def test_health_fails_without_a_running_bot(rig: Rig) -> None:
    """No bot, no heartbeat: `diary-bot health` exits 1 with one line."""
    rig.extra_env["HEARTBEAT_FILE"] = str(rig.tmp_path / "heartbeat")
    checked = health(rig)
    assert checked.returncode == 1
    assert (
        checked.stdout.strip()
        == f"unhealthy: no heartbeat yet ({rig.tmp_path / 'heartbeat'} does not exist)"
    )


def test_rejected_token_exits_1_with_one_line(rig: Rig) -> None:
    """Waiting cannot fix a token Discord rejects: exit 1 at once, one clear line, no
    traceback, no token in the output."""
    env = {**rig.env(), "DISCORD_TOKEN": "not-the-bot-token-at-all"}
    bot = BotProcess(env, rig.tmp_path / "rejected.log").start()
    assert bot.wait(30) == 1
    log = bot.log()
    assert "Discord rejected DISCORD_TOKEN" in log
    assert "Traceback" not in log
    assert "not-the-bot-token-at-all" not in log
    assert "retrying" not in log
