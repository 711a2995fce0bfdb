"""Members' GitHub tokens encrypted at rest: Fernet (AES-128-CBC + HMAC-SHA256, from
`cryptography`) under the operator's TOKEN_ENCRYPTION_KEY; `diary-bot keygen` makes a key."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class TokenUnreadable(Exception):
    """A stored token does not decrypt with this key (another key, or damaged)."""


class TokenCipher:
    """Encrypts and decrypts tokens with one Fernet key; never keeps the plaintext."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, token: str) -> bytes:
        """The token as a Fernet token (ASCII bytes, a fresh IV each time)."""
        return self._fernet.encrypt(token.encode("utf-8"))

    def decrypt(self, sealed: bytes) -> str:
        """The token sealed by `encrypt`; TokenUnreadable if this key did not seal it."""
        try:
            return self._fernet.decrypt(bytes(sealed)).decode("utf-8")
        except (InvalidToken, ValueError):
            raise TokenUnreadable(
                "the stored token does not decrypt with TOKEN_ENCRYPTION_KEY"
            ) from None


def new_key() -> str:
    """A new random key for TOKEN_ENCRYPTION_KEY (32 bytes, URL-safe base64)."""
    return Fernet.generate_key().decode("ascii")


def valid_key(key: str) -> bool:
    """Whether `key` is a Fernet key (what `diary-bot keygen` prints)."""
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True
