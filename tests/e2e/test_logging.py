"""What the running bot logs at LOG_LEVEL=DEBUG: no interaction token, in any record."""

from __future__ import annotations

import pytest

from bot.logs import REDACTED
from tests.e2e.harness import Rig


@pytest.mark.parametrize("wire", ["0", "1"], ids=["debug", "debug-with-discord-wire"])
def test_no_interaction_token_is_logged_at_debug(rig: Rig, wire: str) -> None:
    """Drafting, showing and publishing (a deferred reply answered through the follow-up
    webhook) at DEBUG log no interaction token, even with discord.py's records of every
    request and gateway event turned on."""
    rig.extra_env.update({"LOG_LEVEL": "DEBUG", "LOG_DISCORD_WIRE": wire})
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Logged", "body": "Quiet, please."}).wait_final()
    rig.slash("owner", "show").wait_final()
    published = rig.slash("owner", "publish").wait_final(timeout=15, quiet=0.5)
    assert "#1" in published["content"]
    assert rig.stop_bot() == 0

    log = rig.bot.log() if rig.bot else ""
    tokens = [interaction.token for interaction in rig.discord.interactions]
    assert len(tokens) == 3 and " DEBUG " in log
    assert [token for token in tokens if token in log] == []
    if wire == "1":  # the records are there, with the tokens taken out
        assert "/interactions/" in log and REDACTED in log
    else:
        assert "discord.http" not in log and "Quiet, please." not in log
