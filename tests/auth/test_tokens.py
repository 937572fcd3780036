"""``TokenVerifier`` against a JWKS endpoint of the tests' own (tests/auth/jwks_server.py).

The endpoint runs on 127.0.0.1 with keys made by ``cryptography``; tokens are signed with
PyJWT as Cognito signs them, and forged by hand. Each test gets a server of its own and an
empty process-wide key cache. Real Cognito tokens from moto's server are
verified in tests/auth/test_moto.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import json
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from aiocognito import CognitoError, ConfigurationError, ParamValidationError
from aiocognito.auth import (
    JwksError,
    TokenClaimError,
    TokenClaims,
    TokenError,
    TokenExpiredError,
    TokenMalformedError,
    TokenNotYetValidError,
    TokenSignatureError,
    TokenVerifier,
    _jwks,
)
from tests.auth.jwks_server import (
    CLIENT_ID,
    ISSUER,
    POOL_ID,
    JwksServer,
    b64,
    claims,
    forge,
    hs256_with_public_key,
    private_key,
    public_jwk,
    serve,
    sign,
    sign_raw,
)

Make = Callable[..., TokenVerifier]


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    # The key cache is per URL for the whole process, and a port may come round again.
    _jwks.forget_all()
    with serve(JwksServer()) as state:
        yield state
    _jwks.forget_all()


@pytest.fixture
def make(jwks: JwksServer) -> Make:
    """A verifier of the test pool, keys from the test's server; keywords override."""

    def make(**options: Any) -> TokenVerifier:
        options.setdefault("client_id", CLIENT_ID)
        return TokenVerifier(POOL_ID, jwks_url=jwks.url, **options)

    return make


