"""/draft and the "Add to diary draft" menu, each command run through the tree in process."""

from __future__ import annotations

import asyncio
import struct
import zlib

from bot import i18n
from bot.models import Owner
from bot.services.publishing import Author
from tests.cogs.conftest import buttons, en

EPHEMERAL = 64
MODAL = 9
AUTOCOMPLETE_RESULT = 8


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    image = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


def owner(drive, user: str = "owner") -> Owner:
    world = drive.fake.world
    return Owner(int(world.guild_id), int(world.member(user).id))


def modal_values(modal: dict) -> list[str | None]:
    """The prefilled values of a modal's text inputs, in order."""
    inputs = []
    for top in modal["components"]:
        inputs += top.get("components") or [top.get("component")]
    return [item.get("value") for item in inputs if item and item.get("type") == 4]


async def new_draft(drive, title: str = "Day 1", body: str = "Dear diary.") -> dict:
    recorded = await drive.slash("owner", "draft", "new", {"title": title, "body": body})
    return recorded.wait_final()


async def test_new_with_text_saves_and_previews_with_buttons(drive):
    """/draft new title: body: replies ephemerally with the preview and its three buttons."""
    reply = await new_draft(drive)

    assert reply["content"] == en("draft.created", id=1)
    assert reply["flags"] & EPHEMERAL
    (embed,) = reply["embeds"]
    assert (embed["title"], embed["description"]) == ("Day 1", "Dear diary.")
    assert set(buttons(reply)) == {"Publish", "Edit", "Delete"}


async def test_new_without_text_opens_the_editor_with_the_body_template(drive, bot):
    """/draft new without body: answers with a modal holding the server's body template."""
    await bot.services.server_settings.update(
        int(drive.fake.world.guild_id), body_template="Weather:\\nMood:"
    )

    recorded = await drive.slash("owner", "draft", "new", {"title": "Today"})

    assert recorded.response_type == MODAL
    assert modal_values(recorded.modal) == ["Today", "Weather:\nMood:"]


async def test_a_member_without_the_right_is_refused_in_their_language(drive, bot):
    """Without Manage Server or the author role /draft new is refused, in Japanese for ja,
    and nothing is saved."""
    recorded = await drive.slash("outsider", "draft", "new", {"body": "Sneaky."}, locale="ja")

    reply = recorded.wait_final()
    assert reply["content"] == i18n.t("ja", "error.no_author_role")
    assert reply["flags"] & EPHEMERAL
    assert await bot.services.drafts.count(owner(drive, "outsider"), published=True) == 0


async def test_append_adds_a_paragraph_to_the_latest_draft(drive):
    """/draft append text: without a draft id goes to the latest draft."""
    await new_draft(drive)

    reply = (await drive.slash("owner", "draft", "append", {"text": "More."})).wait_final()

    assert reply["content"] == en("draft.appended", id=1)
    assert reply["embeds"][0]["description"] == "Dear diary.\n\nMore."


async def test_append_to_an_unknown_draft_says_so(drive):
    """A draft id the member does not have gets the localized not-found text."""
    await new_draft(drive)

    recorded = await drive.slash("owner", "draft", "append", {"text": "x", "draft": 99})

    assert recorded.wait_final()["content"] == en("error.draft_not_found", id=99)


async def test_attach_downloads_the_image_and_lists_it(drive, bot):
    """/draft attach: deferred, then the preview lists the image with its size."""
    await new_draft(drive)

    recorded = await drive.slash("owner", "draft", "attach", {"image": ("dot.png", png())})

    assert recorded.response_type == 5  # deferred: the download may take a while
    reply = recorded.wait_final()
    assert reply["content"] == en("draft.image_attached", id=1)
    assert "dot.png" in str(reply["embeds"][0]["fields"])
    assert len(await bot.services.images.list(owner(drive), 1)) == 1


async def test_list_is_empty_then_shows_each_draft(drive):
    """/draft list: a hint when there is nothing, an embed with one line per draft after."""
    empty = (await drive.slash("owner", "draft", "list")).wait_final()
    assert empty["content"] == en("draft.list_empty")

    await new_draft(drive, "First")
    await new_draft(drive, "Second")
    listing = (await drive.slash("owner", "draft", "list")).wait_final()

    (embed,) = listing["embeds"]
    assert embed["title"] == en("draft.list_title")
    assert "**#1** First" in embed["description"] and "**#2** Second" in embed["description"]


