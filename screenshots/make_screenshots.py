"""Make the README's screenshots: an SVG and a PNG of every screen, running on the sandbox.

    python screenshots/make_screenshots.py            # writes screenshots/*.svg and *.png
    python screenshots/make_screenshots.py workspace-edit   # only the shots named

The app is built with the same `make_app` as `onna-tui --sandbox` and the tests,
on the in-process sandbox and a frozen clock, then driven with a Pilot.
PNGs come from `rsvg-convert -z 2` (fonts-firacode installed). Before a file is
written, its SVG is checked for the sandbox's demo secret and the raw access
token: the script fails rather than publish either.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from onna_tui.core.clock import ManualClock  # noqa: E402
from onna_tui.storage.config_file import ConfigStore  # noqa: E402
from onna_tui.storage.keyring.backends import MemoryKeyring  # noqa: E402
from onna_tui.storage.keyring.vault import Vault  # noqa: E402
from onna_tui.tui.app import OnnaApp, make_app  # noqa: E402
from onna_tui.tui.sandbox_mode import start_sandbox  # noqa: E402
from onna_tui.tui.settings import AppSettings  # noqa: E402
from onna_tui.tui.store import ProfileStore  # noqa: E402
from onna_tui.tui.widgets.fields import FormField  # noqa: E402

START = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
SIZES = ((120, 40), (80, 24))
Steps = Callable[[Any, ManualClock], Awaitable[None]]


def build_app(*, first_run: bool, clock: ManualClock, folder: Path) -> OnnaApp:
    settings = AppSettings(
        clock=clock,
        animations=False,
        display_tz=UTC,
        sandbox_starter=partial(start_sandbox, clock=clock, in_process=True),
    )
    if first_run:
        settings.store = ProfileStore(
            ConfigStore(folder / "config.toml", clock=clock),
            Vault(MemoryKeyring()),
            env={},
            clock=clock,
        )
    else:
        settings.launch_sandbox = True
    return make_app(settings)


async def settle(pilot: Any, rounds: int = 4) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def quiet(pilot: Any) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def with_token(pilot: Any, clock: ManualClock) -> None:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    clock.advance(12 * 60 + 34)  # a token in use for a while, not a fresh one
    for widget in pilot.app.screen.query("TokenCountdown, StatusBar"):
        widget.tick() if hasattr(widget, "tick") else widget.refresh_state()


def secrets_of(app: OnnaApp) -> list[str]:
    """Every value that must never appear in a screenshot."""
    values = []
    session = app.session
    if session is not None and session.resolved.credentials is not None:
        values.append(session.resolved.credentials.client_secret.get_secret_value())
    if session is not None and session.tokens is not None and session.tokens.current:
        values.append(session.tokens.current.access_token.get_secret_value())
    values.append("typed-secret-never-shown")
    return [v for v in values if v]


def to_png(svg: Path, png: Path) -> None:
    """rsvg-convert, with two fixes for how librsvg reads Rich's SVG: keep the spaces
    (xml:space) and match Fira Code's advance to Rich's cell width (letter-spacing)."""
    text = svg.read_text(encoding="utf-8")
    text = text.replace("<svg ", '<svg xml:space="preserve" ', 1)
    text = text.replace("</style>", "text { letter-spacing: -0.12px; }\n</style>", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False, encoding="utf-8") as tmp:
        tmp.write(text)
    try:
        subprocess.run(
            ["rsvg-convert", "-z", "2", "-f", "png", "-o", str(png), tmp.name], check=True
        )
    finally:
        Path(tmp.name).unlink()


async def shoot(name: str, size: tuple[int, int], steps: Steps, *, first_run: bool) -> Path:
    clock = ManualClock(START)
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(first_run=first_run, clock=clock, folder=Path(folder))
        async with app.run_test(size=size) as pilot:
            await steps(pilot, clock)
            svg_text = app.export_screenshot(title=f"onna-tui — {name}")
            plain = re.sub(r"<[^>]+>", "", svg_text).replace("&#160;", " ")
            for secret in secrets_of(app):
                if secret in svg_text or secret in plain:
                    raise SystemExit(f"refusing to write {name}: a secret is on screen")
    stem = f"{name}-{size[0]}x{size[1]}"
    svg = HERE / f"{stem}.svg"
    svg.write_text(svg_text, encoding="utf-8")
    to_png(svg, HERE / f"{stem}.png")
    return svg


async def welcome(pilot: Any, clock: ManualClock) -> None:
    await quiet(pilot)


async def add_credentials(pilot: Any, clock: ManualClock) -> None:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    form = pilot.app.screen
    for field, value in (
        ("profile-name", "prod"),
        ("org", "ACMECORP"),
        ("client-id", "3f9c2a71d0e84b"),
        ("client-secret", "typed-secret-never-shown"),
    ):
        form.query_one(f"#{field}-field", FormField).input.value = value
    form.query_one("#client-secret").focus()
    await quiet(pilot)


async def credentials(pilot: Any, clock: ManualClock) -> None:
    await with_token(pilot, clock)
    await pilot.press("f2")
    await quiet(pilot)


async def token(pilot: Any, clock: ManualClock) -> None:
    await with_token(pilot, clock)
    await quiet(pilot)


async def workspaces(pilot: Any, clock: ManualClock) -> None:
    await with_token(pilot, clock)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#name-field", FormField).input.value = "Board minutes 2026"
    screen.query_one("#description-field", FormField).input.value = "Minutes and resolutions"
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    screen.query_one("#name-field", FormField).input.value = "Supplier audit"
    screen.query_one("#tags-field", FormField).input.value = "audit, 2026"
    await quiet(pilot)


async def demo_list(pilot: Any, clock: ManualClock) -> Any:
    """A few workspaces, two custom fields on the first, and the list focused on it."""
    await with_token(pilot, clock)
    state = pilot.app.sandbox.state
    board = state.create_workspace("Board minutes 2026", "Minutes and resolutions", ["board"])
    state.create_workspace("Supplier audit", "", ["audit", "2026"])
    matter = state.create_custom_field("Matter number", "keyword", "The firm's matter", True)
    due = state.create_custom_field("Review due", "date", "", False)
    state.create_custom_field("Custodian", "keyword", "Whose data this is", False)
    for field in (matter, due):
        state.enable_custom_field(board.onna_id, field.onna_id)
    state.set_custom_value(board.onna_id, matter.onna_id, "M-2026-0142")
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    table = screen.query_one("#ws-table")
    table.focus()
    table.move_cursor(row=table.get_row_index(board.onna_id))
    await settle(pilot)
    return screen


async def workspace_fields(pilot: Any, clock: ManualClock) -> None:
    await demo_list(pilot, clock)
    await quiet(pilot)


async def workspace_edit(pilot: Any, clock: ManualClock) -> None:
    await demo_list(pilot, clock)
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    dialog.query_one("#description-field", FormField).input.value = "Minutes, resolutions, notes"
    dialog.query_one("#tags-field", FormField).input.value = "board, 2026"
    await quiet(pilot)


async def workspace_delete(pilot: Any, clock: ManualClock) -> None:
    await demo_list(pilot, clock)
    await pilot.press("d")
    await settle(pilot)
    await pilot.press(*"Board min")
    await quiet(pilot)


async def enable_field(pilot: Any, clock: ManualClock) -> None:
    await demo_list(pilot, clock)
    await pilot.press("a")
    await quiet(pilot)


async def create_field(pilot: Any, clock: ManualClock) -> None:
    screen = await demo_list(pilot, clock)
    screen.action_create_field()
    await settle(pilot)
    dialog = pilot.app.screen
    dialog.query_one("#name-field", FormField).input.value = "Jurisdiction"
    dialog.query_one("#description-field", FormField).input.value = "Where the matter is heard"
    await quiet(pilot)


async def workspace_filter(pilot: Any, clock: ManualClock) -> None:
    screen = await demo_list(pilot, clock)
    await pilot.press("slash", *"au")
    await quiet(pilot)
    del screen


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Poll without waiting for workers (the upload dialog's DirectoryTree keeps one)."""
    for _ in range(1000):
        if condition():
            return
        await pilot.pause(0.01)
    raise SystemExit(f"the screen never reached the state to shoot: {what}")


