"""``SignedIn``: non-optional tokens and ``expires_at``.

The sign-in runs against the tests' fake Cognito (tests/auth/fake_cognito.py, which answers
``ExpiresIn: 3600`` like the service); the answers the service never sends (no token, no
``ExpiresIn``) are built directly, since no server of ours would send them.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aiocognito.auth import AuthFlowError, SignedIn, UserPoolAuth
from aiocognito.shapes import AuthenticationResultType
from tests.auth.fake_cognito import POOL_ID, FakeCognito

PASSWORD = "Correct-Horse-42"


def _token(claims: dict[str, Any]) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return f"{part(b'{}')}.{part(json.dumps(claims).encode())}.{part(b'sig')}"


async def test_expires_at_counts_expires_in_from_the_answer(fake: FakeCognito, client: Any) -> None:
    fake.add_user("ann", PASSWORD)
    before = datetime.now(UTC)
    step = await UserPoolAuth(client, POOL_ID, "public-client").sign_in_password("ann", PASSWORD)
    after = datetime.now(UTC)
    assert isinstance(step, SignedIn)
    assert step.expires_at.tzinfo is not None
    assert before + timedelta(seconds=3600) <= step.expires_at <= after + timedelta(seconds=3600)
    assert step.access_token == step.authentication_result.access_token
    assert step.id_token == step.authentication_result.id_token
    assert "expires_at=" in repr(step) and step.access_token not in repr(step)


def test_without_expires_in_the_access_tokens_exp_claim_is_used() -> None:
    exp = 2_000_000_000
    result = AuthenticationResultType(access_token=_token({"exp": exp}), id_token="id")
    signed_in = SignedIn(authentication_result=result, username="ann")
    assert signed_in.expires_at == datetime.fromtimestamp(exp, UTC)


def test_without_expires_in_or_exp_it_says_so() -> None:
    result = AuthenticationResultType(access_token=_token({"sub": "x"}), id_token="id")
    with pytest.raises(AuthFlowError, match="without ExpiresIn"):
        SignedIn(authentication_result=result, username="ann")


@pytest.mark.parametrize(
    ("result", "missing"),
    [
        (AuthenticationResultType(id_token="id", expires_in=60), "access token"),
        (AuthenticationResultType(access_token="a", expires_in=60), "ID token"),
    ],
)
def test_a_missing_token_is_refused_when_built(
    result: AuthenticationResultType, missing: str
) -> None:
    with pytest.raises(AuthFlowError, match=f"without an {missing}"):
        SignedIn(authentication_result=result, username="ann")


def test_expires_at_can_be_given() -> None:
    when = datetime(2030, 1, 1, tzinfo=UTC)
    result = AuthenticationResultType(access_token="a", id_token="i", expires_in=60)
    assert SignedIn(authentication_result=result, username="u", expires_at=when).expires_at == when
