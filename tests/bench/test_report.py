"""bench/RESULTS.md: a new run replaces only what the bench wrote, never the notes."""

from __future__ import annotations

from bench.report import BEGIN_GENERATED, END_GENERATED, merged


def test_a_new_file_holds_only_the_generated_part():
    """Nothing written yet: the run, between the markers."""
    assert merged(None, "# run 1\n") == f"{BEGIN_GENERATED}\n# run 1\n{END_GENERATED}\n"


def test_a_new_run_replaces_the_old_one_and_keeps_the_notes_around_it():
    """What stands before and after the markers (written by hand) stays word for word."""
    first = merged(None, "# run 1\n| 9 | FAIL |")
    noted = f"Intro by hand.\n\n{first}\n## Reading this run\n\n- run 1 was slow\n"

    again = merged(noted, "# run 2\n| 9 | PASS |")

    assert again.startswith("Intro by hand.\n\n" + BEGIN_GENERATED + "\n# run 2\n")
    assert "run 1\n| 9" not in again and "| 9 | PASS |" in again
    assert again.endswith(f"{END_GENERATED}\n\n## Reading this run\n\n- run 1 was slow\n")
    assert merged(again, "# run 2\n| 9 | PASS |") == again


def test_a_file_without_markers_is_kept_after_the_new_run():
    """An older RESULTS.md (all of it written before the markers existed) is not lost."""
    old = "# diary-bot benchmarks\n\nold table\n\n## Reading this run\n\n- notes\n"

    updated = merged(old, "# run 2")

    assert updated.startswith(f"{BEGIN_GENERATED}\n# run 2\n{END_GENERATED}\n")
    assert updated.endswith(old)
