"""/entry on a member's own diary through the real bot: after /diary connect (device flow on
the local github.com) and picking their repository, the member's entry there is edited with
their own token, an issue a stranger wrote in that repository is refused, and the server
diary's entry with the same number is left alone."""

from __future__ import annotations

from tests.e2e.harness import Rig
from tests.e2e.test_connect import enable_connections, sign_in

REPOSITORY = "owner/diary"


def connected(rig: Rig) -> None:
    """The server's owner signs in as GitHub user `owner` and picks owner/diary."""
    enable_connections(rig)
    rig.github.add_repository(REPOSITORY)
    rig.github.oauth.add_installation("owner", [REPOSITORY], {"owner": "admin"})
    rig.start_bot()
    sign_in(rig, "owner", "owner")
    chosen = rig.slash("owner", "connect", {"repository": REPOSITORY}, command="diary")
    assert f"**{REPOSITORY}**" in chosen.wait_final(timeout=10)["content"]


def test_entry_edit_acts_on_the_members_repository_as_the_member(rig: Rig) -> None:
    """The member's #1 in owner/diary is edited there with the member's user token; the
    server diary's #1 is untouched; a stranger's issue in owner/diary is refused (ja too)."""
    connected(rig)
    mine = rig.github.add_issue_from_web("Txet", "Typo.", user="owner", repository=REPOSITORY)
    theirs = rig.github.add_issue_from_web("Hi", "Spam.", user="mallory", repository=REPOSITORY)
    server = rig.github.add_issue_from_web("Server's", "Text.")
    assert mine == server == 1

    listed = rig.entry("owner", "list").wait_final(timeout=10)
    (embed,) = listed["embeds"]
    assert embed["title"] == f"Recent entries in {REPOSITORY}"
    assert "Txet" in embed["description"] and "Hi" not in embed["description"]

    opened = rig.entry("owner", "edit", {"number": mine}).wait_response(timeout=10)
    fields = [row["components"][0] for row in opened["data"]["components"]]
    assert [f["value"] for f in fields] == ["Txet", "Typo."]
    saved = rig.discord.modal_submit(
        "owner",
        opened["data"]["custom_id"],
        {fields[0]["custom_id"]: "Text", fields[1]["custom_id"]: "Fixed."},
    ).wait_final(timeout=15, quiet=0.5)
    assert "Updated entry #1" in saved["content"]

    issue = next(i for i in rig.github.issues(REPOSITORY) if i["number"] == mine)
    assert (issue["title"], issue["body"]) == ("Text", "Fixed.")
    member_token = rig.github.oauth.issued_tokens[-1]
    patches = [
        r
        for r in rig.github.requests
        if r.method == "PATCH" and r.path == f"/repos/{REPOSITORY}/issues/{mine}"
    ]
    assert [r.headers["Authorization"].split(" ")[-1] for r in patches] == [member_token]
    assert rig.github.issues()[0]["title"] == "Server's"

    refused = rig.entry("owner", "edit", {"number": theirs}).wait_final(timeout=10)
    assert refused["content"].startswith(f"#{theirs} in your diary {REPOSITORY} is not one of")
    assert refused["flags"] & 64
    japanese = rig.discord.slash(
        "owner", "entry", "add", {"number": theirs, "text": "x"}, locale="ja"
    ).wait_final(timeout=10)
    assert "あなたの記事ではありません" in japanese["content"]
    assert rig.github.comments(theirs, REPOSITORY) == []
