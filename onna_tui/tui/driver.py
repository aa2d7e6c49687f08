"""A terminal driver whose input thread sleeps until there is something to read.

Textual 8.2.8 (pinned exactly in pyproject.toml) reads the keyboard in a thread
that waits at most 0.1 s at a time: ten wake-ups a second, only to see whether the
app is exiting and whether a lone Escape has waited long enough to be a key of its
own. On the Token screen, left open all day, those wake-ups were about a third of
the process's idle CPU (32 ms of 105 ms over 20 s, per-thread schedstat).

``QuietDriver`` reads the same bytes through the same key parser, but its thread
waits with no timeout unless the parser is holding a partial escape sequence (then
until the parser's own deadline), and it is woken by a pipe when input is turned
off (exit, suspend). Everything else is Textual's LinuxDriver.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from threading import Event
from typing import TYPE_CHECKING, Any

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from textual.message import Message

#: Bytes read from the terminal at a time (as Textual reads them).
READ_SIZE = 4096


class _WakingEvent(Event):
    """The driver's exit event: setting it also wakes the input thread."""

    def __init__(self, wake: Callable[[], None]) -> None:
        super().__init__()
        self._wake = wake

    def set(self) -> None:
        super().set()
        self._wake()


class QuietDriver(LinuxDriver):
    """LinuxDriver with an input thread that wakes only for input, a key timeout or exit."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self.exit_event = _WakingEvent(self._wake)

    def _wake(self) -> None:
        try:
            os.write(self._wake_write, b"!")
        except OSError:  # full (already awake) or closed (the driver is gone)
            pass

    def _drain_wake(self) -> None:
        try:
            while os.read(self._wake_read, 64):
                pass
        except OSError:  # empty
            pass

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass

    def run_input_thread(self) -> None:
        """Feed the terminal's bytes to the key parser until input is turned off."""
        self._drain_wake()  # a wake-up left from the last time input was turned off
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        with selectors.DefaultSelector() as selector:
            selector.register(self.fileno, selectors.EVENT_READ, "terminal")
            selector.register(self._wake_read, selectors.EVENT_READ, "wake")
            reading = True
            while not self.exit_event.is_set():
                for key, _mask in selector.select(_timeout(parser)):
                    if key.data == "wake":
                        self._drain_wake()
                        continue
                    raw = os.read(self.fileno, READ_SIZE)
                    if not raw:  # end of input (a pipe): stop asking, the app goes on
                        selector.unregister(self.fileno)
                        reading = False
                        continue
                    self._dispatch(parser.feed(decode(raw)))
                self._dispatch(parser.tick())
            # Input is off: what has already arrived is still read, as Textual does.
            if reading and any(key.data == "terminal" for key, _ in selector.select(0)):
                raw = os.read(self.fileno, READ_SIZE)
                if raw:
                    self._dispatch(parser.feed(decode(raw, final=True)))
        if not parser.is_eof:
            try:
                for _event in parser.feed(""):
                    pass
            except Exception:  # an unfinished sequence at the end: nothing to deliver
                pass

    def _dispatch(self, events: Iterable[Message]) -> None:
        for event in events:
            self.process_message(event)


def _timeout(parser: XTermParser) -> float | None:
    """How long the thread may sleep: until the parser's deadline for a partial
    sequence (a lone Escape becomes a key when it passes), else until woken."""
    deadline: float | None = parser._timeout_time
    if deadline is None:
        return None
    return max(0.0, deadline - get_time())
