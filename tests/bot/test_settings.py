"""Configuration from the environment: every problem reported at once, secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import Settings

DISCORD_TOKEN = "discord-secret-MTIzNDU2Nzg5"
GITHUB_TOKEN = "github_pat_secret_0123456789"
REQUIRED = {
    "DISCORD_TOKEN": DISCORD_TOKEN,
    "GITHUB_TOKEN": GITHUB_TOKEN,
    "GITHUB_REPOSITORY": "alice/diary",
}


def problems(**env: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    return raised.value.problems


def load(**extra: str) -> Settings:
    return Settings.from_env({**REQUIRED, **extra})


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_missing_required_variable_is_one_problem_naming_it(name):
    """Leaving out one required variable gives exactly one problem line, which names it."""
    env = {key: value for key, value in REQUIRED.items() if key != name}

    found = problems(**env)

    assert len(found) == 1
    assert name in found[0]


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_blank_required_variable_counts_as_missing(name):
    """A required variable set to whitespace is reported as not set."""
    found = problems(**{**REQUIRED, name: "   "})

    assert len(found) == 1 and name in found[0]


def test_every_problem_is_reported_at_once():
    """With nothing set, each required variable has its own problem line."""
    found = problems()

    assert len(found) == 3
    for name in REQUIRED:
        assert sum(name in line for line in found) == 1


@pytest.mark.parametrize(
    "repository", ["alice", "alice/diary/extra", "-alice/diary", "alice/", "/diary", "al ice/diary"]
)
def test_malformed_repository_is_a_problem(repository):
    """GITHUB_REPOSITORY must be owner/name."""
    found = problems(**{**REQUIRED, "GITHUB_REPOSITORY": repository})

    assert len(found) == 1 and "GITHUB_REPOSITORY" in found[0]


@pytest.mark.parametrize("name", ["ANNOUNCE_CHANNEL_ID", "DISCORD_GUILD_ID"])
@pytest.mark.parametrize(
    "value", ["general", "12345", "123456789012345678901", "-1234567890123456"]
)
def test_malformed_discord_id_is_a_problem(name, value):
    """Channel and guild ids must be Discord snowflakes."""
    found = problems(**{**REQUIRED, name: value})

    assert len(found) == 1 and name in found[0]


@pytest.mark.parametrize(
    "template",
    ["https://me.github.io/diary/articles/{id}", "me.github.io/diary/{number}"],
)
def test_malformed_blog_url_template_is_a_problem(template):
    """BLOG_URL_TEMPLATE must be an http(s) URL containing {number}."""
    found = problems(**{**REQUIRED, "BLOG_URL_TEMPLATE": template})

    assert len(found) == 1 and "BLOG_URL_TEMPLATE" in found[0]


def test_malformed_api_url_is_a_problem():
    """GITHUB_API_URL must be an http(s) URL."""
    found = problems(**{**REQUIRED, "GITHUB_API_URL": "api.github.com"})

    assert len(found) == 1 and "GITHUB_API_URL" in found[0]


@pytest.mark.parametrize("value", ["soon", "-60", "0.5", "ten seconds"])
def test_malformed_poll_interval_is_a_problem(value):
    """POLL_INTERVAL must be a positive number of seconds (not below the minimum), or 0."""
    found = problems(**{**REQUIRED, "POLL_INTERVAL": value})

    assert len(found) == 1 and "POLL_INTERVAL" in found[0]


def test_nan_poll_interval_is_a_problem():
    """POLL_INTERVAL=nan is not a number of seconds."""
    found = problems(**{**REQUIRED, "POLL_INTERVAL": "nan"})

    assert len(found) == 1 and "POLL_INTERVAL" in found[0]


@pytest.mark.parametrize(("value", "expected"), [("0", 0.0), ("10", 10.0), ("90.5", 90.5)])
def test_poll_interval_accepts_zero_or_ten_and_more(value, expected):
    """0 turns polling off; 10 seconds or more is accepted as given."""
    assert load(POLL_INTERVAL=value).poll_interval == expected


def test_unknown_log_level_is_a_problem():
    """LOG_LEVEL must name a logging level."""
    found = problems(**{**REQUIRED, "LOG_LEVEL": "LOUD"})

    assert len(found) == 1 and "LOG_LEVEL" in found[0]


def test_log_level_is_case_insensitive():
    """LOG_LEVEL=debug is read as DEBUG."""
    assert load(LOG_LEVEL="debug").log_level == "DEBUG"


def test_short_discord_id_is_rejected_as_the_message_says():
    """An id of 16 digits is outside the "17 to 20 digits" the problem line promises."""
    found = problems(**{**REQUIRED, "ANNOUNCE_CHANNEL_ID": "1234567890123456"})

    assert len(found) == 1 and "17 to 20" in found[0]


def test_optional_values_have_defaults():
    """With only the required variables set, every optional one has its default."""
    settings = load()

    assert settings.github_api_url == "https://api.github.com"
    assert settings.database_path == Path("diary.sqlite3")
    assert settings.announce_channel_id is None and settings.discord_guild_ids == ()
    assert settings.blog_url_template is None
    assert (settings.poll_interval, settings.log_level) == (60.0, "INFO")
    assert settings.webhook_host == "127.0.0.1"  # only this machine: a reverse proxy in front


def test_optional_values_are_read():
    """Optional variables are parsed into their types."""
    settings = load(
        GITHUB_API_URL="http://127.0.0.1:8080/",
        DATABASE_PATH="/data/diary.db",
        ANNOUNCE_CHANNEL_ID="300000000000000001",
        DISCORD_GUILD_ID="100000000000000001",
        BLOG_URL_TEMPLATE="https://me.github.io/diary/articles/{number}",
    )

    assert settings.github_api_url == "http://127.0.0.1:8080"
    assert settings.database_path == Path("/data/diary.db")
    assert settings.announce_channel_id == 300000000000000001
    assert settings.discord_guild_ids == (100000000000000001,)
    assert settings.blog_url_template == "https://me.github.io/diary/articles/{number}"


def test_repr_contains_no_token():
    """Neither token appears in repr() or str() of the settings."""
    settings = load()

    for text in (repr(settings), str(settings)):
        assert DISCORD_TOKEN not in text and GITHUB_TOKEN not in text
    assert "alice/diary" in repr(settings)


def test_problem_lines_contain_no_token():
    """Problems about other variables never echo a token."""
    found = problems(**{**REQUIRED, "GITHUB_REPOSITORY": "nope", "LOG_LEVEL": "LOUD"})

    assert not any(DISCORD_TOKEN in line or GITHUB_TOKEN in line for line in found)


def test_secrets_lists_both_tokens():
    """secrets() gives the log filter both tokens."""
    assert set(load().secrets()) == {DISCORD_TOKEN, GITHUB_TOKEN}


def test_several_servers_are_read_in_order_without_repeats():
    """DISCORD_GUILD_ID takes comma-separated ids (spaces allowed); a repeated id counts once."""
    settings = load(DISCORD_GUILD_ID="100000000000000001, 100000000000000002,100000000000000001")

    assert settings.discord_guild_ids == (100000000000000001, 100000000000000002)


@pytest.mark.parametrize("value", ["100000000000000001,", "100000000000000001,general", ",,"])
def test_a_malformed_server_list_is_one_problem(value):
    """An empty or malformed item in DISCORD_GUILD_ID is reported once, naming the variable."""
    found = problems(**{**REQUIRED, "DISCORD_GUILD_ID": value})

    assert len(found) == 1 and "DISCORD_GUILD_ID" in found[0] and "commas" in found[0]


def test_announce_authors_are_read():
    """ANNOUNCE_AUTHORS: unset is the default (owner, members, collaborators), `*` everyone,
    else GitHub logins."""
    assert load().announce_authors == ()
    assert load(ANNOUNCE_AUTHORS="*").announce_authors == ("*",)
    assert load(ANNOUNCE_AUTHORS="alice, Bob-2").announce_authors == ("alice", "Bob-2")


@pytest.mark.parametrize("value", ["alice,", "al ice", "-alice", "alice,*"])
def test_malformed_announce_authors_are_a_problem(value):
    """Anything but logins separated by commas, or a lone `*`, is refused."""
    found = problems(**{**REQUIRED, "ANNOUNCE_AUTHORS": value})

    assert len(found) == 1 and "ANNOUNCE_AUTHORS" in found[0]
