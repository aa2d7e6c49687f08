"""Where the sandbox's random ids, secrets, tokens and cursor keys come from.

`SandboxState` takes one `RandomSource` and hands it to each resource it owns,
so nothing in the state calls `secrets` or `random` by itself (the web layer's
per-response error ids and request ids are uuid4s, not state). The default,
`SecretsRandom`, is the operating system's cryptographically strong source:
generated client secrets and access tokens must not be guessable, even locally.
`SeededRandom` repeats the same draws for the same seed, so a test can build two
states and get the same ids; never use it for a sandbox anyone else can reach.
"""

from __future__ import annotations

import base64
import random
import secrets
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class RandomSource(Protocol):
    """The draws the sandbox makes, named like the `secrets` functions they stand for."""

    def token_bytes(self, nbytes: int) -> bytes: ...

    def token_hex(self, nbytes: int) -> str: ...

    def token_urlsafe(self, nbytes: int) -> str: ...

    def choice(self, options: Sequence[T]) -> T: ...


class SecretsRandom:
    """The default: every draw from `secrets`, the OS's cryptographically strong source."""

    def token_bytes(self, nbytes: int) -> bytes:
        return secrets.token_bytes(nbytes)

    def token_hex(self, nbytes: int) -> str:
        return secrets.token_hex(nbytes)

    def token_urlsafe(self, nbytes: int) -> str:
        return secrets.token_urlsafe(nbytes)

    def choice(self, options: Sequence[T]) -> T:
        return secrets.choice(options)


class SeededRandom:
    """Reproducible draws for tests: the same seed gives the same ids, secrets and tokens.

    Not cryptographically strong (`random.Random`), by design.
    """

    def __init__(self, seed: int | str | bytes = 0) -> None:
        self._random = random.Random(seed)

    def token_bytes(self, nbytes: int) -> bytes:
        return self._random.randbytes(nbytes)

    def token_hex(self, nbytes: int) -> str:
        return self.token_bytes(nbytes).hex()

    def token_urlsafe(self, nbytes: int) -> str:
        # What secrets.token_urlsafe does with its bytes: the same length and alphabet.
        return base64.urlsafe_b64encode(self.token_bytes(nbytes)).rstrip(b"=").decode("ascii")

    def choice(self, options: Sequence[T]) -> T:
        return self._random.choice(options)


#: The source a SandboxState uses when given none (read when the state is built, so a
#: test can replace it for states built where it cannot pass one, as the snapshots do).
default_random: RandomSource = SecretsRandom()
