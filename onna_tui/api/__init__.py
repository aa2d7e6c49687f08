"""The API layer: everything that talks HTTP (httpx) to the Onna Platform API. No textual here."""
