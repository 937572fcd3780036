"""The SRP client against the simulated server, and every refusal of unsafe or bad values."""

from __future__ import annotations

import base64
import locale
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from aiocognito import CognitoError, ParamValidationError
from aiocognito.auth import DeviceSRP, SRPError, UserSRP, new_device_verifier, srp, timestamp
from tests.auth import simulation as sim

POOL_ID = "us-east-1_Ab3dEf"
REALM = "Ab3dEf"
USER_ID = "f0e1d2c3-0000-4000-8000-000000000001"
PASSWORD = "Tr0ub4dor&3"


def _exchange(password: str = PASSWORD, salt: int = 0x1234ABCD, user: str = USER_ID):
    v = sim.verifier(salt, REALM, user, password)
    return sim.ServerExchange(v=v, realm=REALM, user=user, salt=salt)


def _check(exchange: sim.ServerExchange, client: UserSRP, response: dict[str, str], **kw: Any):
    exchange.check(
        int(client.auth_parameters()["SRP_A"], 16),
        user=response["USERNAME"],
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
        **kw,
    )


# -- enc, hex, timestamp --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "00"),
        (0x7F, "7f"),
        (0x80, "0080"),
        (0xFF, "00ff"),
        (0x100, "0100"),
        (-1, "ff"),
        (-0x80, "80"),
        (-0x81, "ff7f"),
        (-0x100, "ff00"),
        (0x7FFF, "7fff"),
        (0x8000, "008000"),
    ],
)
def test_enc_is_javas_to_byte_array(n: int, expected: str) -> None:
    assert srp.enc(n).hex() == expected == sim.java_bytes(n).hex()


def test_constants() -> None:
    assert srp.N == sim.N and srp.G == sim.g == 2 and sim.k == srp.K
    assert srp.N.bit_length() == 3072 and len(srp.enc(srp.N)) == 385


@pytest.mark.parametrize(
    ("text", "value"),
    [("ff", 255), ("00ff", 255), ("0000000a", 10), ("-abc", -0xABC), ("ABC", 0xABC), ("0", 0)],
)
def test_parse_hex(text: str, value: int) -> None:
    assert srp.parse_hex(text) == value


@pytest.mark.parametrize("text", ["", "-", "0x1f", "+1f", "1_0", " 1f", "1f ", "g", "--1", "1-"])
def test_parse_hex_refuses_what_int_would_let_through(text: str) -> None:
    with pytest.raises(ValueError):
        srp.parse_hex(text)


def test_timestamp_examples() -> None:
    assert timestamp(datetime(2026, 11, 3, 7, 1, 5, tzinfo=UTC)) == "Tue Nov 3 07:01:05 UTC 2026"
    assert timestamp(datetime(2026, 11, 5, 9, 8, 1, tzinfo=UTC)) == "Thu Nov 5 09:08:01 UTC 2026"
    assert timestamp(datetime(2026, 1, 31, 23, 59, 59)) == "Sat Jan 31 23:59:59 UTC 2026"  # naive
    paris = timezone(timedelta(hours=1))
    assert timestamp(datetime(2026, 3, 1, 0, 30, tzinfo=paris)) == "Sat Feb 28 23:30:00 UTC 2026"


def test_timestamp_every_day_of_a_leap_year() -> None:
    day = datetime(2028, 1, 1, 12, 0, 9, tzinfo=UTC)
    while day.year == 2028:
        text = timestamp(day)
        assert text == sim.format_timestamp(day)
        assert sim.parse_timestamp(text) == day
        day += timedelta(days=1)


@pytest.fixture
def foreign_time_locale() -> Iterator[str]:
    saved = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "ja_JP.UTF-8", "ru_RU.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            yield name
        finally:
            locale.setlocale(locale.LC_TIME, saved)
        return
    pytest.skip("no non-English locale is installed on this machine")


def test_timestamp_ignores_the_process_locale(foreign_time_locale: str) -> None:
    when = datetime(2026, 5, 7, 8, 9, 10, tzinfo=UTC)
    assert when.strftime("%a %b") != "Thu May"  # the locale does change strftime...
    assert timestamp(when) == "Thu May 7 08:09:10 UTC 2026"  # ...and not ours


# -- a full exchange against the simulated server -----------------------------------------------


def test_right_password_is_accepted(backend: str) -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    response = client.password_verifier_response(exchange.challenge_parameters())
    _check(exchange, client, response)


