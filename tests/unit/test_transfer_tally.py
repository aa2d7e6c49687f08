"""The batch arithmetic behind both upload bars (CLI and TUI), on times given by hand."""

from __future__ import annotations

from onna_tui.core.transfer import TransferTally

MIB = 1024 * 1024


def test_two_files_overall_rate_and_time_left() -> None:
    tally = TransferTally(total_files=2, total_bytes=30 * MIB, started=100.0)
    assert tally.seconds_left(100.0) is None  # nothing sent yet: no guess
    tally.start_file("a", 10 * MIB)
    tally.update(0, 10 * MIB)
    tally.update(10 * MIB, 10 * MIB)
    tally.finish_file()
    assert (tally.file_index, tally.overall) == (1, 10 * MIB)
    tally.start_file("b", 20 * MIB)
    tally.update(0, 20 * MIB)
    assert tally.overall == 10 * MIB  # the new file's zero does not lose the first
    tally.update(5 * MIB, 20 * MIB)
    assert (tally.file_index, tally.overall, tally.sent()) == (2, 15 * MIB, 15 * MIB)
    assert tally.rate(105.0) == 3 * MIB
    assert tally.seconds_left(105.0) == 5.0
    tally.update(20 * MIB, 20 * MIB)
    tally.finish_file()
    assert tally.overall == 30 * MIB and tally.seconds_left(110.0) is None


def test_a_resumed_file_counts_only_the_bytes_this_run_sent() -> None:
    tally = TransferTally(total_files=1, total_bytes=10 * MIB, started=0.0)
    tally.start_file("r", 10 * MIB)
    tally.update(8 * MIB, 10 * MIB)  # the server had 8 MiB already
    assert tally.sent() == 0 and tally.overall == 8 * MIB
    tally.update(9 * MIB, 10 * MIB)
    assert tally.sent() == MIB and tally.rate(2.0) == MIB / 2
    assert tally.seconds_left(2.0) == 2.0


def test_an_offset_that_goes_back_restarts_the_files_count() -> None:
    # After a damaged chunk the server may confirm less than before: never count negative.
    tally = TransferTally(total_files=1, total_bytes=100, started=0.0)
    tally.start_file("x", 100)
    tally.update(60, 100)
    tally.update(40, 100)
    assert tally.sent() == 0 and tally.overall == 40
