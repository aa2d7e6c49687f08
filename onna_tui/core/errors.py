"""The configuration error: a setting or value that cannot be used as given.

Raised by the rules in core (a base URL, a profile name), by the config file
(``storage.config_file``: a damaged ``config.toml``, an unknown profile) and by
profile resolution (no profiles, no stored secret). Not an HTTP error: nothing
was sent when it is raised.
"""

from __future__ import annotations

from onna_tui.errors import ExitCode, OnnaTuiError


class ConfigError(OnnaTuiError):
    """A setting, a profile or a value meant for one is unusable; the message says how to fix it."""

    title = "Configuration problem"
    exit_code = ExitCode.USAGE
