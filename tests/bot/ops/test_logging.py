"""Log output: secrets redacted everywhere, and LOG_FORMAT=json gives one object per line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.errors import ConfigError
from bot.logs import DISCORD_WIRE, REDACTED, setup_logging
from bot.settings import Settings

TOKEN = "MTAxNTk.fake-discord-token.abcdefghijklmnop"
GITHUB = "github_pat_11AAAAAAA0123456789abcdef"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the root handler writes (use `configure`); logging is restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    others = {name: logging.getLogger(name).level for name in DISCORD_WIRE}
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, other in others.items():
        logging.getLogger(name).setLevel(other)


def configure(
    stream: io.StringIO, log_format: str, level: str = "INFO", *, discord_wire: bool = False
) -> None:
    """The bot's own logging set-up, writing to `stream` instead of stderr."""
    setup_logging(level, (TOKEN, GITHUB), log_format, discord_wire=discord_wire)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)


def log_everything(logger: logging.Logger) -> None:
    logger.info("token in the message: %s", "plain")
    logger.info(f"inline {TOKEN}")
    logger.warning("token in the args: %s and %s", TOKEN, GITHUB)
    try:
        raise RuntimeError(f"request failed with Authorization: Bot {TOKEN}")
    except RuntimeError:
        logger.exception("token in the traceback")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_tokens_are_removed_from_message_args_and_traceback(captured, log_format):
    """A token in a record's message, its args or its exception's traceback never reaches the
    output, in either format."""
    configure(captured, log_format)
    log_everything(logging.getLogger("bot.test"))
    output = captured.getvalue()
    assert TOKEN not in output and GITHUB not in output
    assert output.count(REDACTED) >= 4
    assert "RuntimeError" in output


def test_json_lines_have_time_level_logger_message_and_exc_info(captured):
    """With LOG_FORMAT=json every record is one JSON object with the agreed keys."""
    configure(captured, "json")
    log_everything(logging.getLogger("bot.test"))
    records = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert len(records) == 4
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert records[2]["level"] == "WARNING" and records[2]["logger"] == "bot.test"
    assert "exc_info" not in records[0]
    assert records[3]["exc_info"].startswith("Traceback")
    assert REDACTED in records[3]["exc_info"]


def test_log_format_must_be_text_or_json():
    """Another LOG_FORMAT is a configuration problem, reported with the others."""
    env = {"DISCORD_TOKEN": "x", "GITHUB_TOKEN": "y", "GITHUB_REPOSITORY": "a/b"}
    assert Settings.from_env({**env, "LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({**env, "LOG_FORMAT": "xml"})
    assert raised.value.problems == ["LOG_FORMAT must be text or json"]


INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTE1OTc0NTg3MjM0MDk0ODAwMDpYWFhY-_secret"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_interaction_and_webhook_tokens_are_redacted_at_debug(captured, log_format):
    """At DEBUG, with discord.py's wire records asked for, tokens in callback and follow-up
    URLs and in gateway events are redacted; the ids around them stay."""
    configure(captured, log_format, "DEBUG", discord_wire=True)
    http = logging.getLogger("discord.http")
    url = f"https://discord.com/api/v10/interactions/1159745872340948000/{INTERACTION_TOKEN}"
    http.debug("%s %s with %s has returned %s", "POST", f"{url}/callback", "{}", 204)
    followup = f"https://discord.com/api/v10/webhooks/1015900/{INTERACTION_TOKEN}"
    logging.getLogger("discord.webhook.async_").debug(
        "Webhook ID %s with %s %s has returned status code %s", 1, "PATCH", followup, 200
    )
    event = {"t": "INTERACTION_CREATE", "d": {"id": "1", "token": INTERACTION_TOKEN}}
    logging.getLogger("discord.gateway").debug("WebSocket Event: %s", event)
    logging.getLogger("bot.test").error("failed: %s", json.dumps(event))

    output = captured.getvalue()
    assert INTERACTION_TOKEN not in output
    assert output.count(REDACTED) == 4
    assert "/interactions/1159745872340948000/" in output and "/webhooks/1015900/" in output


def test_discord_wire_records_stay_off_at_debug_unless_asked_for(captured):
    """LOG_LEVEL=DEBUG alone leaves discord.py's request and event records out (they carry
    drafts' text); the bot's own debug records are kept."""
    configure(captured, "text", "DEBUG")
    logging.getLogger("discord.http").debug("POST /channels with draft text")
    logging.getLogger("discord.gateway").debug("WebSocket Event: draft text")
    logging.getLogger("bot.test").debug("our own detail")

    output = captured.getvalue()
    assert "draft text" not in output and "our own detail" in output


def test_log_discord_wire_is_a_flag():
    """LOG_DISCORD_WIRE is 1 or 0 (default 0); anything else is a configuration problem."""
    env = {"DISCORD_TOKEN": "x", "GITHUB_TOKEN": "y", "GITHUB_REPOSITORY": "a/b"}
    assert Settings.from_env(env).log_discord_wire is False
    assert Settings.from_env({**env, "LOG_DISCORD_WIRE": "1"}).log_discord_wire is True
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({**env, "LOG_DISCORD_WIRE": "yes please"})
    assert raised.value.problems == ["LOG_DISCORD_WIRE must be 1 (on) or 0 (off)"]
