"""/diary connect and /diary disconnect through the real bot: GitHub's device flow on the local
github.com (pending, then approved), the repository picked with autocomplete, tokens that never
reach the database file in plaintext, and a revoked sign-in that asks to connect again."""

from __future__ import annotations

from pathlib import Path

from bot.token_cipher import new_key
from tests.e2e.harness import Rig, wait_until
from tests.e2e.test_operations import cli

CLIENT_SECRET = "fake-client-secret"
APP_LINK = "https://github.com/apps/diary-bot-app"


def enable_connections(rig: Rig) -> None:
    """The operator's GitHub App, on the local github.com; polls every second."""
    rig.github.oauth.state.interval = 1
    rig.extra_env.update(
        GITHUB_APP_CLIENT_ID=rig.github.oauth.state.client_id,
        GITHUB_APP_CLIENT_SECRET=CLIENT_SECRET,
        TOKEN_ENCRYPTION_KEY=new_key(),
        GITHUB_APP_PUBLIC_LINK=APP_LINK,
        GITHUB_WEB_URL=rig.github.web_url,
    )


def database_bytes(rig: Rig) -> bytes:
    """The database file with its WAL and shared-memory files, as they are on disk."""
    folder: Path = rig.database_path.parent
    return b"".join(
        p.read_bytes() for p in folder.glob(f"{rig.database_path.name}*") if p.is_file()
    )


def secrets_issued(rig: Rig) -> list[bytes]:
    """Every access and refresh token the local GitHub handed out."""
    state = rig.github.oauth.state
    return [t.encode() for t in (*state.tokens, *state.refresh_tokens)]


def sign_in(rig: Rig, user: str, login: str) -> str:
    """Run /diary connect, see the code, let it poll once pending, approve; the final reply."""
    connect = rig.slash(user, "connect", command="diary")
    shown = connect.wait_final(timeout=10)
    assert shown["flags"] & 64
    (code,) = rig.github.oauth.pending_user_codes()
    assert code in shown["content"] and f"{rig.github.web_url}/login/device" in shown["content"]
    wait_until(lambda: any(r.path.endswith("/access_token") for r in rig.github.oauth.requests))
    rig.github.oauth.approve(code, login)
    wait_until(lambda: "Signed in" in connect.wait_final()["content"])
    return connect.wait_final()["content"]


def test_connect_pick_and_disconnect(rig: Rig) -> None:
    """Pending, then approved; the repositories offered are those the app may push to; the
    choice is kept; disconnect deletes the tokens; no token is ever in the file in plaintext."""
    enable_connections(rig)
    rig.github.oauth.add_installation("owner", ["owner/diary", "owner/notes"], {"owner": "admin"})
    rig.github.oauth.add_installation("alice", ["alice/diary"], {"owner": "pull"})
    rig.start_bot()

    signed_in = sign_in(rig, "owner", "owner")
    assert "Signed in on GitHub as **owner**" in signed_in and "`owner/diary`" in signed_in
    polls = [r for r in rig.github.oauth.requests if r.path.endswith("/access_token")]
    assert len(polls) >= 2  # at least one authorization_pending before the token
    for secret in secrets_issued(rig):
        assert secret not in database_bytes(rig)

    choices = rig.slash(
        "owner", "connect", {"repository": "di"}, command="diary", focused="repository"
    ).wait_response()
    assert [c["value"] for c in choices["data"]["choices"]] == ["owner/diary"]

    refused = rig.slash("owner", "connect", {"repository": "alice/diary"}, command="diary")
    text = refused.wait_final(timeout=10)["content"]
    assert "**alice/diary** is not a repository" in text and f"{APP_LINK}/installations/new" in text

    chosen = rig.slash("owner", "connect", {"repository": "owner/diary"}, command="diary")
    assert "**owner/diary**" in chosen.wait_final(timeout=10)["content"]
    for secret in secrets_issued(rig):
        assert secret not in database_bytes(rig)

    gone = rig.slash("owner", "disconnect", command="diary").wait_final()
    assert "Disconnected" in gone["content"]
    again = rig.slash("owner", "disconnect", command="diary").wait_final()
    assert "no GitHub connection" in again["content"]
    rig.stop_bot()
    for secret in secrets_issued(rig):
        assert secret not in database_bytes(rig)
    log = rig.bot.log() if rig.bot else ""
    for secret in secrets_issued(rig):
        assert secret.decode() not in log


