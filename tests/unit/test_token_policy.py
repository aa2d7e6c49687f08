"""The token value: lifetime policy, remaining time from an injected clock, no secret in reprs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onna_tui.api.errors import BadResponse
from onna_tui.api.tokens import token_from_response
from onna_tui.core.clock import ManualClock
from onna_tui.core.token_rules import DOCUMENTED_TOKEN_LIFETIME, MAX_BELIEVED_LIFETIME
from onna_tui.core.tokens import AccessToken
from onna_tui.core.wire.auth import TokenResponse

SECRET_TOKEN = "d3m0deMOd3m0deMOd3m0deMOd3m0deMOd3m0deMOd3m0deMO"


def wire(**kw: object) -> TokenResponse:
    body = {"access_token": SECRET_TOKEN, "token_type": "bearer", "expires_in": 3599}
    body.update(kw)
    return TokenResponse.model_validate({k: v for k, v in body.items() if v is not ...})


def test_documented_lifetime_is_taken_as_given() -> None:
    clock = ManualClock()
    token = token_from_response(wire(), clock)
    assert token.expires_in == 3599
    assert token.issued_at == clock()
    assert (token.expires_at - token.issued_at).total_seconds() == 3599
    assert not token.lifetime_assumed


@pytest.mark.parametrize("expires_in", [..., None, 0])
def test_missing_or_zero_lifetime_assumes_the_documented_hour(expires_in: object) -> None:
    token = token_from_response(wire(expires_in=expires_in), ManualClock())
    assert token.expires_in == DOCUMENTED_TOKEN_LIFETIME
    assert token.lifetime_assumed


def test_negative_lifetime_is_rejected_with_a_sentence() -> None:
    with pytest.raises(BadResponse, match="negative"):
        token_from_response(wire(expires_in=-5), ManualClock())


@pytest.mark.parametrize("expires_in", [True, False, "3599", 3599.0, 3599.5, [3599]])
def test_a_lifetime_that_is_not_a_json_integer_is_malformed(expires_in: object) -> None:
    """`true` used to be taken as one second (a bool is an int to Python)."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        wire(expires_in=expires_in)
    assert [err["loc"] for err in info.value.errors()] == [("expires_in",)]


def test_absurd_lifetime_is_capped() -> None:
    token = token_from_response(wire(expires_in=10**9), ManualClock())
    assert token.expires_in == MAX_BELIEVED_LIFETIME
    assert token.lifetime_assumed


@pytest.mark.parametrize("token_type", ["bearer", "Bearer", "BEARER"])
def test_bearer_in_any_case_is_accepted(token_type: str) -> None:
    assert token_from_response(wire(token_type=token_type), ManualClock()).token_type == "bearer"


@pytest.mark.parametrize("token_type", ["mac", "", "bearer2"])
def test_other_token_types_are_rejected(token_type: str) -> None:
    with pytest.raises(BadResponse, match="bearer"):
        token_from_response(wire(token_type=token_type), ManualClock())


def test_remaining_time_follows_the_clock() -> None:
    clock = ManualClock()
    token = token_from_response(wire(), clock)
    assert token.seconds_left(clock()) == 3599
    clock.advance(3599 - 61)
    assert token.is_usable(clock(), margin=60)
    clock.advance(1)
    assert not token.is_usable(clock(), margin=60)
    assert not token.is_expired(clock())
    clock.advance(60)
    assert token.is_expired(clock())
    assert token.seconds_left(clock()) == 0
    clock.advance(100)
    assert token.remaining(clock()).total_seconds() == -100


@given(st.integers(min_value=1, max_value=MAX_BELIEVED_LIFETIME), st.integers(0, 10**6))
def test_seconds_left_never_negative_and_never_above_lifetime(lifetime: int, elapsed: int) -> None:
    clock = ManualClock()
    token = token_from_response(wire(expires_in=lifetime), clock)
    clock.advance(elapsed)
    left = token.seconds_left(clock())
    assert 0 <= left <= lifetime
    assert left == max(0, lifetime - elapsed)


def test_no_repr_str_or_dump_shows_the_token() -> None:
    token = token_from_response(wire(), ManualClock())
    for text in (repr(token), str(token), token.model_dump_json(), repr(wire())):
        assert SECRET_TOKEN not in text
    assert SECRET_TOKEN not in token.masked
    assert token.masked.endswith(SECRET_TOKEN[-4:])
    assert SECRET_TOKEN not in token.fingerprint
    assert token.authorization_header() == f"Bearer {SECRET_TOKEN}"


def test_fingerprint_tells_tokens_apart() -> None:
    clock = ManualClock()
    a = token_from_response(wire(), clock)
    b = token_from_response(wire(access_token=SECRET_TOKEN + "x"), clock)
    assert a.fingerprint != b.fingerprint
    assert isinstance(a, AccessToken)


@pytest.mark.parametrize("value", ["", "tok én", "tok\nen", "tokén"])
def test_tokens_that_cannot_go_in_a_header_are_rejected(value: str) -> None:
    with pytest.raises(BadResponse, match="malformed"):
        token_from_response(wire(access_token=value), ManualClock())
