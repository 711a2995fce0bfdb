"""format_size: one way of writing byte counts, for image limits and the database's size."""

from __future__ import annotations

import pytest

from bot.byte_sizes import GIGABYTE, KILOBYTE, MEGABYTE, format_size


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "1 KB"),
        (300, "1 KB"),
        (840 * KILOBYTE, "840 KB"),
        (10 * MEGABYTE, "10 MB"),
        (int(12.5 * MEGABYTE), "12.5 MB"),
        (MEGABYTE - 1, "1024 KB"),
        (int(1.25 * GIGABYTE), "1.2 GB"),
    ],
)
def test_sizes_read_in_1024s_with_at_most_one_decimal(size, text):
    """Kilobytes as whole numbers, megabytes and gigabytes with one decimal unless it is .0."""
    assert format_size(size) == text
