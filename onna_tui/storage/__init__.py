"""What onna-tui keeps on this machine: config.toml, the keyring, lock files.

- ``config_file``: profiles in ``config.toml``, read and written (`ConfigStore`);
- ``config_model``: what the file holds and its rules (`Config`, `Profile`);
- ``toml_text``: the file's text (written back keeping comments and layout);
- ``keyring/``: client secrets and cached tokens in the OS keyring (`Vault`);
- ``locks``: cross-process locks (filelock) for config changes and token minting;
- ``files``: the one atomic file write.

Independent of the API layer (``onna_tui.api``): neither imports the other.
"""
