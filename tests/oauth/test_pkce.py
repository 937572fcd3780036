"""PKCE: RFC 7636's own example, the verifier's alphabet and length, a hidden verifier."""

from __future__ import annotations

import re

import pytest

from aiocognito import ParamValidationError
from aiocognito.oauth import PKCE, new_pkce


def test_rfc7636_appendix_b() -> None:
    pair = PKCE.from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert pair.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pair.method == "S256"


def test_new_pairs_are_random_and_well_formed() -> None:
    pairs = [new_pkce() for _ in range(50)]
    assert len({p.verifier for p in pairs}) == 50
    for pair in pairs:
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", pair.verifier)
        assert PKCE.from_verifier(pair.verifier).challenge == pair.challenge
        assert "=" not in pair.challenge and len(pair.challenge) == 43


def test_repr_hides_the_verifier() -> None:
    pair = new_pkce()
    assert pair.verifier not in repr(pair) and pair.challenge in repr(pair)


@pytest.mark.parametrize("bad", ["short", "x" * 129, "a" * 42 + "!", "é" * 50, 123])
def test_bad_verifiers_are_refused(bad: object) -> None:
    with pytest.raises(ParamValidationError, match="43 to 128"):
        PKCE.from_verifier(bad)  # type: ignore[arg-type]