def test_wrong_password_is_rejected() -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, USER_ID, PASSWORD + "!")
    response = client.password_verifier_response(exchange.challenge_parameters())
    with pytest.raises(sim.Rejected, match="signature mismatch"):
        _check(exchange, client, response)


def test_wrong_pool_is_rejected() -> None:
    exchange = _exchange()
    client = UserSRP("us-east-1_Other", USER_ID, PASSWORD)
    response = client.password_verifier_response(exchange.challenge_parameters())
    with pytest.raises(sim.Rejected, match="signature mismatch"):
        _check(exchange, client, response)


def test_timestamp_is_signed_and_checked() -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    signed_at = datetime(2026, 11, 3, 7, 1, 5, tzinfo=UTC)
    response = client.password_verifier_response(exchange.challenge_parameters(), now=signed_at)
    assert response["TIMESTAMP"] == "Tue Nov 3 07:01:05 UTC 2026"
    _check(exchange, client, response, now=signed_at + timedelta(seconds=2))
    # Too far from the server's clock.
    with pytest.raises(sim.Rejected, match="clock"):
        _check(exchange, client, response, now=signed_at + timedelta(hours=1))
    # Another time in the right format: the signature does not cover it.
    other = response | {"TIMESTAMP": "Tue Nov 3 07:01:06 UTC 2026"}
    with pytest.raises(sim.Rejected, match="signature mismatch"):
        _check(exchange, client, other, now=signed_at)
    # The same second with a zero-padded day or a lowercase name: not Cognito's format.
    for text in ("Tue Nov 03 07:01:05 UTC 2026", "tue nov 3 07:01:05 UTC 2026"):
        with pytest.raises(sim.Rejected, match="format"):
            _check(exchange, client, response | {"TIMESTAMP": text}, now=signed_at)


def test_tampered_secret_block_is_rejected() -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    params = exchange.challenge_parameters()
    response = client.password_verifier_response(params)
    block = bytearray(base64.b64decode(params["SECRET_BLOCK"]))
    block[0] ^= 1
    tampered = response | {"PASSWORD_CLAIM_SECRET_BLOCK": base64.b64encode(block).decode()}
    with pytest.raises(sim.Rejected, match="secret block"):
        _check(exchange, client, tampered)
    # A client that signed another block than the one it returns is caught too.
    signed_other = client.password_verifier_response(
        params | {"SECRET_BLOCK": base64.b64encode(bytes(block)).decode()}
    )
    signed_other["PASSWORD_CLAIM_SECRET_BLOCK"] = params["SECRET_BLOCK"]
    with pytest.raises(sim.Rejected, match="signature mismatch"):
        _check(exchange, client, signed_other)


def test_user_id_for_srp_is_used_not_the_alias() -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, "alice@example.com", PASSWORD, client_id="app", client_secret="s")
    assert client.auth_parameters()["USERNAME"] == "alice@example.com"
    response = client.password_verifier_response(exchange.challenge_parameters())
    assert response["USERNAME"] == USER_ID
    assert response["SECRET_HASH"] == sim.cognito_secret_hash(USER_ID, "app", "s")
    assert client.auth_parameters()["SECRET_HASH"] == sim.cognito_secret_hash(
        "alice@example.com", "app", "s"
    )
    _check(exchange, client, response)


def test_a_plain_username_is_answered_as_the_challenge_names_it() -> None:
    # moto's PASSWORD_VERIFIER: USER_ID_FOR_SRP is the user's sub, USERNAME the plain name it
    # looks the user up by (Cognito sends one value in both). The proof is over the sub, the
    # answer names the user by USERNAME, with SECRET_HASH over that name.
    exchange = _exchange()  # the server's user id: USER_ID
    client = UserSRP(POOL_ID, "alice", PASSWORD, client_id="app", client_secret="s")
    response = client.password_verifier_response(
        exchange.challenge_parameters() | {"USERNAME": "alice"}
    )
    assert response["USERNAME"] == "alice"
    assert response["SECRET_HASH"] == sim.cognito_secret_hash("alice", "app", "s")
    exchange.check(
        int(client.auth_parameters()["SRP_A"], 16),
        user=USER_ID,
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
    )


@pytest.mark.parametrize(
    "salt", [-0x5A17C0DE, -0x80, -1, 0, 0x7F, 0x80, 0xABC, 1 << 127, -(1 << 127) - 5]
)
def test_any_salt_server_sends(salt: int) -> None:
    exchange = _exchange(salt=salt)
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    response = client.password_verifier_response(exchange.challenge_parameters())
    _check(exchange, client, response)


