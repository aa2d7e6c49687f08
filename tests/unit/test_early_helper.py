"""The start-up helper's pieces that need no keyring: its one line, and the parent's side
of the pipe (a child that answers garbage, fails, or hangs gives no answer, and a hung
one is killed). The child on the real Secret Service: tests/vault/test_secret_service.py."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from onna_tui.tui.early import EarlyExpiry, EarlyRead, decode, encode, main
from onna_tui.tui.launch import _start_early_read, _wait_for

MOMENT = datetime(2026, 12, 4, 21, 0, 0, 123456, tzinfo=UTC)


def test_the_line_round_trips() -> None:
    line = encode(EarlyExpiry("work", MOMENT, 3599))
    back = decode(line)
    assert back is not None
    assert (back.profile, back.expires_at, back.expires_in) == ("work", MOMENT, 3599)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[]",
        '{"profile": "work", "expires_in": 3599}',
        '{"profile": "work", "expires_at": "2026-12-04T21:00:00", "expires_in": 3599}',
        '{"profile": "work", "expires_at": "2026-12-04T21:00:00+00:00", "expires_in": true}',
        '{"profile": "work", "expires_at": "2026-12-04T21:00:00+00:00", "expires_in": 1.5}',
        '{"profile": 7, "expires_at": "2026-12-04T21:00:00+00:00", "expires_in": 3599}',
        '{"profile": "work", "expires_at": "tomorrow", "expires_in": 3599}',
        "[" * 100_000,
    ],
)
def test_anything_else_is_no_answer(line: str) -> None:
    assert decode(line) is None


def test_time_left_follows_the_clock_and_stops_at_zero() -> None:
    expiry = EarlyExpiry("work", MOMENT, 3599)
    assert expiry.seconds_left(MOMENT - timedelta(seconds=90, microseconds=1)) == 90
    assert expiry.seconds_left(MOMENT + timedelta(hours=1)) == 0
    assert "work" in repr(expiry)


def _child(code: str) -> EarlyRead:
    return EarlyRead(
        subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
    )


def test_the_parent_reads_the_last_line_of_a_good_answer() -> None:
    line = encode(EarlyExpiry("work", MOMENT, 3599))
    found = _child(f"print('noise'); print({line!r})").result(timeout=30)
    assert found is not None and found.expires_at == MOMENT


async def test_an_answer_already_in_is_read_without_a_thread_and_a_late_one_with_one() -> None:
    line = encode(EarlyExpiry("work", MOMENT, 3599))
    done = _child(f"print({line!r})")
    done._process.wait(30)
    assert done.answered
    threads = threading.active_count()
    found = await _wait_for(done)
    assert found is not None and found.profile == "work"
    assert threading.active_count() == threads  # no executor was started for it

    late = _child(f"import time; time.sleep(0.2); print({line!r})")
    assert not late.answered
    found = await _wait_for(late)  # waited for off the event loop, then read
    assert found is not None and found.expires_at == MOMENT
    assert late.answered


@pytest.mark.parametrize(
    "code",
    ["print('{}')", "import sys; sys.exit(1)", "pass", "import sys; sys.stdout.write('\\xff')"],
)
def test_a_child_without_a_good_answer_is_none(code: str) -> None:
    assert _child(code).result(timeout=30) is None


def test_a_child_that_does_not_answer_in_time_is_killed() -> None:
    early = _child("import time; time.sleep(60)")
    assert early.result(timeout=0.2) is None
    assert early._process.poll() is not None  # killed and reaped, not left behind


def test_close_ends_a_child_still_running() -> None:
    early = _child("import time; time.sleep(60)")
    early.close()
    assert early._process.poll() is not None
    early.close()  # twice is harmless


@pytest.mark.parametrize(
    ("sandbox", "base_url"),
    [(True, None), (False, "https://api.example.com/v1")],
    ids=["sandbox", "base-url"],
)
def test_no_helper_for_the_sandbox_or_another_server(sandbox: bool, base_url: str | None) -> None:
    assert _start_early_read(None, sandbox=sandbox, base_url=base_url) is None


def test_the_child_refuses_arguments_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--verbose"]) == 2
    assert capsys.readouterr().out == ""
