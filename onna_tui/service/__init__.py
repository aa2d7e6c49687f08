"""The service layer: everything that talks HTTP to the Onna Platform API. No textual here."""
