"""Regenerate tests/auth/vectors.json: ``python -m tests.auth.make_vectors``.

Every vector is computed by the spec-only reference in ``tests.auth.simulation`` (never by
aiocognito), and accepted by the simulated server before it is written. Cases are searched
for where the spec has edges: encodings of u and S one byte shorter or longer than usual,
odd-length hex, negative and zero-prefixed salts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.auth.simulation import (
    ServerExchange,
    cognito_secret_hash,
    format_timestamp,
    java_bytes,
    reference_claim,
    signed_hex,
    verifier,
)

OUT = Path(__file__).with_name("vectors.json")
POOL_ID = "eu-west-1_Kat0Pool"
REALM = "Kat0Pool"
NOW = datetime(2026, 11, 3, 7, 1, 5, tzinfo=UTC)  # a Tuesday, day of month < 10


def _rng(seed: int) -> Callable[[int], bytes]:
    import random

    r = random.Random(seed)
    return lambda n: bytes(r.getrandbits(8) for _ in range(n))


def user_case(
    name: str,
    *,
    seed: int,
    salt_text: str,
    password: str = "Correct-Horse-9",
    user_id: str = "7d3e0c2a-5b1f-4e6a-9c8d-1f2e3a4b5c6d",
    typed: str = "alice@example.com",
    client_secret: str | None = None,
    accept: Callable[[ServerExchange, Any], bool] = lambda exchange, claim: True,
) -> dict[str, Any]:
    rand = _rng(seed)
    a = int.from_bytes(rand(128), "big")
    salt = int(salt_text, 16)
    v = verifier(salt, REALM, user_id, password)
    block = rand(64)
    stamp = format_timestamp(NOW)
    for _attempt in range(20000):
        b = int.from_bytes(rand(32), "big") or 1
        exchange = ServerExchange(
            v=v, realm=REALM, user=user_id, salt=salt, b=b, secret_block=block
        )
        claim = reference_claim(
            a=a,
            big_b=exchange.big_b,
            salt=salt,
            realm=REALM,
            user=user_id,
            password=password,
            secret_block=block,
            timestamp_text=stamp,
        )
        if accept(exchange, claim):
            break
    else:  # pragma: no cover
        raise RuntimeError(f"no b found for {name}")
    block_b64 = base64.b64encode(block).decode()
    exchange.check(
        claim.big_a,
        user=user_id,
        secret_block_b64=block_b64,
        timestamp_text=stamp,
        signature_b64=claim.signature,
        now=NOW,
    )
    case: dict[str, Any] = {
        "name": name,
        "user_pool_id": POOL_ID,
        "typed_username": typed,
        "password": password,
        "small_a": format(a, "x"),
        "now": NOW.isoformat(),
        "SRP_A": format(claim.big_a, "x"),
        "challenge": {
            "SALT": salt_text,
            "SRP_B": signed_hex(exchange.big_b),
            "SECRET_BLOCK": block_b64,
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
        "u": format(claim.u, "x"),
        "enc_u_len": len(java_bytes(claim.u)),
        "enc_s_len": len(java_bytes(claim.s)),
        "key": claim.key.hex(),
        "TIMESTAMP": stamp,
        "PASSWORD_CLAIM_SIGNATURE": claim.signature,
        "client_id": "kat-client",
        "client_secret": client_secret,
    }
    if client_secret is not None:
        case["SECRET_HASH_initiate"] = cognito_secret_hash(typed, "kat-client", client_secret)
        case["SECRET_HASH_verifier"] = cognito_secret_hash(user_id, "kat-client", client_secret)
    return case


def device_case(name: str, *, seed: int, salt_bytes: bytes) -> dict[str, Any]:
    rand = _rng(seed)
    group_key = "-KatGroup9"
    device_key = "eu-west-1_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    password_bytes = rand(40)
    password = base64.b64encode(password_bytes).decode()
    salt = int.from_bytes(salt_bytes, "big")
    v = verifier(salt, group_key, device_key, password)
    config = {
        "PasswordVerifier": base64.b64encode(java_bytes(v)).decode(),
        "Salt": base64.b64encode(java_bytes(salt)).decode(),
    }
    a = int.from_bytes(rand(128), "big")
    block = rand(48)
    stamp = format_timestamp(NOW)
    exchange = ServerExchange(
        v=v, realm=group_key, user=device_key, salt=salt, b=int.from_bytes(rand(32), "big"),
        secret_block=block,
    )  # fmt: skip
    claim = reference_claim(
        a=a,
        big_b=exchange.big_b,
        salt=salt,
        realm=group_key,
        user=device_key,
        password=password,
        secret_block=block,
        timestamp_text=stamp,
    )
    exchange.check(
        claim.big_a,
        user=device_key,
        secret_block_b64=base64.b64encode(block).decode(),
        timestamp_text=stamp,
        signature_b64=claim.signature,
        now=NOW,
    )
    return {
        "name": name,
        "device_group_key": group_key,
        "device_key": device_key,
        "password_bytes": password_bytes.hex(),
        "salt_bytes": salt_bytes.hex(),
        "device_password": password,
        "config": config,
        "small_a": format(a, "x"),
        "now": NOW.isoformat(),
        "SRP_A": format(claim.big_a, "x"),
        "challenge": {
            "SALT": signed_hex(salt),
            "SRP_B": signed_hex(exchange.big_b),
            "SECRET_BLOCK": base64.b64encode(block).decode(),
            "USERNAME": "7d3e0c2a-5b1f-4e6a-9c8d-1f2e3a4b5c6d",
        },
        "TIMESTAMP": stamp,
        "PASSWORD_CLAIM_SIGNATURE": claim.signature,
    }


def main() -> None:
    salt = "3f5e1d2c3b4a59687766554433221100"  # 32 digits, top bit clear
    cases = [
        user_case("plain", seed=1, salt_text="1a2b3c4d5e6f708192a3b4c5d6e7f809"),
        user_case("salt with top bit set", seed=2, salt_text="c0ffee00112233445566778899aabbcc"),
        user_case("negative salt", seed=3, salt_text="-5a17c0de5a17c0de5a17c0de5a17c0de"),
        user_case(
            "negative salt needing an ff sign byte",
            seed=4,
            salt_text="-8000000000000000000000000000abcd",
        ),
        user_case("00-prefixed salt", seed=5, salt_text="007a" + salt[4:]),
        user_case("00-prefixed salt, top bit set", seed=6, salt_text="00f3" + salt[4:]),
        user_case("odd-length salt", seed=7, salt_text="abc1234"),
        user_case("single-digit salt", seed=8, salt_text="5"),
        user_case(
            "client secret and alias",
            seed=9,
            salt_text="1a2b3c4d5e6f708192a3b4c5d6e7f809",
            client_secret="kat-secret-9f8e7d",
        ),
        user_case(
            "unicode password and user id",
            seed=10,
            salt_text="44",
            password="pässwörd-日本-🔑",
            user_id="ünïcode-user",
            typed="ünïcode-user",
        ),
        user_case(
            "enc(u) is 31 bytes",
            seed=11,
            salt_text="1a2b",
            accept=lambda ex, claim: len(java_bytes(claim.u)) == 31,
        ),
        user_case(
            "enc(u) is 33 bytes",
            seed=12,
            salt_text="1a2b",
            accept=lambda ex, claim: len(java_bytes(claim.u)) == 33,
        ),
        user_case(
            "enc(S) is 383 bytes",
            seed=13,
            salt_text="1a2b",
            accept=lambda ex, claim: len(java_bytes(claim.s)) == 383,
        ),
        user_case(
            "enc(S) is 385 bytes",
            seed=14,
            salt_text="1a2b",
            accept=lambda ex, claim: len(java_bytes(claim.s)) == 385,
        ),
        user_case(
            "odd-length SRP_B",
            seed=15,
            salt_text="1a2b",
            accept=lambda ex, claim: len(signed_hex(ex.big_b)) % 2 == 1,
        ),
        user_case(
            "SRP_B one byte short",
            seed=16,
            salt_text="1a2b",
            accept=lambda ex, claim: ex.big_b.bit_length() <= 3072 - 8,
        ),
    ]
    devices = [
        device_case("device, salt top bit clear", seed=21, salt_bytes=bytes.fromhex("1" * 32)),
        device_case("device, salt top bit set", seed=22, salt_bytes=bytes.fromhex("f" * 32)),
    ]
    OUT.write_text(
        json.dumps({"user": cases, "device": devices}, indent=1, ensure_ascii=False) + "\n"
    )
    print(f"wrote {len(cases)} user and {len(devices)} device vectors to {OUT}")


if __name__ == "__main__":
    main()
