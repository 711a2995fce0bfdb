"""Use cases. They know nothing of Discord, PyGithub or SQLite: collaborators come in."""
