"""A progress bar on stderr for uploads: bytes, rate and time left, per file and overall.

Drawn only when stderr is a terminal (``TransferBar.for_stderr``); otherwise
nothing at all is written, so ``id=$(onna-tui upload f)`` gets just the id. The
line is redrawn at most ``max_hz`` times a second with ``\\r`` and cleared at the
end. Names are shown through ``printable`` (no terminal control reaches the tty).
The clock is injected, so tests move time by hand.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from onna_tui.core.sizes import human_size
from onna_tui.core.text import printable
from onna_tui.core.transfer import TransferTally


def _clock_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class TransferBar:
    """One line: ``[2/3] name  [####----]  12.0 MiB / 50.0 MiB  8.1 MiB/s  0:04 left``."""

    def __init__(
        self,
        stream: TextIO | None,
        *,
        total_files: int,
        total_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        max_hz: float = 10.0,
        width: int | None = None,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._interval = 1.0 / max_hz
        self._width = width
        self.tally = TransferTally(
            total_files=total_files, total_bytes=total_bytes, started=clock()
        )
        self._last_draw = float("-inf")
        self.lines_drawn = 0

    @classmethod
    def for_stderr(cls, *, total_files: int, total_bytes: int) -> TransferBar:
        stream = sys.stderr if sys.stderr is not None and sys.stderr.isatty() else None
        return cls(stream, total_files=total_files, total_bytes=total_bytes)

    def start_file(self, name: str, size: int) -> None:
        self.tally.start_file(printable(name), size)

    def update(self, offset: int, size: int) -> None:
        """The server confirmed ``offset`` bytes of the current file. The first call for a
        file gives the offset it starts from (not zero when resumed)."""
        self.tally.update(offset, size)
        now = self._clock()
        if offset < size and now - self._last_draw < self._interval:
            return
        self._last_draw = now
        self._draw(self.text(now))

    def finish_file(self) -> None:
        self.tally.finish_file()

    def text(self, now: float) -> str:
        tally = self.tally
        seconds = tally.seconds_left(now)
        eta = f"{_clock_text(seconds)} left" if seconds is not None else ""
        width = self._width or shutil.get_terminal_size((80, 24)).columns
        total = tally.total_bytes
        fraction = tally.overall / total if total else 1.0
        counter = f"[{tally.file_index}/{tally.total_files}] " if tally.total_files > 1 else ""
        numbers = (
            f" {human_size(tally.overall)} / {human_size(total)}"
            f"  {human_size(int(tally.rate(now)))}/s  {eta}".rstrip()
        )
        bar_width = max(10, min(30, width // 4))
        filled = int(bar_width * fraction)
        bar = f" [{'#' * filled}{'-' * (bar_width - filled)}]"
        room = width - 1 - len(counter) - len(bar) - len(numbers) - 1
        name = tally.name if len(tally.name) <= room else tally.name[: max(0, room - 1)] + "…"
        return f"{counter}{name}{bar}{numbers}"[: width - 1]

    def _draw(self, line: str) -> None:
        if self._stream is None:
            return
        self._stream.write("\r\x1b[2K" + line)
        self._stream.flush()
        self.lines_drawn += 1

    def close(self) -> None:
        """Clear the line (the final ids go to stdout; notes follow on a clean line)."""
        if self._stream is not None and self.lines_drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
