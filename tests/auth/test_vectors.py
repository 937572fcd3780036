"""Known-answer tests: vectors.json, made from the spec alone, against aiocognito and pycognito.

The vectors come from ``tests/auth/make_vectors.py`` (the spec-only reference client of
``simulation.py``, each vector accepted by the simulated server). aiocognito must reproduce
every one with each big-number backend. pycognito, an independent implementation, agrees on
every vector it can handle; where it cannot, the test pins down how it goes wrong:

- a negative ``SALT`` crashes it: its ``pad_hex`` hex-decodes the text ``"-5a..."`` as is;
- a ``SALT`` with a ``00`` prefix before a digit below 8 (``"007a..."``) makes it hash the
  zero byte, where ``enc`` of the parsed integer drops it: a wrong signature.
"""

from __future__ import annotations

import base64
import json
import types
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aiocognito.auth import DeviceSRP, UserSRP, new_device_verifier, secret_hash, srp
from tests.auth.simulation import cognito_secret_hash, java_bytes

VECTORS = json.loads(Path(__file__).with_name("vectors.json").read_text(encoding="utf-8"))
USER = {case["name"]: case for case in VECTORS["user"]}
DEVICE = {case["name"]: case for case in VECTORS["device"]}

# Where pycognito 2024.5 differs from the spec, and how.
PYCOGNITO_CRASHES = {"negative salt", "negative salt needing an ff sign byte"}
PYCOGNITO_WRONG = {"00-prefixed salt"}


def _user_srp(case: dict[str, Any]) -> UserSRP:
    return UserSRP(
        case["user_pool_id"],
        case["typed_username"],
        case["password"],
        client_id=case["client_id"],
        client_secret=case["client_secret"],
        small_a=int(case["small_a"], 16),
    )


def test_the_vectors_cover_the_edges() -> None:
    assert {c["enc_u_len"] for c in USER.values()} == {31, 32, 33}
    assert {c["enc_s_len"] for c in USER.values()} == {383, 384, 385}
    salts = [c["challenge"]["SALT"] for c in USER.values()]
    assert any(s.startswith("-") for s in salts)
    assert any(s.startswith("00") for s in salts)
    assert any(len(s) % 2 for s in salts)
    assert any(len(c["challenge"]["SRP_B"]) % 2 for c in USER.values())
    assert any(c["client_secret"] for c in USER.values())


@pytest.mark.parametrize("name", sorted(USER))
def test_user_vector(name: str, backend: str) -> None:
    case = USER[name]
    client = _user_srp(case)
    initiate = client.auth_parameters()
    assert initiate["USERNAME"] == case["typed_username"]
    assert initiate["SRP_A"] == case["SRP_A"]
    response = client.password_verifier_response(
        case["challenge"], now=datetime.fromisoformat(case["now"])
    )
    assert response["TIMESTAMP"] == case["TIMESTAMP"]
    assert response["PASSWORD_CLAIM_SIGNATURE"] == case["PASSWORD_CLAIM_SIGNATURE"]
    assert response["PASSWORD_CLAIM_SECRET_BLOCK"] == case["challenge"]["SECRET_BLOCK"]
    assert response["USERNAME"] == case["challenge"]["USERNAME"]
    if case["client_secret"]:
        assert initiate["SECRET_HASH"] == case["SECRET_HASH_initiate"]
        assert response["SECRET_HASH"] == case["SECRET_HASH_verifier"]
        assert initiate["SECRET_HASH"] != response["SECRET_HASH"]  # alias vs USER_ID_FOR_SRP
    else:
        assert "SECRET_HASH" not in initiate and "SECRET_HASH" not in response


