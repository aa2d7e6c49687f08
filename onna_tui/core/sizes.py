"""Byte sizes as people write and read them: ``4M``, ``512KiB``, ``1.5 GiB``. Stdlib only."""

from __future__ import annotations

import re

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional K, M, G or T (powers of 1024; B,
    KB, KiB all accepted). ValueError with a sentence when it is not a size."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a size: write bytes, or a number with K, M or G (4M).")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.lower()])


def human_size(size: int) -> str:
    """``0 B``, ``512 B``, ``4.0 KiB``, ``12.3 MiB``, ``1.00 GiB``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover
