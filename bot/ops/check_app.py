"""`diary-bot check`, members' own diaries: the GitHub App's client ID answers GitHub's device
flow, its client secret is accepted, its public link names an app GitHub has, and
TOKEN_ENCRYPTION_KEY opens the tokens already stored."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from bot.connection_settings import ConnectionSettings
from bot.errors import GitHubError
from bot.github_sign_in import GitHubSignIn
from bot.ops.report import Mark, Outcome, Report, failed, passed, skipped, warned
from bot.sign_in_records import RefreshRejected, SignInRefused
from bot.store import Store
from bot.store.export import inspect_database
from bot.token_cipher import TokenCipher, TokenUnreadable

WHAT = "GitHub App"
# Never a real refresh token: GitHub answers bad_refresh_token if the client credentials are
# right and incorrect_client_credentials if not, and nothing changes on GitHub either way.
PROBE_REFRESH_TOKEN = "ghr_diary-bot-check-probe"
_APP_PAGE = re.compile(r"/apps/(?P<slug>[A-Za-z0-9][A-Za-z0-9-]{0,99})")


async def check_app(
    connections: ConnectionSettings, api_url: str, database: Path, report: Report
) -> None:
    """Add the GitHub App's outcomes (a skip when /diary connect is not configured)."""
    report.section("GitHub App (members' own diaries)")
    if not connections.enabled:
        report.add(skipped(WHAT, "GITHUB_APP_CLIENT_ID not set: /diary connect is off"))
        return
    assert connections.client_id is not None and connections.encryption_key is not None
    sign_in = GitHubSignIn(
        connections.client_id, connections.client_secret, connections.web_url, api_url
    )
    device = await _device_flow(sign_in, connections)
    report.add(device)
    if device.mark is Mark.PASS:
        report.add(await _secret(sign_in, connections))
    report.add(await _public_link(sign_in, connections))
    report.add(await _key(connections.encryption_key, database))


async def _device_flow(sign_in: GitHubSignIn, connections: ConnectionSettings) -> Outcome:
    what = f"{WHAT} client ID (device flow at {connections.web_url})"
    try:
        await sign_in.request_device_code()
    except SignInRefused as refused:
        if refused.error == "device_flow_disabled":
            return failed(what, "device flow is off", "enable Device Flow in the app's settings")
        return failed(
            what,
            f"GitHub refused it ({refused.error})",
            "copy the Client ID from the app's settings page into GITHUB_APP_CLIENT_ID",
        )
    except GitHubError as error:
        return failed(what, f"no answer ({error.detail})", "check GITHUB_WEB_URL and the network")
    return passed(what, "accepted, device flow on")


async def _secret(sign_in: GitHubSignIn, connections: ConnectionSettings) -> Outcome:
    what = f"{WHAT} client secret"
    if connections.client_secret is None:
        return warned(
            what,
            "not set: members' tokens cannot be refreshed, so they must connect again every 8 h",
            "generate a client secret in the app's settings and set GITHUB_APP_CLIENT_SECRET",
        )
    try:
        await sign_in.refresh(PROBE_REFRESH_TOKEN)
    except RefreshRejected:
        return passed(what, "accepted")
    except SignInRefused as refused:
        return failed(
            what,
            f"GitHub refused it ({refused.error})",
            "generate a new client secret in the app's settings and set GITHUB_APP_CLIENT_SECRET",
        )
    except GitHubError as error:
        return failed(what, f"no answer ({error.detail})", "check GITHUB_WEB_URL and the network")
    return failed(what, "GitHub accepted a made-up refresh token", "check GITHUB_WEB_URL")


async def _public_link(sign_in: GitHubSignIn, connections: ConnectionSettings) -> Outcome:
    what = f"{WHAT} public link (GITHUB_APP_PUBLIC_LINK)"
    fix = "copy the app's Public link from its settings page: https://github.com/apps/<name>"
    if connections.app_link is None:
        return warned(
            what,
            "not set: a member whose repository lacks the app is not shown where to install it",
            fix,
        )
    page = _APP_PAGE.fullmatch(urlsplit(connections.app_link).path.rstrip("/"))
    if page is None:
        return failed(what, "not an app's public page", fix)
    slug = page["slug"]
    try:
        exists = await sign_in.app_page_exists(slug)
    except GitHubError as error:
        return failed(what, f"no answer ({error.detail})", "check GITHUB_WEB_URL and the network")
    if not exists:
        return failed(what, f"GitHub has no app named {slug}", fix)
    return passed(what, f"{slug} can be installed from it")


async def _key(key: str, database: Path) -> Outcome:
    what = "TOKEN_ENCRYPTION_KEY"
    info = await inspect_database(database)
    if not (info.exists and info.writable and info.schema_version == info.latest_version):
        return passed(what, "a valid key (no stored tokens to open yet)")
    store = await Store.open(database)
    try:
        sealed = await store.connections.get_any_connection_token()
    finally:
        await store.close()
    if sealed is None:
        return passed(what, "a valid key (no member has connected yet)")
    try:
        TokenCipher(key).decrypt(sealed)
    except TokenUnreadable:
        return failed(
            what,
            "does not open the tokens members stored (another key?)",
            "put back the key they were stored with, or members must /diary connect again",
        )
    return passed(what, "opens the stored tokens")
