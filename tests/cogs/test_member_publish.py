"""/draft publish for a member who connected their own diary repository, run in process: the
reply links the entry in their repository, and tells them, in their language, when their
sign-in must be renewed (revoked; or rejected even once refreshed) while the draft is kept."""

from __future__ import annotations

import pytest

from bot import i18n
from tests.cogs.conftest import en
from tests.cogs.test_drafts import new_draft
from tests.cogs.test_member_entries import REPOSITORY, cipher, connections, token

__all__ = ["cipher", "connections", "token"]  # fixtures of the member's connection


async def test_publish_links_the_entry_in_the_members_repository(drive, fake_github, token):
    """The entry is created in the member's repository with their token; the reply links it."""
    await new_draft(drive, "Mine", "Out there.")

    reply = (await drive.slash("owner", "draft", "publish")).wait_final()

    url = f"https://github.com/{REPOSITORY}/issues/1"
    assert reply["content"] == en("publish.done", number=1, url=url)
    assert [i["created_with"] for i in fake_github.issues(REPOSITORY)] == [token]
    assert fake_github.issues() == []


@pytest.mark.parametrize("locale", ["en-US", "ja"])
async def test_a_revoked_sign_in_asks_to_connect_again(drive, fake_github, token, locale):
    """The member revoked the app: the reply asks them to run /diary connect again (in their
    language); nothing is created and the draft stays unpublished."""
    await new_draft(drive, "Kept", "Still here.")
    fake_github.oauth.revoke("owner")

    reply = (await drive.slash("owner", "draft", "publish", locale=locale)).wait_final()

    assert reply["content"] == i18n.t(locale, "connect.again")
    assert fake_github.issues(REPOSITORY) == [] and fake_github.issues() == []
    listed = (await drive.slash("owner", "draft", "list")).wait_final()
    assert "Kept" in listed["embeds"][0]["description"]


@pytest.mark.parametrize("locale", ["en-US", "ja"])
async def test_a_sign_in_rejected_even_once_refreshed_keeps_the_publish(
    drive, fake_github, token, locale
):
    """GitHub rejects the member's token, and the refreshed one too: the publish is kept and
    the reply speaks of the member's sign-in, not of the operator's GITHUB_TOKEN."""
    await new_draft(drive, "Waiting", "Text.")
    fake_github.oauth.expire_token(token)
    fake_github.oauth.state.token_ttl = 0  # every token GitHub hands out is dead on arrival

    reply = (await drive.slash("owner", "draft", "publish", locale=locale)).wait_final()

    assert reply["content"] == i18n.t(locale, "publish.member_token_rejected", id=1)
    assert fake_github.issues(REPOSITORY) == []