@pytest.mark.parametrize("prefix", ["0", "00", "0000"])
def test_zero_prefixed_salt_text(prefix: str) -> None:
    exchange = _exchange(salt=0x1A2B3C)
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    params = exchange.challenge_parameters(salt_text=prefix + "1a2b3c")
    _check(exchange, client, client.password_verifier_response(params))


def test_device_key_is_sent_with_both_messages() -> None:
    exchange = _exchange()
    client = UserSRP(POOL_ID, USER_ID, PASSWORD, device_key="eu-west-1_dev")
    assert client.auth_parameters()["DEVICE_KEY"] == "eu-west-1_dev"
    response = client.password_verifier_response(exchange.challenge_parameters())
    assert response["DEVICE_KEY"] == "eu-west-1_dev"


def test_device_round_trip_through_confirm_device(backend: str) -> None:
    config, password = new_device_verifier("-grp", "eu-west-1_dev")
    assert len(base64.b64decode(password)) == 40
    assert config.password_verifier is not None and config.salt is not None
    salt = sim.java_int(base64.b64decode(config.salt))
    v = sim.java_int(base64.b64decode(config.password_verifier))
    assert salt >= 0 and v == sim.verifier(salt, "-grp", "eu-west-1_dev", password)
    exchange = sim.ServerExchange(v=v, realm="-grp", user="eu-west-1_dev", salt=salt)
    device = DeviceSRP(POOL_ID, USER_ID, "eu-west-1_dev", "-grp", password)
    big_a = int(device.device_srp_auth_response()["SRP_A"], 16)
    response = device.device_password_verifier_response(exchange.challenge_parameters())
    exchange.check(
        big_a,
        user=response["DEVICE_KEY"],
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
    )
    wrong = DeviceSRP(POOL_ID, USER_ID, "eu-west-1_dev", "-grp", password[:-2] + "AA")
    big_a = int(wrong.device_srp_auth_response()["SRP_A"], 16)
    bad = wrong.device_password_verifier_response(exchange.challenge_parameters())
    with pytest.raises(sim.Rejected, match="signature mismatch"):
        exchange.check(
            big_a,
            user=bad["DEVICE_KEY"],
            secret_block_b64=bad["PASSWORD_CLAIM_SECRET_BLOCK"],
            timestamp_text=bad["TIMESTAMP"],
            signature_b64=bad["PASSWORD_CLAIM_SIGNATURE"],
        )


def test_device_sent_salt_with_sign_bit_still_verifies() -> None:
    # A sloppy client once registered 16 raw salt bytes with the top bit set: Cognito reads
    # them as a negative BigInteger and sends a negative SALT, whose enc() is those bytes.
    raw = bytes.fromhex("f1" * 16)
    password = base64.b64encode(b"p" * 40).decode()
    salt = sim.java_int(raw)
    assert salt < 0
    x = sim.sha256_int(raw + sim.sha256(f"-grp-{'dev'}:{password}".encode()))
    exchange = sim.ServerExchange(v=pow(2, x, sim.N), realm="-grp", user="-dev", salt=salt)
    device = DeviceSRP(POOL_ID, USER_ID, "-dev", "-grp", password)
    big_a = int(device.device_srp_auth_response()["SRP_A"], 16)
    params = exchange.challenge_parameters()
    assert params["SALT"].startswith("-")
    response = device.device_password_verifier_response(params)
    exchange.check(
        big_a,
        user="-dev",
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
    )


def test_each_exchange_draws_a_fresh_a() -> None:
    first = UserSRP(POOL_ID, USER_ID, PASSWORD).auth_parameters()["SRP_A"]
    second = UserSRP(POOL_ID, USER_ID, PASSWORD).auth_parameters()["SRP_A"]
    device = DeviceSRP(POOL_ID, USER_ID, "k", "g", "p").device_srp_auth_response()["SRP_A"]
    assert len({first, second, device}) == 3
    assert first == first.lower() and not first.startswith("0")


# -- refusals: nothing is computed or answered ---------------------------------------------------


