"""The command line: `--version` and where `.env` is read from."""

from __future__ import annotations

import os
from importlib import metadata

import pytest

from bot.__main__ import load_credentials, load_env_file, main

NAME = "DIARY_BOT_TEST_ENV_VALUE"


def test_version_prints_the_installed_version(capsys):
    """`diary-bot --version` prints the package's version and exits 0."""
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])

    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"diary-bot {metadata.version('diary-bot')}"


def test_env_file_is_read_from_the_working_directory(tmp_path, monkeypatch):
    """`.env` in the working directory sets variables the environment does not have."""
    (tmp_path / ".env").write_text(f"{NAME}=here\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(NAME, raising=False)

    load_env_file()

    try:
        assert os.environ.get(NAME) == "here"
    finally:
        os.environ.pop(NAME, None)


def test_env_file_in_a_parent_folder_is_ignored(tmp_path, monkeypatch):
    """A stray `.env` above the working directory configures nothing."""
    (tmp_path / ".env").write_text(f"{NAME}=from-parent\n", "utf-8")
    working = tmp_path / "service"
    working.mkdir()
    monkeypatch.chdir(working)
    monkeypatch.delenv(NAME, raising=False)

    load_env_file()

    assert NAME not in os.environ


def test_systemd_credentials_fill_unset_secrets(tmp_path):
    """LoadCredential= files give the tokens; a variable already set wins."""
    (tmp_path / "discord-token").write_text("from-credential\n", "utf-8")
    (tmp_path / "github-token").write_text("github-credential\n", "utf-8")
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path), "GITHUB_TOKEN": "from-environment"}

    load_credentials(env)

    assert env["DISCORD_TOKEN"] == "from-credential"
    assert env["GITHUB_TOKEN"] == "from-environment"
    assert "WEBHOOK_SECRET" not in env


def test_systemd_credentials_carry_the_connection_secrets(tmp_path):
    """The key that seals members' tokens and the app's secret may come as credentials too."""
    (tmp_path / "token-encryption-key").write_text("key-from-credential\n", "utf-8")
    (tmp_path / "github-app-client-secret").write_text("secret-from-credential\n", "utf-8")
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path)}

    load_credentials(env)

    assert env["TOKEN_ENCRYPTION_KEY"] == "key-from-credential"
    assert env["GITHUB_APP_CLIENT_SECRET"] == "secret-from-credential"