@pytest.mark.parametrize("name", sorted(USER))
def test_user_vector_when_username_and_user_id_differ(name: str) -> None:
    # moto's challenge: USER_ID_FOR_SRP is the user's sub, USERNAME the plain name it looks
    # the user up by. The proof stays the known answer (it is over USER_ID_FOR_SRP); the
    # answer carries the challenge's USERNAME, and SECRET_HASH is computed over that name.
    case = USER[name]
    challenge = case["challenge"] | {"USERNAME": "plain-name"}
    response = _user_srp(case).password_verifier_response(
        challenge, now=datetime.fromisoformat(case["now"])
    )
    assert response["PASSWORD_CLAIM_SIGNATURE"] == case["PASSWORD_CLAIM_SIGNATURE"]
    assert response["USERNAME"] == "plain-name"
    if case["client_secret"]:
        expected = cognito_secret_hash("plain-name", case["client_id"], case["client_secret"])
        assert response["SECRET_HASH"] == expected
        assert response["SECRET_HASH"] != case["SECRET_HASH_verifier"]


@pytest.mark.parametrize("name", sorted(USER))
def test_intermediate_values(name: str) -> None:
    case = USER[name]
    big_a = int(case["SRP_A"], 16)
    big_b = srp.parse_hex(case["challenge"]["SRP_B"])
    u = srp._hash_int(srp.enc(big_a) + srp.enc(big_b))
    assert format(u, "x") == case["u"]
    assert len(srp.enc(u)) == case["enc_u_len"] == len(java_bytes(u))


@pytest.mark.parametrize("name", sorted(DEVICE))
def test_device_vector(name: str, backend: str) -> None:
    case = DEVICE[name]
    config, password = new_device_verifier(
        case["device_group_key"],
        case["device_key"],
        password_bytes=bytes.fromhex(case["password_bytes"]),
        salt_bytes=bytes.fromhex(case["salt_bytes"]),
    )
    assert password == case["device_password"]
    assert config.password_verifier == case["config"]["PasswordVerifier"]
    assert config.salt == case["config"]["Salt"]
    device = DeviceSRP(
        "eu-west-1_Kat0Pool",
        case["challenge"]["USERNAME"],
        case["device_key"],
        case["device_group_key"],
        password,
        small_a=int(case["small_a"], 16),
    )
    assert device.device_srp_auth_response() == {
        "USERNAME": case["challenge"]["USERNAME"],
        "DEVICE_KEY": case["device_key"],
        "SRP_A": case["SRP_A"],
    }
    response = device.device_password_verifier_response(
        case["challenge"], now=datetime.fromisoformat(case["now"])
    )
    assert response["PASSWORD_CLAIM_SIGNATURE"] == case["PASSWORD_CLAIM_SIGNATURE"]
    assert response["TIMESTAMP"] == case["TIMESTAMP"]
    assert response["DEVICE_KEY"] == case["device_key"]


def test_device_salt_with_top_bit_set_gets_a_sign_byte() -> None:
    case = DEVICE["device, salt top bit set"]
    assert base64.b64decode(case["config"]["Salt"]) == b"\x00" + bytes.fromhex(case["salt_bytes"])


def test_secret_hash_known_answer() -> None:
    case = USER["client secret and alias"]
    assert (
        secret_hash("alice@example.com", "kat-client", "kat-secret-9f8e7d")
        == (case["SECRET_HASH_initiate"])
    )
    # base64(HMAC-SHA256(key=b"secret", msg=b"aliceclient")), computed with hmac by hand
    assert secret_hash("alice", "client", "secret") == (
        "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
    )


# -- pycognito, an independent implementation -------------------------------------------------


