"""The type-the-name dialog: nothing is confirmed until the name is typed."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Button

from onna_tui.tui.widgets.type_to_confirm import TypeToConfirmScreen, name_matches


def test_the_name_or_its_shown_form_matches_and_nothing_else() -> None:
    assert name_matches("Case 42", "Case 42")
    assert name_matches("  Case 42 ", "Case 42")
    assert name_matches("evil\\x1b[2J", "evil\x1b[2J")
    assert not name_matches("case 42", "Case 42")
    assert not name_matches("", "")
    assert not name_matches("Case", "Case 42")


class _Host(App[None]):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.wanted = name
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(
            TypeToConfirmScreen("Delete workspace?", "It cannot be undone.", self.wanted),
            self.answers.append,
        )


async def test_the_button_stays_disabled_until_the_name_is_typed() -> None:
    app = _Host("[b]Case[/b] 42")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        button = app.screen.query_one("#type-yes", Button)
        assert button.disabled
        await pilot.press(*"[b]Case")
        await pilot.press("enter")  # a wrong name submitted: still open, nothing confirmed
        await pilot.pause()
        assert app.answers == [] and button.disabled
        await pilot.press(*"[/b] 42")
        await pilot.pause()
        assert not button.disabled
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [True]


async def test_escape_answers_no() -> None:
    app = _Host("Case 42")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"Case 42")
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [False]
