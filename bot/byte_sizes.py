"""Byte counts written for people, one way everywhere: 1,024-based, as Discord states its limits."""

from __future__ import annotations

KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE
GIGABYTE = 1024 * MEGABYTE


def format_size(size: int) -> str:
    """`840 KB`, `10 MB`, `12.5 MB`, `1.2 GB` (less than a kilobyte reads as `1 KB`)."""
    if size < MEGABYTE:
        return f"{max(1, round(size / KILOBYTE))} KB"
    if size < GIGABYTE:
        return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"
    return f"{size / GIGABYTE:.1f}".removesuffix(".0") + " GB"
