"""GitHub's `issues` webhook, delivered to the real bot with real example payloads
(`data/webhooks/`, from @octokit/webhooks-examples): signed deliveries are announced once,
anything else changes nothing."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import requests

from bot.webhooks import signature
from tests.e2e.harness import BotProcess, Rig, announcements, wait_for_announcements

DATA = Path(__file__).parent / "data" / "webhooks"
SECRET = "webhook-secret-e2e-0123456789"


def example(name: str, **issue: Any) -> dict[str, Any]:
    """An example payload, made to come from our repository, with `issue` fields changed."""
    payload = json.loads((DATA / f"{name}.json").read_text("utf-8"))
    payload["repository"]["full_name"] = "alice/diary"
    if "issue" in payload:
        payload["issue"].update(issue)
    return payload


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hook:
    """Delivers events to the bot's webhook endpoint the way GitHub does."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/github"
        self._ids = 0

    def deliver(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        delivery: str | None = None,
        signed_with: str | None = SECRET,
    ) -> requests.Response:
        body = json.dumps(payload).encode()
        self._ids += 1
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/e2e",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or f"00000000-0000-0000-0000-{self._ids:012d}",
        }
        if signed_with is not None:
            headers["X-Hub-Signature-256"] = signature(signed_with, body)
        return requests.post(self.url, data=body, headers=headers, timeout=10)


def start_listening(rig: Rig) -> Hook:
    """Start the bot with its webhook endpoint on a free loopback port; wait until it listens."""
    port = free_port()
    rig.extra_env.update(
        {"WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": SECRET, "WEBHOOK_HOST": "127.0.0.1"}
    )
    rig.start_bot()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Hook(port)
        except OSError:
            assert time.monotonic() < deadline, rig.bot and rig.bot.log()
            time.sleep(0.05)


def wait_for_log(rig: Rig, text: str) -> None:
    deadline = time.monotonic() + 10
    while rig.bot is None or text not in rig.bot.log():
        assert time.monotonic() < deadline, f"{text!r} not logged"
        time.sleep(0.05)


def test_a_signed_delivery_is_announced_once_even_when_delivered_twice(rig: Rig) -> None:
    """A signed `opened` delivery gets 202 and one announcement; its redelivery changes
    nothing."""
    hook = start_listening(rig)
    opened = example("issues.opened")

    first = hook.deliver("issues", opened, delivery="d-opened-1")
    (message,) = wait_for_announcements(rig)
    again = hook.deliver("issues", opened, delivery="d-opened-1")
    wait_for_log(rig, "delivery d-opened-1 was handled before")

    assert (first.status_code, again.status_code) == (202, 202)
    assert message["embeds"][0]["title"] == opened["issue"]["title"]
    assert len(announcements(rig)) == 1
    assert rig.bot is not None and SECRET not in rig.bot.log()


def test_a_bad_or_missing_signature_gets_401_and_announces_nothing(rig: Rig) -> None:
    """Deliveries signed with another secret, or unsigned, are refused and have no effect."""
    hook = start_listening(rig)

    wrong = hook.deliver("issues", example("issues.opened"), signed_with="not-the-secret")
    unsigned = hook.deliver("issues", example("issues.opened"), signed_with=None)
    hook.deliver("issues", example("issues.opened", number=2, title="Signed"))

    assert (wrong.status_code, unsigned.status_code) == (401, 401)
    (message,) = wait_for_announcements(rig)
    assert message["embeds"][0]["title"] == "Signed"


def test_events_and_actions_the_bot_does_not_use_are_acknowledged(rig: Rig) -> None:
    """A `ping` and an `assigned` action are answered 204 and announce nothing."""
    hook = start_listening(rig)

    ping = hook.deliver("ping", json.loads((DATA / "ping.json").read_text("utf-8")))
    assigned = hook.deliver("issues", example("issues.assigned"))
    hook.deliver("issues", example("issues.opened", number=3, title="Announced"))

    assert (ping.status_code, assigned.status_code) == (204, 204)
    (message,) = wait_for_announcements(rig)
    assert message["embeds"][0]["title"] == "Announced"


def test_an_edited_delivery_edits_the_announcement(rig: Rig) -> None:
    """An `edited` delivery with a new title edits the posted message; nothing new is posted."""
    hook = start_listening(rig)
    hook.deliver("issues", example("issues.opened"))
    (posted,) = wait_for_announcements(rig)

    edited = example("issues.edited", title="Spelling", updated_at="2019-05-15T15:30:00Z")
    assert hook.deliver("issues", edited).status_code == 202
    rig.discord.wait_for(
        lambda: announcements(rig)[0]["embeds"][0]["title"] == "Spelling", 20, "edit"
    )

    (after,) = announcements(rig)
    assert after["id"] == posted["id"]


def test_a_deleted_delivery_says_the_entry_is_gone(rig: Rig) -> None:
    """A `deleted` delivery edits the announcement: no link, a note that it was deleted."""
    hook = start_listening(rig)
    hook.deliver("issues", example("issues.opened"))
    wait_for_announcements(rig)

    hook.deliver("issues", example("issues.deleted"))
    rig.discord.wait_for(
        lambda: "deleted" in announcements(rig)[0]["embeds"][0]["footer"]["text"], 20, "edit"
    )

    (after,) = announcements(rig)
    assert "url" not in after["embeds"][0] and "description" not in after["embeds"][0]


