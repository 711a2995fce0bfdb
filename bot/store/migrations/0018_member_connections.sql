-- A member's own diary: the GitHub repository they connected in one server with /diary connect,
-- and the GitHub App user tokens that act for them. Tokens are Fernet-encrypted by the bot
-- (TOKEN_ENCRYPTION_KEY) before they reach this table: never plaintext here, nor in exports.
-- repository is NULL between signing in and picking a repository.
CREATE TABLE member_connections (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    github_login TEXT NOT NULL,
    repository TEXT,
    access_token BLOB NOT NULL,
    access_expires_at TEXT,
    refresh_token BLOB,
    refresh_expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
