"""Where the TCSS files live: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import onna_tui


@cache
def styles_dir() -> Path:
    """The styles folder: the wheel ships it as onna_tui/styles; a checkout has it at the top."""
    packaged = Path(onna_tui.__file__).parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(onna_tui.__file__).parent.parent / "styles"


def style(name: str) -> Path:
    """One TCSS file by name, e.g. ``style("token.tcss")``."""
    return styles_dir() / name