def test_webhook_port_without_a_secret_stops_the_bot_with_a_config_error(rig: Rig) -> None:
    """WEBHOOK_PORT without WEBHOOK_SECRET is a configuration problem: exit status 2."""
    env = {**rig.env(), "WEBHOOK_PORT": str(free_port())}
    env.pop("WEBHOOK_SECRET", None)
    process = BotProcess(env, rig.tmp_path / "config.log").start()

    assert process.wait(30) == 2
    assert "WEBHOOK_SECRET is not set" in process.log()


def raw_exchange(port: int, head: bytes, timeout: float = 5.0) -> tuple[bytes, bool]:
    """Send `head` (request line and headers) and nothing more; return the response and
    whether the bot then closed the connection, all while the body was never sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head)
        received = b""
        closed = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                closed = True
                break
            received += chunk
        return received, closed


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP response."""
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.") else 0


def headers_only(port: int, headers: dict[str, str]) -> bytes:
    lines = ["POST /github HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_large_content_length_is_refused_before_the_body_is_read(rig: Rig) -> None:
    """Headers announcing 100 MB get 413 at once, without the bot waiting for the body, and the
    connection is closed rather than drained."""
    hook = start_listening(rig)
    port = int(hook.url.split(":")[2].split("/")[0])
    head = headers_only(
        port,
        {
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-Hub-Signature-256": "sha256=" + "0" * 64,
            "Content-Length": str(100 * 1024 * 1024),
        },
    )

    started = time.monotonic()
    response, closed = raw_exchange(port, head)

    assert status_of(response) == 413, response
    assert closed and time.monotonic() - started < 5
    assert announcements(rig) == []


def test_a_request_without_a_usable_length_is_refused(rig: Rig) -> None:
    """A chunked body (no Content-Length) gets 411; a Content-Length that is not a number 400."""
    hook = start_listening(rig)
    port = int(hook.url.split(":")[2].split("/")[0])

    chunked, _ = raw_exchange(
        port, headers_only(port, {"Transfer-Encoding": "chunked", "X-GitHub-Event": "issues"})
    )
    invalid, _ = raw_exchange(port, headers_only(port, {"Content-Length": "lots"}))

    assert status_of(chunked) == 411, chunked
    assert status_of(invalid) == 400, invalid


MALFORMED = {
    "not json": b"not json",
    "not utf-8": b"\xff\xfe{}",
    "a list": b"[]",
    "a string": b'"issues"',
    "no issue": b'{"action": "opened", "repository": {"full_name": "alice/diary"}}',
    "deeply nested": b'{"action": "opened", "issue": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
}


def _issue_event(**issue: Any) -> bytes:
    payload = example("issues.opened")
    payload["issue"].update(issue)
    return json.dumps(payload).encode()


MALFORMED |= {
    "number not a number": _issue_event(number="seven"),
    "number too large": _issue_event(number=10**30),
    "number infinite": _issue_event().replace(b'"number": 1,', b'"number": 1e400,'),
    "user a string": _issue_event(user="octocat"),
    "date a number": _issue_event(created_at=5),
    "labels without names": _issue_event(labels=[{"colour": "red"}]),
    "repository a list": json.dumps({**example("issues.opened"), "repository": []}).encode(),
}


def test_signed_payloads_that_are_not_issues_events_get_400(rig: Rig) -> None:
    """Signed deliveries of `issues` that do not parse as an issues event are answered 400
    (never 500), log no traceback and announce nothing."""
    hook = start_listening(rig)
    assert b'"number": 1,' in _issue_event()

    statuses = {}
    for name, body in MALFORMED.items():
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": f"malformed-{len(statuses)}",
            "X-Hub-Signature-256": signature(SECRET, body),
        }
        statuses[name] = requests.post(hook.url, data=body, headers=headers, timeout=10).status_code

    assert statuses == dict.fromkeys(MALFORMED, 400)
    hook.deliver("issues", example("issues.opened", number=4, title="Well formed"))
    (message,) = wait_for_announcements(rig)
    assert message["embeds"][0]["title"] == "Well formed"


def test_a_strangers_opened_issue_is_not_announced(rig: Rig) -> None:
    """A signed `opened` delivery for an issue by someone with no role in the repository is
    accepted (202) but announced nowhere; the owner's next one is."""
    hook = start_listening(rig)
    user = {**example("issues.opened")["issue"]["user"], "login": "mallory"}
    stranger = example("issues.opened", number=901, user=user, author_association="NONE")
    owner = example("issues.opened", number=902, title="The owner's day")

    assert hook.deliver("issues", stranger).status_code == 202
    wait_for_log(rig, "issue #901 by 'mallory' (NONE) is not a diary entry")
    assert hook.deliver("issues", owner).status_code == 202
    (message,) = wait_for_announcements(rig)
    assert message["embeds"][0]["title"] == "The owner's day"


def test_text_with_lone_surrogates_is_announced_without_them(rig: Rig) -> None:
    """JSON may carry lone surrogates (`\\ud800`), which SQLite and Discord cannot take: a
    signed delivery with them in its title and body is announced without them."""
    hook = start_listening(rig)
    opened = example("issues.opened", title="Day \ud800one", body="Half \udfffa pair.")

    assert hook.deliver("issues", opened).status_code == 202
    (message,) = wait_for_announcements(rig)

    assert message["embeds"][0]["title"] == "Day one"
    assert message["embeds"][0]["description"] == "Half a pair."
