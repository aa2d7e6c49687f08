"""The CLI's subcommands (profile, token, status, workspace, ...), one module per area.

Each module has a ``register`` that adds its subcommands to the parser and binds
their handlers; ``onna_tui.cli.runner`` parses the command line and calls the
chosen handler with the run's Context: the profile commands are synchronous,
the others async functions run with ``asyncio.run``. At import a module loads
only light modules (httpx, pydantic and the keyring when a handler runs). No
textual here.
"""
