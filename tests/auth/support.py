"""What the flow tests against the Cognito stand-in share: a password, and two checks."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pytest

from tests.auth.fake_cognito import CLIENT_SECRET, FakeCognito
from tests.auth.simulation import cognito_secret_hash

PASSWORD = "Correct-Horse-42"
SECRET = CLIENT_SECRET


def secret_hashes_ok(fake: FakeCognito) -> None:
    """Every sign-in request of the secret client carried SECRET_HASH over its own USERNAME."""
    for op, body in fake.requests:
        if body.get("ClientId") != "secret-client":
            continue
        params = body.get("AuthParameters") or body.get("ChallengeResponses") or {}
        if "USERNAME" in params:
            expected = cognito_secret_hash(params["USERNAME"], "secret-client", SECRET)
            assert params.get("SECRET_HASH") == expected, op


def assert_nothing_leaked(
    seen: Iterable[object],
    secrets: Iterable[str],
    caplog: pytest.LogCaptureFixture,
    *,
    never: Iterable[str] = ("sess-",),
) -> None:
    """No repr, str or log line (``aiocognito.auth`` must have logged) holds a secret."""
    seen = list(seen)
    texts = [repr(obj) for obj in seen] + [str(obj) for obj in seen]
    texts += [record.getMessage() for record in caplog.records]
    texts.append(caplog.text)
    assert any(record.name == "aiocognito.auth" for record in caplog.records)
    assert caplog.handler.level <= logging.DEBUG
    forbidden = [s for s in secrets if s] + list(never)
    for text in texts:
        for secret in forbidden:
            assert secret not in text, f"a secret leaked into: {text[:120]}"
