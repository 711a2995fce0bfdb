"""The event loop never waits for GitHub: other members are answered while a publish hangs."""

from __future__ import annotations

from tests.e2e.harness import Rig, wait_for_quiet

GITHUB_HOLD_SECONDS = 6


def test_slow_github_does_not_delay_other_members(rig: Rig) -> None:
    """While GitHub holds a publish for 6 s, another member's /draft list is answered
    within Discord's 3-second deadline, and the publish still completes once."""
    rig.start_bot()
    rig.slash("owner", "new", {"title": "Slow", "body": "Patience."}).wait_final()
    rig.github.delay(GITHUB_HOLD_SECONDS, method="POST", path_contains="/issues")
    publishing = rig.slash("owner", "publish")
    rig.github.wait_for_request("POST", "/issues", timeout=10)
    listing = rig.slash("admin", "list")
    listing.wait_response(timeout=3)
    assert listing.first_response_seconds is not None and listing.first_response_seconds < 3
    assert publishing.first_response_seconds is not None
    assert publishing.first_response_seconds < 3
    final = publishing.wait_final(timeout=GITHUB_HOLD_SECONDS + 20, quiet=0.5)
    assert "#1" in final["content"]
    wait_for_quiet(rig)
    assert len(rig.github.issues()) == 1
