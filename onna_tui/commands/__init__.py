"""The CLI's subcommands (profile, token, status, workspace), one module per area.

``onna_tui.cli`` parses the command line and calls ``run(args)`` here; every
command is an async function run with ``asyncio.run``. No textual here.
"""
