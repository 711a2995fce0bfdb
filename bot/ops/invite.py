"""`diary-bot invite`: the link that adds the bot to a server with the least permissions it
needs."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.ops.discord_probe import DiscordProbe, ProbeError, oauth_url, required_permissions

SCOPES = ("bot", "applications.commands")
EXIT_OK = 0
EXIT_FAILED = 1


def permissions_value() -> int:
    """The permissions integer: View Channel, Send Messages, Embed Links, Read Message
    History."""
    value = 0
    for _, bit in required_permissions():
        value |= bit
    return value


def invite_url(client_id: int) -> str:
    """The OAuth2 URL that adds the application as a bot with its commands."""
    return oauth_url(client_id, permissions_value(), SCOPES)


async def run_invite(token: str | None, client_id: int | None, out: TextIO = sys.stdout) -> int:
    """Print the invite URL; without `client_id`, ask Discord for the application's id."""
    if client_id is None:
        if not token:
            print(
                "diary-bot invite needs DISCORD_TOKEN (to look up the application id) or "
                "--client-id (Developer Portal → your application → General Information → "
                "Application ID).",
                file=out,
            )
            return EXIT_FAILED
        try:
            async with DiscordProbe(token) as probe:
                await probe.login()
                client_id = await probe.application_id()
        except ProbeError as error:
            print(f"Discord did not give the application id ({error.detail}).", file=out)
            if error.kind == "unauthorized":
                print("Reset the bot token (Developer Portal → Bot → Reset Token).", file=out)
            print("Or pass it yourself: diary-bot invite --client-id ID", file=out)
            return EXIT_FAILED
    print("Open this link to add the bot to a server you manage:", file=out)
    print(f"  {invite_url(client_id)}", file=out)
    print("", file=out)
    print(f"Permissions (integer {permissions_value()}):", file=out)
    for label, bit in required_permissions():
        print(f"  - {label} (1 << {bit.bit_length() - 1} = {bit})", file=out)
    print("Scopes: " + ", ".join(SCOPES), file=out)
    return EXIT_OK
