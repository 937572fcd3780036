"""A JWKS endpoint of the tests' own on 127.0.0.1, and tokens signed like Cognito's.

Keys are made with ``cryptography`` (RSA 2048, the size Cognito uses), tokens are signed with
PyJWT like Cognito signs them (RS256, ``kid`` in the header), and the forgeries are built by
hand. The server publishes whichever keys the test puts in ``JwksServer.keys`` and counts
the requests; ``status``, ``body`` and ``delay`` make it answer badly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

POOL_ID = "eu-west-1_Jwks8Pool"
ISSUER = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}"
CLIENT_ID = "jwks-client-1"


@cache
def private_key(name: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per name for the whole test run (making one takes ~50 ms)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_jwk(kid: str, key: rsa.RSAPrivateKey, **extra: Any) -> dict[str, Any]:
    """The JWK Cognito publishes for ``key``: kty, alg, use, kid, n, e."""
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {
        "alg": "RS256",
        "e": jwk["e"],
        "kid": kid,
        "kty": "RSA",
        "n": jwk["n"],
        "use": "sig",
    } | extra


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def claims(token_use: str = "access", **extra: Any) -> dict[str, Any]:
    """A payload like Cognito's for ``token_use``, valid for an hour from now."""
    now = int(time.time())
    common: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "iss": ISSUER,
        "token_use": token_use,
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "jti": secrets.token_hex(8),
        "origin_jti": secrets.token_hex(8),
        "event_id": secrets.token_hex(8),
        "cognito:groups": ["readers", "admins"],
    }
    if token_use == "access":
        common |= {
            "client_id": CLIENT_ID,
            "username": "alice",
            "scope": "aws.cognito.signin.user.admin orders/read",
            "version": 2,
        }
    else:
        common |= {
            "aud": CLIENT_ID,
            "cognito:username": "alice",
            "email": "alice@example.com",
            "email_verified": True,
            "custom:tenant": "acme",
        }
    return common | extra


def sign(payload: dict[str, Any], *, kid: str = "k1", key: str = "k1", **headers: Any) -> str:
    """A token signed RS256 with the named key, as Cognito signs."""
    return jwt.encode(payload, private_key(key), algorithm="RS256", headers={"kid": kid, **headers})


def sign_raw(payload: bytes, *, kid: str = "k1", key: str = "k1") -> str:
    """Any payload bytes signed RS256 (a token PyJWT's encode would not make)."""
    return jwt.api_jws.PyJWS().encode(
        payload, private_key(key), algorithm="RS256", headers={"kid": kid}
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forge(header: dict[str, Any], payload: dict[str, Any] | str, signature: bytes = b"") -> str:
    """A token put together by hand (any header, any payload text, any signature)."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return f"{b64(json.dumps(header).encode())}.{b64(body.encode())}.{b64(signature)}"


def hs256_with_public_key(payload: dict[str, Any], *, kid: str = "k1", key: str = "k1") -> str:
    """Algorithm confusion: HS256 keyed with the RSA public key's PEM, which anyone has."""
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}." + b64(
        json.dumps(payload).encode()
    )
    mac = hmac.new(public_pem(private_key(key)), signing_input.encode(), hashlib.sha256)
    return f"{signing_input}.{b64(mac.digest())}"


@dataclass
class JwksServer:
    """What the endpoint serves; the test changes it between requests."""

    keys: list[dict[str, Any]] = field(
        default_factory=lambda: [public_jwk("k1", private_key("k1"))]
    )
    status: int = 200
    body: bytes | None = None
    """Sent instead of the JWKS when set."""
    delay: float = 0.0
    requests: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, bytes]:
        with self.lock:
            self.requests += 1
        if self.delay:
            time.sleep(self.delay)
        body = self.body if self.body is not None else json.dumps({"keys": self.keys}).encode()
        return self.status, body


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status, body = self.server.state.answer()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (a timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: JwksServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def serve(state: JwksServer) -> Iterator[JwksServer]:
    """Serve ``state`` on 127.0.0.1 at ``state.url`` (a free port)."""
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    state.url = f"http://{host!s}:{port}/{POOL_ID}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