def demo_files(folder: Path) -> list[Path]:
    """A few files to upload, in a folder of their own (the upload dialog starts there)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, size in (("minutes-2026-02.pdf", 412_345), ("resolutions.docx", 88_000)):
        path = folder / name
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        files.append(path)
    (folder / "notes.txt").write_text("Agenda for March\n")
    return files


async def open_contents(pilot: Any, clock: ManualClock) -> Any:
    """The first workspace's contents, with the demo files in the current directory."""
    state_dir = Path(tempfile.mkdtemp(prefix="onna-shots-"))
    os.environ["ONNA_TUI_STATE_DIR"] = str(state_dir / "state")
    files = demo_files(state_dir / "Board papers")
    os.chdir(files[0].parent)
    await demo_list(pilot, clock)
    await pilot.press("o")
    await settle(pilot)
    return files


async def contents(pilot: Any, clock: ManualClock) -> None:
    files = await open_contents(pilot, clock)
    screen = pilot.app.screen
    await pilot.press("n")
    await settle(pilot)
    await pilot.press(*"February meeting", "enter")
    await settle(pilot)
    tree = screen.query_one("#contents-tree")
    tree.move_cursor(tree.root.children[0])
    await pilot.press("u")
    await until(pilot, lambda: pilot.app.screen is not screen, "the upload dialog")
    pilot.app.screen.query_one("#upload-path").value = shlex.join(str(f) for f in files)
    await pilot.press("enter")
    await until(
        pilot, lambda: pilot.app.screen is screen and not screen.uploading, "the uploads done"
    )
    await quiet(pilot)


