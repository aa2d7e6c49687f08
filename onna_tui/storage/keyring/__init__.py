"""The OS keyring: client secrets and cached tokens (``vault``)."""
