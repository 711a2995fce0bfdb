"""Check results and how `diary-bot check` prints them: one line each, secrets removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO

REDACTED = "[redacted]"


class Mark(StrEnum):
    PASS = "✓"
    FAIL = "✗"
    SKIP = "–"  # not checked (an earlier check failed) or nothing to check; never fails alone
    WARN = "!"  # works, but is risky; never fails alone


@dataclass(frozen=True)
class Outcome:
    mark: Mark
    what: str
    detail: str = ""
    fix: str = ""  # what to do, for a failure

    def line(self) -> str:
        text = f"  {self.mark} {self.what}"
        if self.detail:
            text += f": {self.detail}"
        if self.fix:
            text += f" → {self.fix}"
        return text


def passed(what: str, detail: str = "") -> Outcome:
    return Outcome(Mark.PASS, what, detail)


def failed(what: str, detail: str, fix: str) -> Outcome:
    return Outcome(Mark.FAIL, what, detail, fix)


def warned(what: str, detail: str, fix: str) -> Outcome:
    return Outcome(Mark.WARN, what, detail, fix)


def skipped(what: str, detail: str = "") -> Outcome:
    return Outcome(Mark.SKIP, what, detail)


class Report:
    """Prints outcomes as they come and counts them; no secret ever reaches the output."""

    def __init__(self, out: TextIO, secrets: Iterable[str]) -> None:
        self._out = out
        self._secrets = [secret for secret in secrets if secret]
        self.passes = 0
        self.failures = 0

    def section(self, title: str) -> None:
        self._print(title)

    def add(self, outcome: Outcome) -> None:
        if outcome.mark is Mark.PASS:
            self.passes += 1
        elif outcome.mark is Mark.FAIL:
            self.failures += 1
        self._print(outcome.line())

    def summary(self) -> None:
        if self.failures:
            self._print(
                f"\n{self.failures} check(s) failed, {self.passes} passed. "
                "Fix the ✗ lines and run `diary-bot check` again."
            )
        else:
            self._print(f"\nAll {self.passes} checks passed.")

    def _print(self, text: str) -> None:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        print(text, file=self._out, flush=True)
