"""What onna-tui keeps on this machine: config.toml, the keyring, lock files.

- ``config_file``: profiles in ``config.toml`` (`ConfigStore`, `Config`, `Profile`);
- ``keyring/``: client secrets and cached tokens in the OS keyring (`Vault`);
- ``locks``: cross-process locks (filelock) for config changes and token minting;
- ``files``: the one atomic file write.

Independent of the API layer (``onna_tui.api``): neither imports the other.
"""