@pytest.fixture
def pycognito_srp(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    aws_srp = pytest.importorskip("pycognito.aws_srp", reason="pycognito is not installed")
    return aws_srp


def _pin_clock(monkeypatch: pytest.MonkeyPatch, module: types.ModuleType, when: datetime) -> None:
    naive = when.replace(tzinfo=None)

    class _Clock:
        @staticmethod
        def utcnow() -> datetime:
            return naive

    monkeypatch.setattr(module, "datetime", types.SimpleNamespace(datetime=_Clock))


def _pycognito_user_response(aws_srp: Any, case: dict[str, Any]) -> dict[str, str]:
    client = aws_srp.AWSSRP(
        username=case["typed_username"],
        password=case["password"],
        pool_id=case["user_pool_id"],
        client_id=case["client_id"],
        client=object(),
        client_secret=case["client_secret"],
    )
    client.small_a_value = int(case["small_a"], 16)
    client.large_a_value = client.calculate_a()
    assert format(client.large_a_value, "x") == case["SRP_A"]
    response: dict[str, str] = client.process_challenge(
        dict(case["challenge"]), client.get_auth_params()
    )
    return response


@pytest.mark.parametrize("name", sorted(set(USER) - PYCOGNITO_CRASHES - PYCOGNITO_WRONG))
def test_pycognito_agrees(name: str, pycognito_srp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    case = USER[name]
    _pin_clock(monkeypatch, pycognito_srp, datetime.fromisoformat(case["now"]))
    response = _pycognito_user_response(pycognito_srp, case)
    assert response["TIMESTAMP"] == case["TIMESTAMP"]
    assert response["PASSWORD_CLAIM_SIGNATURE"] == case["PASSWORD_CLAIM_SIGNATURE"]
    if case["client_secret"]:
        assert response["SECRET_HASH"] == case["SECRET_HASH_verifier"]


@pytest.mark.parametrize("name", sorted(PYCOGNITO_CRASHES))
def test_pycognito_crashes_on_negative_salts(
    name: str, pycognito_srp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = USER[name]
    _pin_clock(monkeypatch, pycognito_srp, datetime.fromisoformat(case["now"]))
    with pytest.raises(ValueError, match="non-hexadecimal"):
        _pycognito_user_response(pycognito_srp, case)


@pytest.mark.parametrize("name", sorted(PYCOGNITO_WRONG))
def test_pycognito_hashes_zero_prefixed_salts_wrongly(
    name: str, pycognito_srp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = USER[name]
    _pin_clock(monkeypatch, pycognito_srp, datetime.fromisoformat(case["now"]))
    response = _pycognito_user_response(pycognito_srp, case)
    assert response["PASSWORD_CLAIM_SIGNATURE"] != case["PASSWORD_CLAIM_SIGNATURE"]
    # ... because it hashes the text's bytes, zero byte included, where enc() has none:
    salt_text = case["challenge"]["SALT"]
    assert bytes.fromhex(pycognito_srp.pad_hex(salt_text)) != srp.enc(int(salt_text, 16))


@pytest.mark.parametrize("name", sorted(DEVICE))
def test_pycognito_agrees_on_devices(
    name: str, pycognito_srp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = DEVICE[name]
    randomness = [bytes.fromhex(case["password_bytes"]), bytes.fromhex(case["salt_bytes"])]
    with monkeypatch.context() as patch:
        patch.setattr(pycognito_srp.os, "urandom", lambda n: randomness.pop(0))
        password, config = pycognito_srp.generate_hash_device(
            case["device_group_key"], case["device_key"]
        )
    assert password == case["device_password"]
    assert config == case["config"]

    _pin_clock(monkeypatch, pycognito_srp, datetime.fromisoformat(case["now"]))
    client = pycognito_srp.AWSSRP(
        username=case["challenge"]["USERNAME"],
        password="unused",
        pool_id="eu-west-1_Kat0Pool",
        client_id="kat-client",
        client=object(),
        device_key=case["device_key"],
        device_group_key=case["device_group_key"],
        device_password=case["device_password"],
    )
    # pycognito reuses the user's ``a`` for the device; give it the device vector's.
    client.small_a_value = int(case["small_a"], 16)
    client.large_a_value = client.calculate_a()
    response = client.process_device_challenge(dict(case["challenge"]))
    # Its device TIMESTAMP comes from strftime (locale-dependent); in the C locale it matches.
    assert response["TIMESTAMP"] == case["TIMESTAMP"]
    assert response["PASSWORD_CLAIM_SIGNATURE"] == case["PASSWORD_CLAIM_SIGNATURE"]
