"""The upload progress bar, on a fake terminal and an injected clock."""

from __future__ import annotations

import io

from onna_tui.cli.progress import TransferBar

MIB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bytes_rate_and_time_left_with_an_overall_count() -> None:
    clock = Clock()
    stream = io.StringIO()
    bar = TransferBar(stream, total_files=2, total_bytes=20 * MIB, clock=clock, width=100)
    bar.start_file("a.bin", 10 * MIB)
    bar.update(0, 10 * MIB)  # the uploader reports where it starts first
    clock.now += 2
    bar.update(4 * MIB, 10 * MIB)
    line = stream.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert line.startswith("[1/2] a.bin [")
    assert "4.00 MiB / 20.0 MiB" in line and "2.00 MiB/s" in line and "0:08 left" in line
    assert line.count("#") == int(25 * 4 / 20)


def test_redraws_are_limited_and_the_last_one_is_always_drawn() -> None:
    clock = Clock()
    stream = io.StringIO()
    bar = TransferBar(stream, total_files=1, total_bytes=100, clock=clock, max_hz=10, width=80)
    bar.start_file("f", 100)
    for offset in range(1, 100):
        bar.update(offset, 100)  # no time passes: only the first is drawn
    bar.update(100, 100)
    assert bar.lines_drawn == 2
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_a_resumed_file_counts_only_what_this_run_sent_for_the_rate() -> None:
    clock = Clock()
    bar = TransferBar(io.StringIO(), total_files=1, total_bytes=10 * MIB, clock=clock, width=100)
    bar.start_file("r.bin", 10 * MIB)
    bar.update(8 * MIB, 10 * MIB)  # the server had 8 MiB already
    clock.now += 1
    bar.tally.update(9 * MIB, 10 * MIB)
    assert "1.00 MiB/s" in bar.text(clock.now)


def test_nothing_is_written_without_a_terminal_and_names_are_escaped() -> None:
    silent = TransferBar(None, total_files=1, total_bytes=10, clock=Clock())
    silent.start_file("x", 10)
    silent.update(10, 10)
    silent.close()
    assert silent.lines_drawn == 0
    stream = io.StringIO()
    bar = TransferBar(stream, total_files=1, total_bytes=10, clock=Clock(), width=80)
    bar.start_file("evil\x1b]0;title\x07.bin", 10)
    bar.update(10, 10)
    assert "\x07" not in stream.getvalue() and "\x1b]" not in stream.getvalue()