class _Clock:
    """The penalty box's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(_jwks, "_monotonic", fake)
    return fake


def _refused(exc_type: type[TokenError], token: str, match: str) -> Callable[[TokenVerifier], Any]:
    async def check(verifier: TokenVerifier) -> None:
        with pytest.raises(exc_type, match=match) as raised:
            await verifier.verify(token)
        _no_token_in(raised.value, token)

    return check


def _no_token_in(error: BaseException, token: str) -> None:
    """Neither the error nor anything chained to it shows a part of the token, decoded or not."""
    parts = [part for part in token.split(".") if len(part) > 8]
    decoded = []
    for part in parts:
        with contextlib.suppress(ValueError):
            decoded.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode())
    seen: BaseException | None = error
    while seen is not None:
        text = f"{seen} {seen!r} {getattr(seen, 'doc', '')}"
        assert not any(part in text for part in parts), type(seen)
        assert not any(len(d) > 8 and d in text for d in decoded), type(seen)
        seen = seen.__cause__ or seen.__context__


# -- accepted ---------------------------------------------------------------------------------


async def test_an_access_token_is_verified_with_typed_claims(make: Make) -> None:
    payload = claims("access")
    verified = await make().verify(sign(payload))
    assert isinstance(verified, TokenClaims)
    assert verified.sub == payload["sub"]
    assert verified.token_use == "access"
    assert verified.client_id == CLIENT_ID
    assert verified.username == "alice"
    assert verified.groups == ("readers", "admins")
    assert verified.scopes == ("aws.cognito.signin.user.admin", "orders/read")
    assert verified.issuer == ISSUER
    assert verified.expires_at == datetime.fromtimestamp(payload["exp"], UTC)
    assert verified.expires_at.tzinfo is UTC
    assert verified.issued_at == datetime.fromtimestamp(payload["iat"], UTC)
    assert verified.auth_time == datetime.fromtimestamp(payload["auth_time"], UTC)
    assert verified.jti == payload["jti"]
    assert verified["version"] == 2 and verified.get("missing") is None
    assert dict(verified.raw) == payload and len(verified) == len(payload)
    with pytest.raises(TypeError):
        verified.raw["sub"] = "x"  # type: ignore[index]
    assert "alice" not in repr(verified) and payload["sub"] in repr(verified)


async def test_an_id_token_is_verified(make: Make) -> None:
    verified = await make(token_use="id").verify(sign(claims("id")))
    assert verified.token_use == "id"
    assert verified.client_id == CLIENT_ID  # from aud
    assert verified.username == "alice"  # from cognito:username
    assert verified["custom:tenant"] == "acme" and verified["email"] == "alice@example.com"
    assert verified.scopes == ()


async def test_token_use_none_takes_either(make: Make) -> None:
    verifier = make(token_use=None)
    assert (await verifier.verify(sign(claims("access")))).token_use == "access"
    assert (await verifier.verify(sign(claims("id")))).token_use == "id"


async def test_client_id_may_be_several_or_skipped_on_purpose(make: Make) -> None:
    token = sign(claims("access", client_id="other-app"))
    assert await make(client_id=[CLIENT_ID, "other-app"]).verify(token)
    assert await make(client_id=None).verify(token)
    with pytest.raises(TokenClaimError, match=r"another app client \(client_id\)"):
        await make().verify(token)
    with pytest.raises(TokenClaimError, match=r"another app client \(aud\)"):
        await make(token_use="id").verify(sign(claims("id", aud="other-app")))


async def test_a_token_without_a_user_has_no_username(make: Make) -> None:
    # Client credentials (machine to machine): sub is the app client, no username, no groups.
    payload = claims("access", sub=CLIENT_ID, scope="orders/read")
    for name in ("username", "cognito:groups"):
        del payload[name]
    verified = await make().verify(sign(payload))
    assert (
        verified.username is None and verified.groups == () and verified.scopes == ("orders/read",)
    )


# -- groups and scopes ------------------------------------------------------------------------


async def test_groups_any_of(make: Make) -> None:
    token = sign(claims("access"))
    assert await make(groups="admins").verify(token)
    assert await make(groups=["nobody", "readers"]).verify(token)
    for groups in ("owners", ["owners", "staff"]):
        with pytest.raises(TokenClaimError, match="none of the required groups"):
            await make(groups=groups).verify(token)
    no_groups = claims("access")
    del no_groups["cognito:groups"]
    with pytest.raises(TokenClaimError, match="none of the required groups"):
        await make(groups="admins").verify(sign(no_groups))
    with pytest.raises(TokenClaimError, match="not a list of strings"):
        await make().verify(sign(claims("access", **{"cognito:groups": "admins"})))


async def test_scopes_any_of(make: Make) -> None:
    token = sign(claims("access"))
    assert await make(scopes="orders/read").verify(token)
    assert await make(scopes=["orders/write", "orders/read"]).verify(token)
    with pytest.raises(TokenClaimError, match="none of the required scopes"):
        await make(scopes="orders/write").verify(token)
    with pytest.raises(TokenClaimError, match="none of the required scopes"):
        await make(token_use="id", scopes="orders/read").verify(sign(claims("id")))
    with pytest.raises(TokenClaimError, match="scope is not a string"):
        await make().verify(sign(claims("access", scope=["orders/read"])))


# -- claims refused ---------------------------------------------------------------------------


async def test_token_use_is_checked(make: Make) -> None:
    with pytest.raises(TokenClaimError, match="an id token where an access token is expected"):
        await make().verify(sign(claims("id")))
    with pytest.raises(TokenClaimError, match="an access token where an id token is expected"):
        await make(token_use="id").verify(sign(claims("access")))
    for bad in ("refresh", None, ["access"]):
        with pytest.raises(TokenClaimError, match="neither 'access' nor 'id'"):
            await make(token_use=None).verify(sign(claims("access") | {"token_use": bad}))


async def test_issuer_is_checked(make: Make) -> None:
    for iss in (ISSUER + "x", ISSUER[:-1], "https://evil.example/" + POOL_ID, 7, [ISSUER]):
        # PyJWT's encode refuses a non-string iss: signed by hand.
        token = sign_raw(json.dumps(claims("access", iss=iss)).encode())
        with pytest.raises(TokenClaimError, match=r"issuer \(iss\) is not"):
            await make().verify(token)
    other = "http://127.0.0.1:9/emulated-pool"
    assert await make(issuer=other).verify(sign(claims("access", iss=other)))


@pytest.mark.parametrize("name", ["exp", "iat", "iss", "sub", "client_id"])
async def test_required_claims(make: Make, name: str) -> None:
    payload = claims("access")
    del payload[name]
    with pytest.raises(TokenClaimError, match=f"no {name} claim"):
        await make().verify(sign(payload))


@pytest.mark.parametrize(
    ("name", "value"),
    [("exp", "tomorrow"), ("iat", "now"), ("nbf", [1]), ("sub", 5), ("exp", 10**20)],
)
async def test_malformed_claims(make: Make, name: str, value: object) -> None:
    with pytest.raises(TokenClaimError):
        await make().verify(sign(claims("access", **{name: value})))


# -- time and leeway --------------------------------------------------------------------------


async def test_expired(make: Make) -> None:
    exp = int(time.time()) - 30
    token = sign(claims("access", exp=exp, iat=exp - 3600))
    with pytest.raises(TokenExpiredError, match="expired at") as raised:
        await make().verify(token)
    assert raised.value.expired_at == datetime.fromtimestamp(exp, UTC)
    _no_token_in(raised.value, token)
    with pytest.raises(TokenExpiredError):
        await make(leeway=10).verify(token)
    assert await make(leeway=60).verify(token)  # 30 s past, 60 s of leeway


async def test_issued_in_the_future(make: Make) -> None:
    iat = int(time.time()) + 30
    token = sign(claims("access", iat=iat))
    with pytest.raises(TokenNotYetValidError, match="not valid yet"):
        await make().verify(token)
    assert await make(leeway=60).verify(token)
    not_before = sign(claims("access", nbf=iat))
    with pytest.raises(TokenNotYetValidError):
        await make().verify(not_before)
    assert await make(leeway=60).verify(not_before)
    assert issubclass(TokenNotYetValidError, TokenClaimError)


# -- signatures and keys refused ---------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "", None])
async def test_alg_none_is_refused(make: Make, alg: str | None) -> None:
    for signature in (b"", b"sig"):
        token = forge({"alg": alg, "kid": "k1"}, claims("access"), signature)
        await _refused(TokenSignatureError, token, "only RS256")(make())


async def test_hs256_keyed_with_the_public_key_is_refused(make: Make) -> None:
    # The classic algorithm confusion: a verifier that let the token's alg choose would check
    # an HMAC keyed with the public key, which anyone can compute.
    token = hs256_with_public_key(claims("access"))
    await _refused(TokenSignatureError, token, "alg is 'HS256': only RS256")(make())


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256", "ES256", "EdDSA", "HS512"])
async def test_other_algorithms_are_refused(make: Make, alg: str) -> None:
    token = forge({"alg": alg, "kid": "k1"}, claims("access"), b"x" * 256)
    await _refused(TokenSignatureError, token, "only RS256")(make())


async def test_a_bad_signature_is_refused(make: Make) -> None:
    good = sign(claims("access"))
    header, payload, signature = good.split(".")
    forged_payload = b64(b'{"sub":"admin"}')
    await _refused(
        TokenSignatureError, f"{header}.{forged_payload}.{signature}", "does not verify"
    )(make())
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    await _refused(TokenSignatureError, f"{header}.{payload}.{flipped}", "does not verify")(make())
    # A signature spelled in non-canonical base64url (PyJWT refuses those, as it should): 256
    # bytes leave four bits of the last character unused, which must be zero; B's are not.
    non_canonical = f"{header}.{payload}.{signature[:-1]}B"
    await _refused(TokenSignatureError, non_canonical, "signature is not canonical")(make())
    # Signed with another key under the published kid.
    await _refused(TokenSignatureError, sign(claims("access"), key="intruder"), "does not verify")(
        make()
    )


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"jku": "https://evil.example/jwks.json"}, "jku other than the configured"),
        ({"x5u": "https://evil.example/cert.pem"}, "'x5u'"),
        ({"x5c": ["MIIB..."]}, "'x5c'"),
        ({"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}, "'jwk'"),
        ({"crit": ["exp"]}, "crit"),
    ],
)
async def test_headers_naming_another_key_source_are_refused(
    make: Make, extra: dict[str, Any], match: str
) -> None:
    token = sign(claims("access"), **extra)
    await _refused(TokenSignatureError, token, match)(make())


async def test_a_jku_naming_the_configured_url_is_harmless(make: Make, jwks: JwksServer) -> None:
    assert await make().verify(sign(claims("access"), jku=jwks.url))


async def test_a_token_without_kid_is_refused(make: Make) -> None:
    token = forge({"alg": "RS256"}, claims("access"), b"x" * 256)
    await _refused(TokenSignatureError, token, "no kid")(make())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"use": "enc"}, "use is 'enc', not 'sig'"),
        ({"alg": "RS512"}, "alg is 'RS512', not 'RS256'"),
        ({"kty": "EC"}, "kty is 'EC', not 'RSA'"),
        ({"n": 42}, "n or e is missing"),
        ({"n": "AQAB"}, "n and e do not make an RSA public key"),
        ({"d": "AQAB"}, "holds private key parts"),
    ],
)
async def test_keys_unfit_for_rs256_are_refused(
    make: Make, jwks: JwksServer, changes: dict[str, Any], reason: str
) -> None:
    jwks.keys = [public_jwk("k1", private_key("k1"), **changes)]
    token = sign(claims("access"))
    await _refused(TokenSignatureError, token, f"unfit for RS256: .*{reason}")(make())


async def test_a_small_rsa_key_is_unfit(make: Make, jwks: JwksServer) -> None:
    jwks.keys = [public_jwk("small", private_key("small", 1024))]
    token = sign(claims("access"), kid="small", key="small")
    await _refused(TokenSignatureError, token, "1024 bits, fewer than 2048")(make())


async def test_two_keys_under_one_kid_are_unfit(make: Make, jwks: JwksServer) -> None:
    jwks.keys = [public_jwk("k1", private_key("k1")), public_jwk("k1", private_key("k2"))]
    await _refused(TokenSignatureError, sign(claims("access")), "more than one key")(make())


async def test_an_unfit_key_does_not_spoil_the_others(make: Make, jwks: JwksServer) -> None:
    jwks.keys = [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},  # no kid: never chosen
        public_jwk("k1", private_key("k1")),
    ]
    assert await make().verify(sign(claims("access")))


# -- malformed and hostile tokens --------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "match"),
    [
        ("", "three base64url parts"),
        ("abc", "three base64url parts"),
        ("a.b", "three base64url parts"),
        ("a.b.c.d", "three base64url parts"),
        ("a b.c.d", "three base64url parts"),
        ("a+/.b.c", "three base64url parts"),
        (f"{b64(b'not json')}.e30.c2ln", "header is not JSON"),
        (f"{b64(b'[1]')}.e30.c2ln", "header is not a JSON object"),
        ("A.e30.c2ln", "header is not base64url"),
    ],
)
async def test_malformed_tokens(make: Make, jwks: JwksServer, token: str, match: str) -> None:
    with pytest.raises(TokenMalformedError, match=match):
        await make().verify(token)
    assert jwks.requests == 0  # refused before any key is fetched


@pytest.mark.parametrize(
    ("payload", "match"),
    [(b"this is not json at all", "payload is not JSON"), (b"[1]", "payload is not a JSON object")],
)
async def test_a_signed_payload_that_is_no_json_object(
    make: Make, payload: bytes, match: str
) -> None:
    await _refused(TokenMalformedError, sign_raw(payload), match)(make())


async def test_a_non_string_is_refused(make: Make) -> None:
    with pytest.raises(TokenMalformedError, match="a bytes, not a str"):
        await make().verify(b"a.b.c")  # type: ignore[arg-type]


async def test_a_huge_token_is_refused_unread(make: Make, jwks: JwksServer) -> None:
    token = sign(claims("access", padding="x" * 10_000_000))
    started = time.perf_counter()
    with pytest.raises(TokenMalformedError, match="more than the 65,536 accepted") as raised:
        await make().verify(token)
    assert time.perf_counter() - started < 1.0  # a bound, not a benchmark: nothing decoded
    assert jwks.requests == 0 and len(str(raised.value)) < 200


async def test_a_deeply_nested_payload_is_bounded(make: Make) -> None:
    # Validly signed, so it passes the signature: the JSON nesting is what must be bounded.
    nested = "[" * 20_000 + "]" * 20_000
    token = sign_raw(f'{{"a": {nested}}}'.encode())
    assert len(token) < 65_536
    await _refused(TokenMalformedError, token, "nested too deeply")(make())
    deep_header = b64(("{" + '"a":' + "[" * 20_000 + "]" * 20_000 + "}").encode()) + ".e30.c2ln"
    await _refused(TokenMalformedError, deep_header, "header is nested too deeply")(make())


# -- the key cache: rotation, penalty box, single flight ----------------------------------------


async def test_keys_are_fetched_once_and_cached(make: Make, jwks: JwksServer) -> None:
    verifier = make()
    for _ in range(5):
        assert await verifier.verify(sign(claims("access")))
    assert jwks.requests == 1
    # A second verifier of the same JWKS URL shares the cache.
    assert await make(token_use="id").verify(sign(claims("id")))
    assert jwks.requests == 1


async def test_fifty_concurrent_cold_verifies_fetch_once(make: Make, jwks: JwksServer) -> None:
    jwks.delay = 0.2  # the fetch is still under way when the others arrive
    verifiers = [make(), make()]
    results = await asyncio.gather(
        *(verifiers[i % 2].verify(sign(claims("access"))) for i in range(50))
    )
    assert len(results) == 50 and jwks.requests == 1


async def test_a_cancelled_verify_does_not_cancel_the_shared_fetch(
    make: Make, jwks: JwksServer
) -> None:
    jwks.delay = 0.2
    verifier = make()
    first = asyncio.ensure_future(verifier.verify(sign(claims("access"))))
    second = asyncio.ensure_future(verifier.verify(sign(claims("access"))))
    await asyncio.sleep(0.05)
    first.cancel()
    assert await second
    assert first.cancelled() and jwks.requests == 1


async def test_rotation_picks_up_a_new_key(make: Make, jwks: JwksServer, clock: _Clock) -> None:
    verifier = make()
    assert await verifier.verify(sign(claims("access")))
    # The pool rotates: k2 is published next to k1, and new tokens are signed with it.
    jwks.keys = [public_jwk("k1", private_key("k1")), public_jwk("k2", private_key("k2"))]
    assert await verifier.verify(sign(claims("access"), kid="k2", key="k2"))
    assert jwks.requests == 2
    assert await verifier.verify(sign(claims("access")))  # k1 still there: no fetch
    # k1 is retired: the refetch for a third key drops it.
    jwks.keys = [public_jwk("k2", private_key("k2")), public_jwk("k3", private_key("k3"))]
    assert await verifier.verify(sign(claims("access"), kid="k3", key="k3"))
    with pytest.raises(TokenSignatureError, match="has no key 'k1'"):
        await verifier.verify(sign(claims("access")))
    assert jwks.requests == 4  # the refetch for k1 brought nothing: penalty box from here


async def test_the_penalty_box_limits_refetches_for_unknown_kids(
    make: Make, jwks: JwksServer, clock: _Clock
) -> None:
    verifier = make()
    assert await verifier.verify(sign(claims("access")))
    junk = [sign(claims("access"), kid=f"junk-{i}") for i in range(20)]
    for token in junk:
        with pytest.raises(TokenSignatureError, match="has no key 'junk-"):
            await verifier.verify(token)
    assert jwks.requests == 2  # the first load, and one refetch for junk-0
    clock.now += _jwks.PENALTY_SECONDS - 0.5
    with pytest.raises(TokenSignatureError):
        await verifier.verify(junk[0])
    assert jwks.requests == 2
    clock.now += 1.0  # the penalty is over: one more refetch
    with pytest.raises(TokenSignatureError):
        await verifier.verify(junk[1])
    assert jwks.requests == 3
    # A known kid is answered from the cache even while the penalty holds.
    assert await verifier.verify(sign(claims("access")))
    assert jwks.requests == 3


async def test_a_new_key_during_the_penalty_waits_for_it(
    make: Make, jwks: JwksServer, clock: _Clock
) -> None:
    verifier = make()
    with pytest.raises(TokenSignatureError):
        await verifier.verify(sign(claims("access"), kid="k2", key="k2"))
    jwks.keys.append(public_jwk("k2", private_key("k2")))
    with pytest.raises(TokenSignatureError):  # within the penalty: not fetched yet
        await verifier.verify(sign(claims("access"), kid="k2", key="k2"))
    clock.now += _jwks.PENALTY_SECONDS + 0.1
    assert await verifier.verify(sign(claims("access"), kid="k2", key="k2"))
    assert jwks.requests == 2


async def test_concurrent_junk_kids_cause_one_refetch(
    make: Make, jwks: JwksServer, clock: _Clock
) -> None:
    verifier = make()
    await verifier.load_keys()
    jwks.delay = 0.1
    tokens = [sign(claims("access"), kid=f"junk-{i}") for i in range(30)]
    results = await asyncio.gather(*(verifier.verify(t) for t in tokens), return_exceptions=True)
    assert all(isinstance(r, TokenSignatureError) for r in results)
    assert jwks.requests == 2


# -- verify_sync -------------------------------------------------------------------------------


async def test_verify_sync_after_load_keys(make: Make, jwks: JwksServer) -> None:
    verifier = make()
    token = sign(claims("access"))
    with pytest.raises(JwksError, match=r"await load_keys\(\)"):
        verifier.verify_sync(token)
    await verifier.load_keys()
    assert verifier.verify_sync(token).sub == claims("access")["sub"]
    assert jwks.requests == 1
    # A key published later is not fetched by verify_sync (no I/O) ...
    jwks.keys.append(public_jwk("k2", private_key("k2")))
    rotated = sign(claims("access"), kid="k2", key="k2")
    with pytest.raises(TokenSignatureError, match=r"picked up by verify\(\) or another load_keys"):
        verifier.verify_sync(rotated)
    assert jwks.requests == 1
    # ... until load_keys() runs again.
    await verifier.load_keys()
    assert verifier.verify_sync(rotated)
    # Every other check applies as in verify().
    with pytest.raises(TokenClaimError):
        verifier.verify_sync(sign(claims("id")))
    with pytest.raises(TokenSignatureError):
        verifier.verify_sync(hs256_with_public_key(claims("access")))


def test_verify_sync_in_a_thread_without_a_loop(make: Make, jwks: JwksServer) -> None:
    verifier = make()
    asyncio.run(verifier.load_keys())
    assert verifier.verify_sync(sign(claims("access")))
    # The same verifier in another event loop opens a sender there.
    assert asyncio.run(verifier.verify(sign(claims("access"))))


# -- the JWKS fetch: bounded, and its failures ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (500, b"oops", "answered HTTP 500, not 200"),
        (404, b"{}", "answered HTTP 404, not 200"),
        (200, b"<html>", "is not JSON"),
        (200, b"[]", "is not a JSON object"),
        (200, b'{"keys": {}}', "has no list of keys"),
        (200, b'{"keys": [1]}', "a key that is not a JSON object"),
        (200, b"[" * 100_000, "is not JSON"),
    ],
)
async def test_a_bad_jwks_is_a_jwks_error(
    make: Make, jwks: JwksServer, status: int, body: bytes, match: str
) -> None:
    jwks.status, jwks.body = status, body
    token = sign(claims("access"))
    with pytest.raises(JwksError, match=match) as raised:
        await make().verify(token)
    assert not isinstance(raised.value, TokenError)  # not the token's fault: answer 503
    _no_token_in(raised.value, token)


async def test_a_huge_jwks_is_refused_once(make: Make, jwks: JwksServer) -> None:
    jwks.body = b'{"keys": [], "pad": "' + b"x" * (4 * _jwks.MAX_JWKS_BYTES) + b'"}'
    with pytest.raises(JwksError, match="over the limit of 262144 bytes"):
        await make().verify(sign(claims("access")))
    assert jwks.requests == 1  # not retried: a second answer would be as large


async def test_too_many_keys_are_refused(make: Make, jwks: JwksServer) -> None:
    jwks.keys = [{"kty": "oct", "kid": str(i)} for i in range(_jwks.MAX_KEYS + 1)]
    with pytest.raises(JwksError, match="65 keys, more than 64"):
        await make().verify(sign(claims("access")))


async def test_a_slow_jwks_is_bounded_in_time(
    make: Make, jwks: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_jwks, "FETCH_TIMEOUT", 0.3)
    jwks.delay = 2.0
    started = time.perf_counter()
    with pytest.raises(JwksError, match=r"did not arrive within 0\.3 s"):
        await make().verify(sign(claims("access")))
    assert time.perf_counter() - started < 1.5


async def test_an_unreachable_jwks_is_a_jwks_error(jwks: JwksServer) -> None:
    closed = jwks.url.replace(jwks.url.split("/")[2], "127.0.0.1:9")
    verifier = TokenVerifier(POOL_ID, client_id=CLIENT_ID, jwks_url=closed)
    with pytest.raises(JwksError, match="could not be fetched") as raised:
        await verifier.verify(sign(claims("access")))
    assert isinstance(raised.value.__cause__, CognitoError)


async def test_a_failed_fetch_is_tried_again_by_the_next_verify(
    make: Make, jwks: JwksServer
) -> None:
    jwks.status = 503
    verifier = make()
    with pytest.raises(JwksError):
        await verifier.verify(sign(claims("access")))
    jwks.status = 200
    assert await verifier.verify(sign(claims("access")))
    assert jwks.requests == 2


MOCK_JWKS_URL = "https://jwks.example/eu-west-1_Jwks8Pool/.well-known/jwks.json"


@pytest.fixture
def mock_jwks() -> Iterator[Callable[..., TokenVerifier]]:
    """Verifiers whose JWKS comes through a caller's ``transport=``, as the client takes it:
    httpx's MockTransport answering with ``handler`` (no server: the transport is the
    caller's own)."""
    _jwks.forget_all()

    def make(handler: Callable[[httpx.Request], Any]) -> TokenVerifier:
        transport = httpx.MockTransport(handler)
        return TokenVerifier(
            POOL_ID, client_id=CLIENT_ID, jwks_url=MOCK_JWKS_URL, transport=transport
        )

    yield make
    _jwks.forget_all()


