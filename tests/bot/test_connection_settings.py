"""ConnectionSettings: members' own diaries are off unless the operator configures the app."""

from __future__ import annotations

import pytest

from bot.connection_settings import ConnectionSettings
from bot.errors import ConfigError
from bot.token_cipher import new_key

KEY = new_key()


def test_off_by_default():
    """Without GITHUB_APP_CLIENT_ID nothing is enabled and nothing is required."""
    settings = ConnectionSettings.from_env({})
    assert not settings.enabled and settings.install_url is None and settings.secrets() == ()
    assert settings.web_url == "https://github.com"


def test_enabled_with_client_id_and_key():
    """Client id + key enable it; the public link gives the installation page."""
    settings = ConnectionSettings.from_env(
        {
            "GITHUB_APP_CLIENT_ID": "Iv23liAbCdEf",
            "GITHUB_APP_CLIENT_SECRET": "s3cret-value",
            "TOKEN_ENCRYPTION_KEY": KEY,
            "GITHUB_APP_PUBLIC_LINK": "https://github.com/apps/my-diary/",
        }
    )
    assert settings.enabled
    assert settings.install_url == "https://github.com/apps/my-diary/installations/new"
    assert set(settings.secrets()) == {"s3cret-value", KEY}
    assert "s3cret-value" not in repr(settings) and KEY not in repr(settings)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"GITHUB_APP_CLIENT_ID": "Iv23li"}, "TOKEN_ENCRYPTION_KEY is not set"),
        ({"TOKEN_ENCRYPTION_KEY": "short"}, "TOKEN_ENCRYPTION_KEY is not a valid key"),
        ({"GITHUB_APP_CLIENT_SECRET": "x"}, "GITHUB_APP_CLIENT_ID is not"),
        ({"GITHUB_APP_CLIENT_ID": "bad id!", "TOKEN_ENCRYPTION_KEY": KEY}, "client ID"),
        ({"GITHUB_APP_PUBLIC_LINK": "github.com/apps/x"}, "GITHUB_APP_PUBLIC_LINK must be"),
        ({"GITHUB_WEB_URL": "ftp://github.com"}, "GITHUB_WEB_URL must be"),
    ],
)
def test_problems_are_named(env, problem):
    """Each mistake is one line naming the variable."""
    with pytest.raises(ConfigError) as error:
        ConnectionSettings.from_env(env)
    assert any(problem in line for line in error.value.problems), error.value.problems