async def test_show_previews_the_draft_asked_for(drive):
    """/draft show draft: previews that draft, not the latest."""
    await new_draft(drive, "First", "One.")
    await new_draft(drive, "Second", "Two.")

    reply = (await drive.slash("owner", "draft", "show", {"draft": 1})).wait_final()

    assert reply["content"] == en("draft.shown", id=1)
    assert reply["embeds"][0]["description"] == "One."


async def test_edit_opens_the_editor_with_title_and_text(drive):
    """/draft edit: a modal prefilled with the draft's title and text."""
    await new_draft(drive, "Title", "Body text.")

    recorded = await drive.slash("owner", "draft", "edit")

    assert recorded.response_type == MODAL
    assert modal_values(recorded.modal) == ["Title", "Body text."]


async def test_delete_asks_first(drive, bot):
    """/draft delete: a confirmation with Delete and Cancel; the draft is still there."""
    await new_draft(drive, "Keep?")

    reply = (await drive.slash("owner", "draft", "delete", {"draft": 1})).wait_final()

    assert reply["content"] == en("draft.delete_confirm", id=1, title="Keep?")
    assert set(buttons(reply)) == {"Delete", "Cancel"}
    assert await bot.services.drafts.count(owner(drive)) == 1


async def test_publish_creates_the_issue_and_links_it(drive, fake_github):
    """/draft publish: deferred, then the entry's number and link once GitHub has it."""
    await new_draft(drive, "Published", "Out there.")

    recorded = await drive.slash("owner", "draft", "publish")

    reply = recorded.wait_final()
    (issue,) = fake_github.issues()
    assert issue["title"] == "Published"
    url = reply["content"].rpartition(" ")[2]
    assert url.endswith("/alice/diary/issues/1")
    assert reply["content"] == en("publish.done", number=1, url=url)


async def test_publish_when_schedules_and_unschedule_cancels(drive, fake_github):
    """/draft publish when: stores a schedule (nothing published); /draft unschedule drops it."""
    await new_draft(drive, "Later")

    scheduled = await drive.slash("owner", "draft", "publish", {"when": "tomorrow 9:00"})
    text = scheduled.wait_final()["content"]
    assert text.startswith("Draft #1 “Later” will be published")
    cancelled = (await drive.slash("owner", "draft", "unschedule")).wait_final()["content"]

    assert cancelled.startswith("Cancelled the scheduled publish of draft #1 “Later”")
    assert fake_github.issues() == []


async def test_list_says_which_draft_is_scheduled(drive):
    """/draft list shows a scheduled draft's schedule and the other drafts' plain status."""
    await new_draft(drive, "Later")
    await drive.slash("owner", "draft", "publish", {"when": "tomorrow 9:00"})
    await new_draft(drive, "Now")

    (embed,) = (await drive.slash("owner", "draft", "list")).wait_final()["embeds"]

    now_line, later_line = embed["description"].splitlines()
    assert "**#1** Later" in later_line and "scheduled for <t:" in later_line
    assert "**#2** Now" in now_line and now_line.endswith(en("draft.status_draft"))


async def test_unschedule_without_a_schedule_is_refused(drive):
    """/draft unschedule with nothing scheduled says so."""
    await new_draft(drive)

    reply = (await drive.slash("owner", "draft", "unschedule")).wait_final()

    assert reply["content"] == en("error.no_schedules")


async def test_labels_sets_existing_labels_and_refuses_unknown_ones(drive, fake_github):
    """/draft labels: known labels are set and shown; an unknown one is refused by name."""
    fake_github.add_label("travel")
    await new_draft(drive)

    saved = (await drive.slash("owner", "draft", "labels", {"labels": "travel"})).wait_final()
    refused = (await drive.slash("owner", "draft", "labels", {"labels": "nope"})).wait_final()

    assert saved["content"] == en("draft.labels_set", id=1)
    assert "travel" in str(saved["embeds"][0]["fields"])
    assert "nope" in refused["content"] and "travel" in refused["content"]


async def test_history_lists_the_changes(drive):
    """/draft history: an embed with one line per revision, newest first."""
    await new_draft(drive, "Day", "One.")
    await drive.slash("owner", "draft", "append", {"text": "Two."})

    reply = (await drive.slash("owner", "draft", "history")).wait_final()

    (embed,) = reply["embeds"]
    assert embed["title"] == en("history.title", id=1, title="Day")
    lines = embed["description"].splitlines()
    assert en("history.reason_append") in lines[0] and en("history.reason_create") in lines[-1]