async def test_a_callers_transport_carries_the_fetch(
    mock_jwks: Callable[..., TokenVerifier],
) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"keys": [public_jwk("k1", private_key("k1"))]})

    async with mock_jwks(answer) as verifier:
        assert await verifier.verify(sign(claims("access")))
    assert seen == [MOCK_JWKS_URL]


async def test_a_huge_jwks_through_a_callers_transport_is_refused_once(
    mock_jwks: Callable[..., TokenVerifier],
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"x" * (_jwks.MAX_JWKS_BYTES + 1))

    async with mock_jwks(answer) as verifier:
        with pytest.raises(JwksError, match="over the limit of 262144 bytes"):
            await verifier.verify(sign(claims("access")))
    assert len(seen) == 1


async def test_a_slow_jwks_through_a_callers_transport_is_bounded_in_time(
    mock_jwks: Callable[..., TokenVerifier], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_jwks, "FETCH_TIMEOUT", 0.3)

    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return httpx.Response(200, json={"keys": []})

    started = time.perf_counter()
    async with mock_jwks(answer) as verifier:
        with pytest.raises(JwksError, match=r"did not arrive within 0\.3 s"):
            await verifier.verify(sign(claims("access")))
    assert time.perf_counter() - started < 2


async def test_the_verifier_closes_its_connections(make: Make) -> None:
    async with make() as verifier:
        assert await verifier.verify(sign(claims("access")))
    await verifier.aclose()  # twice is fine


