"""How long a token lives and when it is renewed. Standard library only.

Apart from `core.tokens` (pydantic) so that the TUI can read the renewal
margin while it builds its settings, before the first paint, without loading
pydantic.
"""

from __future__ import annotations

#: Onna's documented token lifetime: "tokens expire after 1 hour (3599 seconds)".
DOCUMENTED_TOKEN_LIFETIME = 3599
#: A lifetime above this is not believed (see api.tokens.token_from_response).
MAX_BELIEVED_LIFETIME = 24 * 3600
#: Renew a token this many seconds before it expires (capped at half its lifetime).
RENEWAL_MARGIN = 60.0

#: `onna-tui exec`: the least time, in seconds, a token handed to a program has left by
#: default (a new one is minted when the cached one has less).
EXEC_MIN_LEFT = 900
