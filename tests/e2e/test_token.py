"""The GitHub token's end seen before it bites: its expiry in /diary-admin status and `diary-bot
check`, a warning from a week before, and a rejected token that loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.harness import Rig
from tests.e2e.test_operations import cli


def expiry_in(days: float) -> tuple[str, int]:
    """GitHub's header value for a token expiring in `days`, and its Unix time."""
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC"), int(moment.timestamp())


def status(rig: Rig, locale: str = "en-US") -> dict:
    reply = rig.slash("admin", "status", command="diary-admin", locale=locale).wait_final()
    return reply["embeds"][0]


def token_field(embed: dict) -> str:
    (value,) = [
        f["value"] for f in embed["fields"] if f["name"] in ("GitHub token", "GitHub トークン")
    ]
    return value


def start_and_touch_github(rig: Rig) -> None:
    """Start the bot and make it talk to GitHub once (a draft published)."""
    rig.start_bot()
    rig.slash("admin", "new", {"title": "Day", "body": "本文"}).wait_final()
    reply = rig.slash("admin", "publish").wait_final(timeout=15, quiet=0.5)
    assert "#1" in reply["content"]


def test_status_shows_a_far_expiry_without_alarm(rig: Rig) -> None:
    """A token expiring in two months: the status shows the date, and no warning."""
    value, stamp = expiry_in(60)
    rig.github.set_token_expiration(value)
    start_and_touch_github(rig)
    embed = status(rig)
    assert token_field(embed) == f"expires <t:{stamp}:D> (<t:{stamp}:R>)"
    assert "description" not in embed or "⚠️" not in embed["description"]
    assert "GitHub token expires" not in rig.bot.log()


def test_a_token_expiring_within_a_week_is_told_to_admins_and_logged(rig: Rig) -> None:
    """Three days before expiry: the status opens with the warning (in Japanese for a ja
    admin), and the log has a warning naming the date."""
    value, stamp = expiry_in(3)
    rig.github.set_token_expiration(value)
    start_and_touch_github(rig)
    embed = status(rig)
    assert embed["description"].startswith(f"⚠️ The GitHub token expires <t:{stamp}:R>")
    assert "GITHUB_TOKEN" in embed["description"]
    assert token_field(embed) == embed["description"]
    assert "GitHub のトークンが" in status(rig, locale="ja")["description"]
    assert f"the GitHub token expires on {value[:16]} UTC" in rig.bot.log()


def test_check_shows_the_expiry_and_warns_without_failing(rig: Rig) -> None:
    """`diary-bot check` names the expiry; within a week it is a warning, not a failure."""
    value, _ = expiry_in(3)
    rig.github.set_token_expiration(value)
    result = cli(rig, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = [x for x in result.stdout.splitlines() if "token expiry" in x]
    assert line.strip().startswith(f"! token expiry: {value[:16]} UTC, in 2 day(s)")


def test_a_rejected_token_loses_no_draft_and_no_job(rig: Rig) -> None:
    """Publishing while GitHub rejects the token: told so at once, in the member's language;
    the draft and its publish job are kept; published once the token works again."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Kept", "body": "Still here."}).wait_final()
    rig.github.set_mode(token_revoked=True)
    reply = rig.slash("owner", "publish", locale="ja").wait_final(timeout=10, quiet=0.5)
    assert "GitHub のトークンが拒否された（期限切れか取り消し）" in reply["content"]
    shown = rig.slash("owner", "show").wait_final()
    assert shown["embeds"][0]["description"] == "Still here."
    embed = status_of_jobs(rig)
    assert embed.startswith("1 pending")
    rig.github.clear_faults()
    again = rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert "#1" in again["content"]
    assert [i["title"] for i in rig.github.issues()] == ["Kept"]


def status_of_jobs(rig: Rig) -> str:
    fields = {f["name"]: f["value"] for f in status(rig)["fields"]}
    return fields["Publish jobs"]
