"""The arithmetic of a batch of uploads, shared by the CLI's bar and the TUI's: which file
of how many, bytes confirmed overall, the rate of this run and the time left.

No I/O and no clock of its own: callers pass ``now`` (tests move time by hand). A resumed
file starts part way; only the bytes sent in this run count towards the rate.
"""

from __future__ import annotations


class TransferTally:
    """Counts for ``total_files`` files of ``total_bytes`` in all, sent one after another."""

    def __init__(self, *, total_files: int, total_bytes: int, started: float) -> None:
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.started = started
        self.file_index = 0  # 1-based once a file has started
        self.name = ""
        self.file_size = 0
        self.offset = 0  # confirmed bytes of the current file
        self._file_start_offset = -1  # where the current file began in this run
        self._done_bytes = 0  # sizes of the files finished
        self._sent_before = 0  # bytes sent in this run before the current file

    def start_file(self, name: str, size: int) -> None:
        self.file_index += 1
        self.name = name
        self.file_size = size
        self.offset = 0
        self._file_start_offset = -1

    def update(self, offset: int, size: int) -> None:
        """The server confirmed ``offset`` bytes of the current file; the first call for a
        file gives the offset it starts from (not zero when resumed)."""
        if self._file_start_offset < 0 or offset < self._file_start_offset:
            self._file_start_offset = offset
        self.offset, self.file_size = offset, size

    def finish_file(self) -> None:
        self._sent_before += max(0, self.file_size - max(self._file_start_offset, 0))
        self._done_bytes += self.file_size
        self.offset, self._file_start_offset = 0, 0

    @property
    def overall(self) -> int:
        """Bytes confirmed in all: the finished files and the current file's offset."""
        return self._done_bytes + self.offset

    def sent(self) -> int:
        """Bytes sent in this run (resumed bytes the server already had are not counted)."""
        return self._sent_before + max(0, self.offset - max(self._file_start_offset, 0))

    def rate(self, now: float) -> float:
        """Bytes per second over this run."""
        return self.sent() / max(now - self.started, 1e-9)

    def seconds_left(self, now: float) -> float | None:
        """Time left at this run's rate; None before a byte has gone or when all is sent."""
        rate = self.rate(now)
        left = self.total_bytes - self.overall
        return left / rate if rate > 0 and left > 0 else None