async def _fetch_with(verifier: TokenVerifier) -> Any:
    """Fetch the JWKS on the running loop; the loop's sender (a pool of ours)."""
    await verifier.load_keys()
    return await verifier._senders.get()


def test_one_verifier_serves_one_asyncio_run_after_another(make: Make) -> None:
    """Each loop's connections are closed when its asyncio.run ends, not dropped open for the
    garbage collector, and aclose() on yet another loop has nothing left to trip over."""
    verifier = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        first = asyncio.run(_fetch_with(verifier))
        assert first.pool.idle_connections == 0  # closed as the first loop shut down
        second = asyncio.run(_fetch_with(verifier))
        assert second is not first and second.pool.idle_connections == 0
        asyncio.run(verifier.aclose())
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_callers_transport_stays_open_across_loops_until_aclose() -> None:
    class Counting(httpx.MockTransport):
        closed = 0

        async def aclose(self) -> None:
            self.closed += 1

    keys = {"keys": [public_jwk("k1", private_key("k1"))]}
    transport = Counting(lambda request: httpx.Response(200, json=keys))
    verifier = TokenVerifier(
        POOL_ID, client_id=CLIENT_ID, jwks_url=MOCK_JWKS_URL, transport=transport
    )
    asyncio.run(verifier.load_keys())
    asyncio.run(verifier.load_keys())
    assert transport.closed == 0  # the caller's: not closed with a loop
    asyncio.run(verifier.aclose())
    assert transport.closed == 1
    _jwks.forget_all()


