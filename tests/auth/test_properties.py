"""Property tests: enc(), hex and timestamp round trips, and client/server agreement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from aiocognito.auth import DeviceSRP, UserSRP, new_device_verifier, secret_hash, srp, timestamp
from tests.auth import simulation as sim

integers = st.one_of(
    st.integers(min_value=-(1 << 80), max_value=1 << 80),
    st.integers(min_value=-(1 << 3100), max_value=1 << 3100),
    st.sampled_from([0, -1, 1, 0x7F, 0x80, -0x80, -0x81, 0xFF, 0x100, sim.N, -sim.N]),
)
# A realm/user/password may be any text the service accepts; ":" inside them is harmless.
texts = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24
)  # no lone surrogates: they cannot be UTF-8 encoded
slow = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(integers)
def test_enc_round_trips_and_is_minimal(n: int) -> None:
    data = srp.enc(n)
    assert int.from_bytes(data, "big", signed=True) == n
    assert data == sim.java_bytes(n)
    if len(data) > 1:  # no redundant sign byte: the first byte must be needed
        assert not (data[0] == 0x00 and data[1] < 0x80)
        assert not (data[0] == 0xFF and data[1] >= 0x80)


@given(integers, st.integers(min_value=0, max_value=4))
def test_signed_hex_parses_back(n: int, zeros: int) -> None:
    text = format(n, "x")
    padded = ("-" + "0" * zeros + text[1:]) if n < 0 else "0" * zeros + text
    assert srp.parse_hex(padded) == n


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(9998, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_timestamp_names_the_same_second(when: datetime) -> None:
    text = timestamp(when)
    assert sim.parse_timestamp(text) == when.astimezone(UTC).replace(microsecond=0)


@given(
    st.integers(min_value=0, max_value=1 << 300),
    st.integers(min_value=0, max_value=1 << 300),
    st.integers(min_value=2, max_value=1 << 300),
)
def test_windowed_powmod_is_pow(base: int, exponent: int, modulus: int) -> None:
    assert srp._python_powmod(base, exponent, modulus) == pow(base, exponent, modulus)


@given(texts, texts, texts)
def test_secret_hash_matches_the_reference(username: str, client_id: str, secret: str) -> None:
    assert secret_hash(username, client_id, secret) == sim.cognito_secret_hash(
        username, client_id, secret
    )


@slow
@given(
    pool=st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True),
    user=texts,
    password=texts,
    salt=st.integers(min_value=-(1 << 200), max_value=1 << 200),
    secret=st.one_of(st.none(), texts),
)
def test_user_client_and_server_agree(
    pool: str, user: str, password: str, salt: int, secret: str | None
) -> None:
    v = sim.verifier(salt, pool, user, password)
    exchange = sim.ServerExchange(v=v, realm=pool, user=user, salt=salt)
    client = UserSRP(f"eu-west-1_{pool}", "typed", password, client_id="app", client_secret=secret)
    big_a = int(client.auth_parameters()["SRP_A"], 16)
    response = client.password_verifier_response(exchange.challenge_parameters())
    assert response["USERNAME"] == user
    if secret is not None:
        assert response["SECRET_HASH"] == sim.cognito_secret_hash(user, "app", secret)
    exchange.check(
        big_a,
        user=response["USERNAME"],
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
    )


@slow
@given(
    group=texts,
    device_key=texts,
    password_bytes=st.binary(min_size=1, max_size=48),
    salt_bytes=st.binary(min_size=0, max_size=20),
)
def test_device_client_and_server_agree(
    group: str, device_key: str, password_bytes: bytes, salt_bytes: bytes
) -> None:
    config, password = new_device_verifier(
        group, device_key, password_bytes=password_bytes, salt_bytes=salt_bytes
    )
    import base64

    assert config.salt is not None and config.password_verifier is not None
    salt = sim.java_int(base64.b64decode(config.salt))
    v = sim.java_int(base64.b64decode(config.password_verifier))
    assert salt == int.from_bytes(salt_bytes, "big")
    exchange = sim.ServerExchange(v=v, realm=group, user=device_key, salt=salt)
    device = DeviceSRP("eu-west-1_p", "user", device_key, group, password)
    big_a = int(device.device_srp_auth_response()["SRP_A"], 16)
    response = device.device_password_verifier_response(exchange.challenge_parameters())
    exchange.check(
        big_a,
        user=response["DEVICE_KEY"],
        secret_block_b64=response["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp_text=response["TIMESTAMP"],
        signature_b64=response["PASSWORD_CLAIM_SIGNATURE"],
    )
