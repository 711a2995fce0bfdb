"""Operations on a diary-bot installation: checking the set-up, the invite link, backups,
export and import. `bot/__main__.py` dispatches the `diary-bot` subcommands here."""
