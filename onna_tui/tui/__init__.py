"""The Textual terminal UI. The only package of onna-tui that imports textual.

Start it with `onna_tui.tui.launch.run_tui`; build it for tests and screenshots
with `onna_tui.tui.app.make_app`.
"""
