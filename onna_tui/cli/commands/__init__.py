"""The CLI's subcommands (profile, token, status, workspace), one module per area.

``onna_tui.cli.runner`` parses the command line and calls ``run(ctx)`` here: the
profile commands are synchronous, the others async functions run with
``asyncio.run``. No textual here.
"""