async def test_undo_steps_back_once_then_has_nothing_to_undo(drive):
    """/draft undo: back to the text before the last change; a second undo is refused."""
    await new_draft(drive, "Day", "One.")
    await drive.slash("owner", "draft", "append", {"text": "Two."})

    undone = (await drive.slash("owner", "draft", "undo")).wait_final()
    again = (await drive.slash("owner", "draft", "undo")).wait_final()

    assert undone["content"] == en("draft.undone", id=1)
    assert undone["embeds"][0]["description"] == "One."
    assert again["content"] == en("error.nothing_to_undo", id=1)


async def test_export_sends_the_draft_as_markdown(drive):
    """/draft export: the draft as draft-1.md, attached to the reply."""
    await new_draft(drive, "Day", "Text.")

    reply = (await drive.slash("owner", "draft", "export")).wait_final()

    assert reply["content"] == en("draft.exported", id=1)
    assert [a["filename"] for a in reply["attachments"]] == ["draft-1.md"]


async def test_import_replaces_the_text_from_a_file(drive):
    """/draft import file: a Markdown file's title and text replace the draft's."""
    await new_draft(drive, "Old", "Old text.")
    upload = ("draft-1.md", b'---\ntitle: "New title"\n---\n\nNew text.\n')

    reply = (await drive.slash("owner", "draft", "import", {"file": upload})).wait_final()

    assert reply["content"] == en("draft.imported", id=1)
    (embed,) = reply["embeds"]
    assert (embed["title"], embed["description"]) == ("New title", "New text.")


async def test_import_refuses_a_file_that_is_not_text(drive):
    """/draft import with an image: refused before anything is read, with the allowed kinds."""
    await new_draft(drive)

    recorded = await drive.slash("owner", "draft", "import", {"file": ("dot.png", png())})

    assert recorded.wait_final()["content"].startswith("Only text files can be imported")


async def test_draft_autocomplete_offers_matching_drafts(drive):
    """Typing in a draft option offers the member's drafts whose title matches."""
    await new_draft(drive, "Heron")
    await new_draft(drive, "Fish")

    recorded = await drive.slash("owner", "draft", "show", {"draft": "her"}, focused="draft")

    assert recorded.response_type == AUTOCOMPLETE_RESULT
    choices = recorded.responses[0]["data"]["choices"]
    assert [(c["value"], c["name"].split(" · ")[0]) for c in choices] == [(1, "#1 Heron")]


async def test_labels_autocomplete_offers_the_repositorys_labels(drive, fake_github):
    """Typing in a labels option offers the repository's labels that match."""
    fake_github.add_label("travel")
    fake_github.add_label("food")

    recorded = await drive.slash("owner", "draft", "labels", {"labels": "tr"}, focused="labels")

    assert [c["value"] for c in recorded.responses[0]["data"]["choices"]] == ["travel"]


async def test_message_menu_starts_a_draft_from_a_message(drive):
    """ "Add to diary draft" on one's own message starts a draft with its text."""
    message = drive.fake.post_user_message("owner", "writing", "Saw a heron today.")

    recorded = await drive.message_menu("owner", "Add to diary draft", message)

    reply = recorded.wait_final()
    assert reply["content"] == en("draft.created", id=1)
    assert reply["embeds"][0]["description"] == "Saw a heron today."


async def test_message_menu_refuses_another_members_message(drive, bot):
    """ "Add to diary draft" on someone else's message is refused clearly; nothing is saved."""
    message = drive.fake.post_user_message("admin", "writing", "The admin's words.")

    recorded = await drive.message_menu("owner", "Add to diary draft", message)

    reply = recorded.wait_final()
    assert reply["content"] == en("error.not_your_message")
    assert reply["flags"] & EPHEMERAL
    assert await bot.services.drafts.count(owner(drive, "owner"), published=True) == 0


def editor_fields(shown: dict, title: str, body: str) -> dict[str, str]:
    """What to type into a shown draft editor: its title and text inputs, in order."""
    inputs = []
    for top in shown["components"]:
        inputs += top.get("components") or [top.get("component")]
    ids = [item["custom_id"] for item in inputs if item and item.get("type") == 4]
    return dict(zip(ids, (title, body), strict=True))


async def test_two_editors_saved_from_the_same_revision_lose_nothing(drive, bot):
    """Two editors opened at the same revision and submitted at once: one saves plainly, the
    other is told the draft changed meanwhile (saved as a new version), and undo brings the
    first one's text back."""
    await new_draft(drive, "Race", "One.")
    opened = (await drive.slash("owner", "draft", "edit")).modal
    route = opened["custom_id"]

    first = drive.fake.modal_submit("owner", route, editor_fields(opened, "Race", "Mine."))
    second = drive.fake.modal_submit("owner", route, editor_fields(opened, "Race", "Yours."))
    await drive.deliver(first, second)

    replies = sorted(r.wait_final()["content"] for r in (first, second))
    assert replies == sorted([en("draft.edited", id=1), en("draft.saved_over_change", id=1)])
    draft = await bot.services.drafts.get(owner(drive), 1)
    undone = await bot.services.drafts.undo(owner(drive), 1)
    assert {draft.body, undone.body} == {"Mine.", "Yours."}


