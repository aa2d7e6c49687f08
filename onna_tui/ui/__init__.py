"""The Textual terminal UI. The only package of onna-tui that imports textual.

Start it with `onna_tui.ui.launch.run_tui`; build it for tests and screenshots
with `onna_tui.ui.app.make_app`.
"""
