"""`diary-bot check` for the GitHub App of /diary connect: client ID and device flow, client
secret, and whether TOKEN_ENCRYPTION_KEY opens the stored tokens. Against the local GitHub."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from bot.connection_settings import ConnectionSettings
from bot.ops.check_app import check_app
from bot.ops.report import Report
from bot.token_cipher import TokenCipher, new_key
from tests.conftest import DATABASE_FILE
from tests.fakes.github_oauth import OAuthState

KEY = new_key()


def settings(fake, **changes) -> ConnectionSettings:
    values = {
        "client_id": OAuthState.client_id,
        "client_secret": OAuthState.client_secret,
        "encryption_key": KEY,
        "web_url": fake.web_url,
    }
    values.update(changes)
    return ConnectionSettings(**values)


async def run(fake, connections: ConnectionSettings, tmp_path) -> tuple[str, Report]:
    out = io.StringIO()
    report = Report(out, connections.secrets())
    await check_app(connections, fake.url, tmp_path / DATABASE_FILE, report)
    return out.getvalue(), report


async def test_not_configured_is_a_skip(fake_github, tmp_path):
    """Without GITHUB_APP_CLIENT_ID the section says /diary connect is off, and fails nothing."""
    text, report = await run(fake_github, ConnectionSettings(), tmp_path)
    assert "– GitHub App: GITHUB_APP_CLIENT_ID not set" in text and report.failures == 0


async def test_a_working_app_passes(fake_github, tmp_path):
    """Client ID, secret and key pass; neither the secret nor the key is printed."""
    text, report = await run(fake_github, settings(fake_github), tmp_path)
    assert report.failures == 0 and report.passes == 3, text
    assert OAuthState.client_secret not in text and KEY not in text


@pytest.mark.parametrize(
    ("changes", "enabled", "expected"),
    [
        ({"client_id": "Iv23liUnknown"}, True, "GitHub refused it (Not Found)"),
        ({}, False, "enable Device Flow in the app's settings"),
        ({"client_secret": "wrong-secret"}, True, "(incorrect_client_credentials)"),
    ],
)
async def test_app_mistakes_fail_with_a_fix(fake_github, tmp_path, changes, enabled, expected):
    """An unknown client ID, device flow off, or a wrong secret is a ✗ that says what to do."""
    fake_github.oauth.state.device_flow_enabled = enabled
    text, report = await run(fake_github, settings(fake_github, **changes), tmp_path)
    assert report.failures == 1 and expected in text, text


async def test_no_secret_is_a_warning(fake_github, tmp_path):
    """Without a client secret tokens cannot be refreshed: a warning, not a failure."""
    text, report = await run(fake_github, settings(fake_github, client_secret=None), tmp_path)
    assert report.failures == 0 and "! GitHub App client secret: not set" in text


async def test_the_key_must_open_the_stored_tokens(fake_github, store, tmp_path):
    """Tokens sealed with another key: ✗; with this key: ✓."""
    now = datetime.now(UTC)
    sealed = TokenCipher(new_key()).encrypt("ghu_x")
    await store.connections.put_connection_tokens(1, 2, "bob", sealed, now, None, None, now)
    text, report = await run(fake_github, settings(fake_github), tmp_path)
    assert report.failures == 1 and "does not open the tokens" in text
    await store.connections.put_connection_tokens(
        1, 2, "bob", TokenCipher(KEY).encrypt("ghu_x"), now, None, None, now
    )
    text, report = await run(fake_github, settings(fake_github), tmp_path)
    assert report.failures == 0 and "opens the stored tokens" in text


APP_LINK = f"https://github.com/apps/{OAuthState.slug}"


@pytest.mark.parametrize(
    ("link", "mark", "expected"),
    [
        (APP_LINK, "✓", f"{OAuthState.slug} can be installed from it"),
        (None, "!", "not set: a member whose repository lacks the app is not shown where"),
        ("https://github.com/apps/not-our-app", "✗", "GitHub has no app named not-our-app"),
        ("https://github.com/settings/apps/x", "✗", "not an app's public page"),
    ],
)
async def test_the_public_link_must_name_an_app_github_has(
    fake_github, tmp_path, link, mark, expected
):
    """GITHUB_APP_PUBLIC_LINK (where members install the app): unset is a warning; a page that
    is no app's, or an app GitHub does not have, is a ✗ that says where to copy it from. Only
    github.com's path is used (here the local github.com)."""
    text, report = await run(fake_github, settings(fake_github, app_link=link), tmp_path)
    (line,) = [line for line in text.splitlines() if "public link" in line]
    assert line.strip().startswith(f"{mark} GitHub App public link") and expected in line, text
    assert report.failures == (1 if mark == "✗" else 0)
    if mark == "✗":
        assert "https://github.com/apps/<name>" in text