def draft_options(drive) -> dict[str, dict]:
    """The `draft` option of each /draft subcommand, as Discord has it registered."""
    (draft,) = [c for c in drive.fake.commands if c["name"] == "draft" and c["type"] == 1]
    return {
        sub["name"]: option
        for sub in draft["options"]
        for option in sub.get("options", [])
        if option["name"] == "draft"
    }


async def test_every_draft_option_is_a_number_offered_by_title(drive):
    """The thirteen commands that take a draft share one option: an integer from 1, with
    autocomplete."""
    options = draft_options(drive)

    assert len(options) == 13
    assert {(o["type"], o["min_value"], o.get("autocomplete")) for o in options.values()} == {
        (4, 1, True)
    }


async def test_another_servers_draft_autocomplete_offers_nothing(drive):
    """Autocomplete of the draft option from a server the bot does not serve (its commands
    synced globally by an earlier run) answers with no choices, whatever exists."""
    fake = drive.fake
    stranger = Owner(int(fake.world.other_guild_id), int(fake.world.member("stranger").id))
    await drive.bot.services.drafts.create(stranger, "Heron", "Kept from an earlier time.")
    with fake._cond:
        fake._commands["global"] = fake._commands[fake.world.guild_id]

    recorded = await drive.slash(
        "stranger", "draft", "show", {"draft": ""}, focused="draft", channel="elsewhere"
    )

    assert recorded.response_type == AUTOCOMPLETE_RESULT
    assert recorded.responses[0]["data"]["choices"] == []


async def test_a_preview_button_pressed_by_another_member_is_refused(drive, bot):
    """Another member pressing Delete on someone's preview is told it is not theirs, in their
    language, and no confirmation is shown."""
    created = await drive.slash("owner", "draft", "new", {"title": "Mine", "body": "Text."})
    ids = buttons(created.wait_final())

    pressed = await drive.press("admin", ids["Delete"], created.original_id, locale="ja")

    reply = pressed.wait_final()
    assert reply["content"] == i18n.t("ja", "error.not_yours")
    assert reply["flags"] & EPHEMERAL
    assert await bot.services.drafts.count(owner(drive)) == 1


async def test_an_editor_submitted_by_another_member_is_refused_and_handed_back(drive, bot):
    """Another member's submission of an owner's editor saves nothing: not theirs, and the
    text comes back as a file."""
    await new_draft(drive, "Mine", "Text.")
    opened = (await drive.slash("owner", "draft", "edit")).modal
    fields = editor_fields(opened, "Hijack", "Other words.")

    forged = drive.fake.modal_submit("owner", opened["custom_id"], fields)
    world = drive.fake.world
    writing = world.channel("writing")
    forged.payload["member"] = world.member_payload(world.member("admin"), writing)
    await drive.deliver(forged)

    assert forged.wait_response()["data"]["content"] == en("error.not_yours")
    kept = forged.wait_followup()
    assert kept["content"] == en("editor.text_kept") and len(kept["attachments"]) == 1
    assert (await bot.services.drafts.get(owner(drive), 1)).body == "Text."


def components(reply: dict) -> list[dict]:
    return [item for row in reply.get("components") or [] for item in row["components"]]


async def test_previews_of_one_draft_carry_the_buttons_its_state_asks_for_each_time(drive, bot):
    """Preview after preview of one draft (its buttons built once and sent again): the same
    buttons for the same member and language, Escape links once the body has a link, the
    Japanese labels for a Japanese client."""
    first = await new_draft(drive)
    again = (await drive.slash("owner", "draft", "show")).wait_final()
    linked = (await drive.slash("owner", "draft", "append", {"text": "cc @octocat"})).wait_final()
    japanese = (await drive.slash("owner", "draft", "show", locale="ja")).wait_final()

    assert components(again) == components(first)
    assert set(buttons(first)) == {"Publish", "Edit", "Delete"}
    assert set(buttons(linked)) == {"Publish", "Edit", "Delete", en("button.escape")}
    assert set(buttons(japanese)) == {
        i18n.t("ja", f"button.{action}") for action in ("publish", "edit", "delete", "escape")
    }
    draft_id, member = 1, int(drive.fake.world.member("owner").id)
    assert {c["custom_id"] for c in components(japanese)} == {
        f"diary:draft:{action}:{draft_id}:{member}"
        for action in ("publish", "edit", "delete", "escape")
    }


