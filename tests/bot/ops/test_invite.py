"""`diary-bot invite`: the OAuth2 link with the least permissions the bot needs."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

from bot.ops.invite import invite_url, run_invite

# Discord's documented bit positions: View Channel 10, Send Messages 11, Embed Links 14,
# Read Message History 16.
EXPECTED = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)


def test_the_link_asks_for_exactly_view_send_embed_and_history():
    """The permissions integer is View Channel | Send Messages | Embed Links | Read Message
    History (84992)."""
    query = parse_qs(urlsplit(invite_url(1234)).query)
    assert query == {
        "client_id": ["1234"],
        "scope": ["bot applications.commands"],
        "permissions": [str(EXPECTED)],
    }


def test_the_scopes_are_joined_with_a_plus():
    """The URL reads scope=bot+applications.commands, as Discord's URL generator writes it."""
    assert "scope=bot+applications.commands" in invite_url(1)
    assert invite_url(1).startswith("https://discord.com/oauth2/authorize?")


async def test_with_a_client_id_no_token_is_needed():
    """`--client-id` prints the link and names each permission, without asking Discord."""
    out = io.StringIO()
    assert await run_invite(None, 42, out) == 0
    text = out.getvalue()
    assert f"client_id=42&scope=bot+applications.commands&permissions={EXPECTED}" in text
    for name in ("View Channel", "Send Messages", "Embed Links", "Read Message History"):
        assert name in text


async def test_without_token_or_client_id_it_explains():
    """With neither a token nor --client-id it says what to give and exits 1."""
    out = io.StringIO()
    assert await run_invite(None, None, out) == 1
    assert "--client-id" in out.getvalue()
