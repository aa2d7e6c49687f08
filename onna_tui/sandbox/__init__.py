"""A local, Onna-compatible API server for trying the app and for tests. No textual here."""