async def test_only_editor_submissions_wake_the_interaction_listeners(drive, bot):
    """A command or a button press starts no `on_interaction` listener task (one per cog
    would do nothing for them); an editor's submission still reaches the listeners."""
    await new_draft(drive, "Day 1", "One.")
    opened = (await drive.slash("owner", "draft", "edit")).modal
    command = drive.fake.slash("owner", "draft", "show", {}, force=True)
    submitted = drive.fake.modal_submit(
        "owner", opened["custom_id"], editor_fields(opened, "Day 1", "Two.")
    )

    async def listener_tasks(recorded) -> list[str]:
        before = asyncio.all_tasks()
        bot._connection.parse_interaction_create(recorded.payload)
        started = asyncio.all_tasks() - before
        await asyncio.wait(started, timeout=10)
        names = [task.get_name() for task in started]
        return [name for name in names if name.startswith("discord.py: on_interaction")]

    assert await listener_tasks(command) == []
    assert await listener_tasks(submitted) != []
    assert command.wait_final()["embeds"]
    assert submitted.wait_final()["content"] == en("draft.edited", id=1)


async def test_the_escape_button_makes_links_plain_in_place(drive, bot):
    """A preview of text with @name and #123 has the escape button; pressing it saves the
    escaped text and replaces the preview, which then has no escape button."""
    created = await drive.slash("owner", "draft", "new", {"title": "T", "body": "Hi @octocat #1"})
    ids = buttons(created.wait_final())

    pressed = await drive.press("owner", ids[en("button.escape")], created.original_id)

    updated = pressed.wait_final()
    assert updated["content"] == en("draft.escaped", id=1)
    assert en("button.escape") not in buttons(updated)
    assert (await bot.services.drafts.get(owner(drive), 1)).body == "Hi \\@octocat \\#1"


async def test_a_draft_too_long_for_the_editor_offers_its_end(drive, bot):
    """Edit on a draft longer than an editor holds offers to edit its last part; that button
    opens an editor holding only the end, whose text replaces only the end."""
    body = "a" * 3_000 + "\n\n" + "b" * 2_000
    await bot.services.drafts.create(owner(drive), "Long", body)
    offered = (await drive.slash("owner", "draft", "edit")).wait_final()
    assert offered["content"] == en("edit.too_long", limit=4_000, length=len(body))

    opened = await drive.press("owner", buttons(offered)[en("button.tail")], offered["id"])
    assert modal_values(opened.modal) == ["Long", "b" * 2_000]
    saved = await drive.submit(
        "owner", opened.modal["custom_id"], editor_fields(opened.modal, "", "end")
    )

    assert saved.wait_final()["content"] == en("draft.edited", id=1)
    assert (await bot.services.drafts.get(owner(drive), 1)).body == "a" * 3_000 + "\n\nend"


async def test_delete_confirmed_deletes_the_draft(drive, bot):
    """/draft delete, then Delete: the draft is gone and the confirmation says so."""
    await new_draft(drive, "Gone")
    asked = await drive.slash("owner", "draft", "delete", {"draft": 1})
    ids = buttons(asked.wait_final())

    confirmed = await drive.press("owner", ids[en("button.delete")], asked.original_id)

    assert confirmed.wait_final()["content"] == en("draft.deleted", id=1, title="Gone")
    assert await bot.services.drafts.count(owner(drive)) == 0


async def test_cancel_stops_a_retrying_publish_and_refuses_when_there_is_none(
    drive, bot, fake_github
):
    """/draft cancel: a publish retrying while GitHub fails is stopped (the draft stays);
    with nothing waiting, it says there is nothing to cancel."""
    await new_draft(drive, "Stuck")
    fake_github.fail_next(50, 502)
    author = Author("Owner", "https://cdn.discordapp.com/embed/avatars/0.png")
    await bot.services.publishing.publish(owner(drive), 1, None, author)
    for _ in range(200):  # until the first attempt failed and the job waits to retry
        if (await bot.services.drafts.get(owner(drive), 1)).job_error_key:
            break
        await asyncio.sleep(0.02)

    cancelled = (await drive.slash("owner", "draft", "cancel")).wait_final()
    again = (await drive.slash("owner", "draft", "cancel", {"draft": 1})).wait_final()

    assert cancelled["content"] == en("publish.cancelled", id=1, title="Stuck")
    assert again["content"] == en("error.nothing_to_cancel", id=1)
    assert fake_github.issues() == []