def test_revoked_sign_in_asks_to_connect_again(rig: Rig) -> None:
    """A token GitHub rejects is refreshed; a revoked refresh token gets a clear reply (ja)."""
    enable_connections(rig)
    rig.github.oauth.add_installation("owner", ["owner/diary"], {"owner": "push"})
    rig.start_bot()
    sign_in(rig, "owner", "owner")
    rig.github.oauth.expire_token(rig.github.oauth.issued_tokens[0])
    chosen = rig.slash("owner", "connect", {"repository": "owner/diary"}, command="diary")
    assert "**owner/diary**" in chosen.wait_final(timeout=10)["content"]
    assert len(rig.github.oauth.issued_tokens) == 2  # refreshed once, transparently

    rig.github.oauth.revoke("owner")
    rig.github.oauth.advance(8 * 3600)
    again = rig.slash(
        "owner", "connect", {"repository": "owner/diary"}, command="diary", locale="ja"
    ).wait_final(timeout=10)
    assert "もう一度 /日記 接続" in again["content"]


def test_one_sign_in_at_a_time(rig: Rig) -> None:
    """A second /diary connect while the first waits asks GitHub for no new code: it shows the
    waiting one (in the member's language) and, on approval, both replies say signed in."""
    enable_connections(rig)
    rig.github.oauth.add_installation("owner", ["owner/diary"], {"owner": "push"})
    rig.start_bot()
    first = rig.slash("owner", "connect", command="diary")
    first.wait_final(timeout=10)
    (code,) = rig.github.oauth.pending_user_codes()

    second = rig.slash("owner", "connect", command="diary", locale="ja")
    wait_until(lambda: code in second.wait_final(timeout=10)["content"])
    assert second.wait_final()["content"].startswith("**サインインがすでに待機中です**")
    assert rig.github.oauth.pending_user_codes() == [code]
    codes = [r for r in rig.github.oauth.requests if r.path.endswith("/login/device/code")]
    assert len(codes) == 1

    rig.github.oauth.approve(code, "owner")
    wait_until(lambda: "Signed in" in first.wait_final()["content"])
    wait_until(lambda: "サインインしました" in second.wait_final()["content"])
    assert len(rig.github.oauth.issued_tokens) == 1  # one poller, one token


def test_a_refresh_token_rotated_as_the_bot_died_asks_to_connect_again(rig: Rig) -> None:
    """GitHub rotates the refresh token and the bot is killed before it hears the new one: the
    stored refresh token is spent, so after the restart the member is asked to connect again
    (ja), and /diary-admin status shows it for the admins."""
    enable_connections(rig)
    rig.github.oauth.add_installation("owner", ["owner/diary"], {"owner": "push"})
    bot = rig.start_bot()
    sign_in(rig, "owner", "owner")
    rig.github.oauth.expire_token(rig.github.oauth.issued_tokens[0])  # the next use refreshes
    rig.github.oauth.hold_refreshes()
    rig.slash("owner", "connect", {"repository": "owner/diary"}, command="diary")
    wait_until(lambda: rig.github.oauth.refreshes_held == 1)
    bot.kill()
    rig.github.oauth.hold_refreshes(False)
    assert len(rig.github.oauth.issued_tokens) == 2  # GitHub did issue new tokens

    rig.start_bot()
    again = rig.slash(
        "owner", "connect", {"repository": "owner/diary"}, command="diary", locale="ja"
    ).wait_final(timeout=10)
    assert "もう一度 /日記 接続" in again["content"]
    status = rig.slash("owner", "status", command="diary-admin").wait_final(timeout=10)
    diaries = status["embeds"][1]["description"]
    assert "must run /diary connect again" in diaries and "**1** must connect again" in diaries


def test_without_the_app_the_commands_explain(rig: Rig) -> None:
    """No GITHUB_APP_CLIENT_ID: /diary connect says the operator has not enabled it."""
    rig.start_bot()
    reply = rig.slash("owner", "connect", command="diary").wait_final()
    assert "not enabled" in reply["content"] and reply["flags"] & 64


def test_check_covers_the_app(rig: Rig) -> None:
    """`diary-bot check` with the app configured: client ID, secret and key pass; a wrong secret
    is a failure with what to do; the secret and the key are never printed."""
    enable_connections(rig)

    good = cli(rig, "check")
    assert good.returncode == 0, good.stdout + good.stderr
    for what in (
        "GitHub App client ID",
        "GitHub App client secret",
        "GitHub App public link",
        "TOKEN_ENCRYPTION_KEY",
    ):
        assert f"✓ {what}" in good.stdout, what
    bad = cli(rig, "check", GITHUB_APP_CLIENT_SECRET="not-the-secret")
    assert bad.returncode == 1 and "✗ GitHub App client secret" in bad.stdout
    link = cli(rig, "check", GITHUB_APP_PUBLIC_LINK="https://github.com/apps/someone-elses")
    assert link.returncode == 1 and "GitHub has no app named someone-elses" in link.stdout
    for result in (good, bad):
        output = result.stdout + result.stderr
        assert CLIENT_SECRET not in output and rig.extra_env["TOKEN_ENCRYPTION_KEY"] not in output
