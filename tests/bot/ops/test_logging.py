"""Log output: secrets redacted everywhere, and LOG_FORMAT=json gives one object per line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.errors import ConfigError
from bot.logs import REDACTED, setup_logging
from bot.settings import Settings

TOKEN = "MTAxNTk.fake-discord-token.abcdefghijklmnop"
GITHUB = "github_pat_11AAAAAAA0123456789abcdef"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the root handler writes (use `configure`); logging is restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)


def configure(stream: io.StringIO, log_format: str) -> None:
    """The bot's own logging set-up, writing to `stream` instead of stderr."""
    setup_logging("INFO", (TOKEN, GITHUB), log_format)
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
