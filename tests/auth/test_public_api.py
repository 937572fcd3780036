"""The public surface of aiocognito.auth: a sorted, complete ``__all__`` and typed errors."""

from __future__ import annotations

import base64
import json

from aiocognito import CognitoError, auth
from aiocognito.auth import flows, srp
from aiocognito.shapes import AuthenticationResultType


def test_all_is_sorted_and_complete() -> None:
    assert auth.__all__ == sorted(auth.__all__)
    for name in auth.__all__:
        assert getattr(auth, name) is not None
    assert set(flows.__all__) <= set(auth.__all__)
    assert {"DeviceSRP", "SRPError", "UserSRP", "new_device_verifier", "timestamp"} <= set(
        auth.__all__
    )
    public = {
        name
        for name, value in vars(auth).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(auth.__name__)
    }
    assert public <= set(auth.__all__)


def test_errors_sit_in_the_package_tree() -> None:
    assert issubclass(auth.SRPError, CognitoError) and issubclass(auth.SRPError, ValueError)
    assert issubclass(auth.AuthFlowError, CognitoError)
    assert srp.backend() in ("python", "gmpy2")


def _jwt(claims: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.c2ln"


def test_token_username_reads_the_service_name() -> None:
    read = flows._token_username
    assert read(AuthenticationResultType(access_token=_jwt({"username": "u-1"}))) == "u-1"
    assert read(AuthenticationResultType(id_token=_jwt({"cognito:username": "u-2"}))) == "u-2"
    assert read(AuthenticationResultType(access_token="opaque", id_token="a.%%%.c")) is None
    assert read(AuthenticationResultType(access_token=_jwt({"sub": "x"}))) is None


def test_lenient_challenge_parameter_parsing() -> None:
    assert flows._json_list("X", '["a", "b"]') == ("a", "b")
    assert flows._json_list("X", "not json") == () == flows._json_list("X", None)
    assert flows._json_list("X", '{"a": 1}') == ()
    assert flows._json_list("X", '["a", ["nested"], 1]') == ("a", "1")
    assert flows._json_object("X", '{"email": "e", "n": 1}') == {"email": "e", "n": "1"}
    assert flows._json_object("X", "[1]") == {} == flows._json_object("X", "{")
