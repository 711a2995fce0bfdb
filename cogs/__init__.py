"""Discord adapters: each feature is a package with a `setup()` for discord.py."""
