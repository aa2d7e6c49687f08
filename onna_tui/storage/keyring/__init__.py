"""The OS keyring: client secrets and cached tokens, one job per module.

- ``entries``: what each entry is called and holds (the token JSON);
- ``errors``: the VaultError family and how a backend's failure is said;
- ``backends``: the in-memory backend and what any backend is, in words;
- ``bounded``: every call in a daemon thread, given up in time;
- ``vault``: `Vault`, the one door to the entries;
- ``token_cache``: `VaultTokenCache`, the token cache shared across processes.
"""
