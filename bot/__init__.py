"""diary-bot: draft diary entries in Discord, publish them as GitHub issues."""

__version__ = "0.1.0"
