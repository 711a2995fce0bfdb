"""How a GitHub repository is named inside the bot."""

from __future__ import annotations


def repository_key(full_name: str) -> str:
    """`owner/name` in lower case: GitHub ignores case in both, so this is the one spelling
    stored and compared (announcements, watch state, webhook routing)."""
    return full_name.strip().lower()