async def test_aclose_closes_the_sender_of_another_threads_loop(make: Make) -> None:
    verifier = make()
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        there = await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(_fetch_with(verifier), other)
        )
        here = await _fetch_with(verifier)
        assert here is not there and there.pool.idle_connections == 1
        await verifier.aclose()
        assert there.pool.idle_connections == 0 and here.pool.idle_connections == 0
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()


# -- configuration -----------------------------------------------------------------------------


def test_the_default_urls_come_from_the_pool_id() -> None:
    verifier = TokenVerifier("us-east-1_Ab3dEf", client_id="app")
    assert verifier.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab3dEf"
    assert verifier.jwks_url == verifier.issuer + "/.well-known/jwks.json"
    gov = TokenVerifier("us-gov-west-1_Ab3dEf", client_id="app")
    assert gov.issuer.startswith("https://cognito-idp.us-gov-west-1.amazonaws.com/")
    assert "Ab3dEf" in repr(verifier)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"user_pool_id": "Ab3dEf"}, "user_pool_id"),
        ({"user_pool_id": "us-east-1_"}, "user_pool_id"),
        ({"jwks_url": "ftp://example.com/jwks.json"}, "jwks_url"),
        ({"jwks_url": "file:///etc/passwd"}, "jwks_url"),
        ({"issuer": "http://plain.example/pool"}, "jwks_url"),  # derived URL must be https
        ({"leeway": -1}, "leeway"),
        ({"leeway": 3600}, "leeway"),
        ({"token_use": "refresh"}, "token_use"),
        ({"client_id": ""}, "client_id"),
        ({"client_id": []}, "client_id"),
        ({"groups": [""]}, "groups"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], path: str) -> None:
    arguments: dict[str, Any] = {"user_pool_id": "us-east-1_Ab3dEf", "client_id": "app"}
    with pytest.raises(ParamValidationError) as raised:
        TokenVerifier(**(arguments | kwargs))
    assert raised.value.path == path


def test_client_id_is_required() -> None:
    with pytest.raises(TypeError):
        TokenVerifier("us-east-1_Ab3dEf")  # type: ignore[call-arg]


def test_the_error_tree() -> None:
    for error in (TokenSignatureError, TokenExpiredError, TokenClaimError, TokenMalformedError):
        assert issubclass(error, TokenError)
    assert issubclass(TokenError, CognitoError) and issubclass(TokenError, ValueError)
    assert issubclass(JwksError, CognitoError) and not issubclass(JwksError, TokenError)


def test_without_the_jwt_extra() -> None:
    # A fresh interpreter where PyJWT cannot be imported: aiocognito and aiocognito.auth still
    # import, and the verifier says which extra to install.
    code = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "jwt" or name.startswith("jwt."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Block())
import aiocognito, aiocognito.auth
from aiocognito.auth import TokenVerifier, TokenSession
try:
    TokenVerifier("us-east-1_Ab3dEf", client_id="app")
except aiocognito.ConfigurationError as exc:
    print("refused:", exc)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "refused: TokenVerifier needs PyJWT and cryptography: pip install 'aiocognito[jwt]'" in (
        out.stdout
    )
    assert issubclass(ConfigurationError, CognitoError)