async def upload_pick(pilot: Any, clock: ManualClock) -> None:
    await open_contents(pilot, clock)
    screen = pilot.app.screen
    await pilot.press("u")
    await until(pilot, lambda: pilot.app.screen is not screen, "the upload dialog")
    picker = pilot.app.screen
    directory = picker.query_one("DirectoryTree")
    await until(pilot, lambda: len(directory.root.children) == 3, "the files listed")
    for line in (1, 2):
        directory.focus()
        directory.cursor_line = line
        await pilot.press("enter")
        await pilot.pause()
    for _ in range(5):  # as after a pick: the field has the focus, the tree its cursor
        await pilot.pause(0.02)


SHOTS: tuple[tuple[str, Steps, bool], ...] = (
    ("welcome", welcome, True),
    ("add-credentials", add_credentials, True),
    ("credentials", credentials, False),
    ("token", token, False),
    ("workspaces", workspaces, False),
    ("workspace-fields", workspace_fields, False),
    ("workspace-filter", workspace_filter, False),
    ("workspace-edit", workspace_edit, False),
    ("workspace-delete", workspace_delete, False),
    ("enable-field", enable_field, False),
    ("create-field", create_field, False),
    ("contents", contents, False),
    ("upload-pick", upload_pick, False),
)


async def main() -> None:
    if shutil.which("rsvg-convert") is None:
        raise SystemExit("rsvg-convert is missing: apt-get install librsvg2-bin fonts-firacode")
    wanted = set(sys.argv[1:])  # names to shoot; all of them when none is given
    for name, steps, first_run in SHOTS:
        if wanted and name not in wanted:
            continue
        for size in SIZES:
            path = await shoot(name, size, steps, first_run=first_run)
            print(f"wrote {path.relative_to(HERE.parent)} and its PNG")


if __name__ == "__main__":
    asyncio.run(main())
