"""Logging set up once, with secrets removed from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

REDACTED = "[redacted]"
# Tokens that are not configured secrets but open doors all the same: an interaction's token
# (in callback URLs and gateway events) and a webhook's (in follow-up URLs). Linear patterns:
# each attempt starts at a fixed word and its runs end at the first character they exclude.
_TOKENS = (
    re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?#'\"]+"),
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""),
)
# discord.py's loggers that write whole requests, responses and gateway events at DEBUG.
DISCORD_WIRE = ("discord.http", "discord.gateway", "discord.webhook")


class RedactSecrets(logging.Filter):
    """Replaces each secret with [redacted] in the formatted message and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if len(secret) >= 8]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _TOKENS:
            text = pattern.sub(r"\1" + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and, if any, exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # RedactSecrets has already turned exc_info into a cleaned exc_text; use that text.
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: str, secrets: Iterable[str], log_format: str = "text", *, discord_wire: bool = False
) -> None:
    """One stderr handler on the root logger; discord.py's loggers propagate to it. Its
    records of whole requests and events stay off below INFO unless `discord_wire`."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"
            )
        )
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # PyGithub and urllib3 log request details at DEBUG, aiosqlite every statement with its
    # parameters (drafts' text): keep them at INFO or above.
    noisy = ["github", "urllib3", "aiosqlite"] + ([] if discord_wire else list(DISCORD_WIRE))
    for name in noisy:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    # The bot never joins voice: discord.py's warning about missing voice libraries would only
    # alarm people reading the log.
    logging.getLogger("discord.client").addFilter(_not_about_voice)


def _not_about_voice(record: logging.LogRecord) -> bool:
    return "voice will NOT be supported" not in record.getMessage()