def _params(**overrides: str | None) -> dict[str, str]:
    params = _exchange().challenge_parameters()
    for name, value in overrides.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    return params


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"SRP_B": "0"}, "SRP_B = 0 mod N"),
        ({"SRP_B": format(sim.N, "x")}, "SRP_B = 0 mod N"),
        ({"SRP_B": format(3 * sim.N, "x")}, "SRP_B = 0 mod N"),
        ({"SRP_B": "-" + format(sim.N, "x")}, "SRP_B = 0 mod N"),
        ({"SRP_B": "0x1234"}, "SRP_B that is not a hexadecimal"),
        ({"SRP_B": "12 34"}, "SRP_B that is not a hexadecimal"),
        ({"SRP_B": ""}, "no SRP_B"),
        ({"SRP_B": None}, "no SRP_B"),
        ({"SALT": "zz"}, "SALT that is not a hexadecimal"),
        ({"SALT": None}, "no SALT"),
        ({"SECRET_BLOCK": "!!!!"}, "SECRET_BLOCK that is not base64"),
        ({"SECRET_BLOCK": "abcde"}, "SECRET_BLOCK that is not base64"),
        ({"SECRET_BLOCK": "ab=c"}, "SECRET_BLOCK that is not base64"),
        ({"SECRET_BLOCK": "a b c d"}, "SECRET_BLOCK that is not base64"),
        ({"SECRET_BLOCK": None}, "no SECRET_BLOCK"),
    ],
)
def test_unsafe_or_malformed_server_values(overrides: dict[str, str | None], match: str) -> None:
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    with pytest.raises(SRPError, match=match) as caught:
        client.password_verifier_response(_params(**overrides))
    assert isinstance(caught.value, CognitoError) and isinstance(caught.value, ValueError)
    assert "nothing was sent back" in str(caught.value)


def test_u_of_zero_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = srp._hash_int
    calls: list[int] = []

    def hash_int(data: bytes) -> int:
        calls.append(len(data))
        return 0 if len(calls) == 1 else real(data)  # the first hash of a claim is u

    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    client.auth_parameters()
    monkeypatch.setattr(srp, "_hash_int", hash_int)
    with pytest.raises(SRPError, match="u = H"):
        client.password_verifier_response(_params())
    assert calls[0] > 700  # enc(A) + enc(B)


def test_device_refuses_unsafe_b_too() -> None:
    device = DeviceSRP(POOL_ID, USER_ID, "k", "g", "p")
    with pytest.raises(SRPError, match="DEVICE_PASSWORD_VERIFIER"):
        device.device_password_verifier_response(_params(SRP_B=format(sim.N, "x")))


def test_url_safe_secret_block_as_nodes_base64_takes_it() -> None:
    # moto sends a UUID as SECRET_BLOCK; AWS's JavaScript SDK (Node's base64) decodes it.
    block = "3f2b8c1e-9a7d-4e2f-8b1c-0d9e8f7a6b5c"
    response = UserSRP(POOL_ID, USER_ID, PASSWORD).password_verifier_response(
        _params(SECRET_BLOCK=block)
    )
    assert response["PASSWORD_CLAIM_SECRET_BLOCK"] == block
    assert srp._decode_secret_block("YWJj") == srp._decode_secret_block("YWJj=") == b"abc"


# -- arguments and secrets --------------------------------------------------------------------


def test_bad_arguments() -> None:
    with pytest.raises(ParamValidationError, match="user_pool_id"):
        UserSRP("nounderscore", USER_ID, PASSWORD)
    with pytest.raises(ParamValidationError, match="client_id"):
        UserSRP(POOL_ID, USER_ID, PASSWORD, client_secret="s")
    with pytest.raises(ParamValidationError, match="small_a"):
        UserSRP(POOL_ID, USER_ID, PASSWORD, small_a=0)
    with pytest.raises(ParamValidationError, match="client_id"):
        DeviceSRP(POOL_ID, USER_ID, "k", "g", "p", client_secret="s")


def test_reprs_hold_no_secret() -> None:
    client = UserSRP(
        POOL_ID, "alice", "hunter2-pw", client_id="cid-123", client_secret="sec-456", small_a=987
    )
    device = DeviceSRP(
        POOL_ID, "alice", "dk", "gk", "devpw-789", client_secret="sec-456", client_id="c"
    )
    for text in (repr(client), str(client), repr(device), str(device)):
        for secret in ("hunter2-pw", "sec-456", "devpw-789", "987", "alice", "cid-123"):
            assert secret not in text
    assert "us-east-1_Ab3dEf" in repr(client)


def test_backend_reports_what_is_used(backend: str) -> None:
    assert srp.backend() == backend
    assert srp._powmod(3, 10**40 + 1, srp.N) == pow(3, 10**40 + 1, srp.N)
    with pytest.raises(ValueError, match="unknown backend"):
        srp._use_backend("fortran")
