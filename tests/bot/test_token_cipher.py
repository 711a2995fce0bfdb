"""Members' tokens sealed at rest (Fernet) and `diary-bot keygen`."""

from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.token_cipher import TokenCipher, TokenUnreadable, new_key, valid_key

TOKEN = "ghu_16C7e42F292c6912E7710c838347Ae178B4a"


def test_sealed_token_opens_with_its_key_only():
    """The ciphertext holds no plaintext, differs each time, and opens only with its key."""
    cipher = TokenCipher(new_key())
    sealed, again = cipher.encrypt(TOKEN), cipher.encrypt(TOKEN)
    assert TOKEN.encode() not in sealed and sealed != again
    assert cipher.decrypt(sealed) == TOKEN == cipher.decrypt(again)
    with pytest.raises(TokenUnreadable):
        TokenCipher(new_key()).decrypt(sealed)
    with pytest.raises(TokenUnreadable):
        cipher.decrypt(sealed[:-2] + b"xx")


def test_keygen_prints_a_new_valid_key(capsys):
    """`diary-bot keygen` prints a key TOKEN_ENCRYPTION_KEY accepts, a new one each time."""
    keys = []
    for _ in range(2):
        with pytest.raises(SystemExit) as done:
            main(["keygen"])
        assert done.value.code == 0
        keys.append(capsys.readouterr().out.strip())
    assert all(valid_key(key) for key in keys) and keys[0] != keys[1]
    assert not valid_key("not-a-key") and not valid_key("ключ")
