"""Profiles as both front ends use them: one door for the CLI and the TUI.

- ``resolve``: which profile and credentials a run uses (config, keyring, environment);
- ``manage``: verify-then-save, the secret-follows rule, removing a profile;
- ``session``: the OnnaClient for a resolved profile, with the right token cache.
"""
