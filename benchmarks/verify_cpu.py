"""CPU per token verification with cached keys: aiocognito, PyJWT alone, pycognito.

    python benchmarks/verify_cpu.py                   # a markdown table
    python benchmarks/verify_cpu.py --seconds 2       # longer runs per row

Every row verifies the same Cognito-shaped access token (RS256, 2048-bit key, ~1 KB), signed
once, over and over, with the key already at hand:

- **PyJWT alone** (the floor): ``jwt.decode`` with the public key object prepared once,
  ``RS256`` only, the issuer and the claims Cognito tokens must carry required, and nothing of
  Cognito's (``token_use``, ``client_id``) checked: the least a correct verifier does.
- **aiocognito** ``await verifier.verify(token)`` and ``verifier.verify_sync(token)``, the keys
  loaded from a JWKS server on 127.0.0.1 beforehand (no I/O while timed): PyJWT's work plus
  the header checks, the key lookup, ``token_use``, ``client_id`` and the typed claims.
- **pycognito** ``Cognito.verify_token(token, "access_token", "access")``, the JWKS given
  through its ``COGNITO_JWKS`` variable (no I/O): it builds the key from the JWK each call.

Reported: microseconds of CPU per call (``time.process_time`` over a timed loop; the median of
``--repeats`` runs, the rows taking turns) and the ratio to the floor. The target (issue 14):
aiocognito within 1.3x of the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from aiocognito.auth import TokenVerifier

REGION = "eu-west-1"
POOL_ID = f"{REGION}_Bench0Pool"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID = "bench0client0id0000000000"
KID = "bench-key-1"


def _token(key: rsa.RSAPrivateKey) -> str:
    now = int(time.time())
    claims = {
        "sub": "5f0c9a2e-6d1b-4c3a-8e7f-0a1b2c3d4e5f",
        "cognito:groups": ["readers", "admins"],
        "iss": ISSUER,
        "version": 2,
        "client_id": CLIENT_ID,
        "origin_jti": "0d2f7a1e-1c3b-4e5f-8a9b-0c1d2e3f4a5b",
        "event_id": "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": "3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f",
        "username": "5f0c9a2e-6d1b-4c3a-8e7f-0a1b2c3d4e5f",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


@contextmanager
def _jwks_server(jwks: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(jwks)))
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{POOL_ID}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def _cpu_per_call(call: Callable[[], object], seconds: float) -> float:
    """Microseconds of CPU per call over a loop of about ``seconds``."""
    call()
    batch = 1
    while True:  # find a batch that takes ~10 ms, then time whole batches
        started = time.process_time()
        for _ in range(batch):
            call()
        if time.process_time() - started > 0.01:
            break
        batch *= 2
    calls = 0
    started = time.process_time()
    while time.process_time() - started < seconds:
        for _ in range(batch):
            call()
        calls += batch
    return (time.process_time() - started) / calls * 1e6


def _async_cpu_per_call(verifier: TokenVerifier, token: str, seconds: float) -> float:
    """As ``_cpu_per_call`` for ``await verifier.verify(token)``, awaited in one loop."""

    async def run() -> float:
        await verifier.verify(token)
        calls, batch = 0, 256
        started = time.process_time()
        while time.process_time() - started < seconds:
            for _ in range(batch):
                await verifier.verify(token)
            calls += batch
        return (time.process_time() - started) / calls * 1e6

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="timed seconds per run")
    parser.add_argument("--repeats", type=int, default=5, help="runs per row (median shown)")
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_key = key.public_key()
    token = _token(key)
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key)) | {"kid": KID, "alg": "RS256", "use": "sig"}
    jwks = {"keys": [jwk]}
    options: Any = {"require": ["exp", "iat", "iss", "sub"], "verify_aud": False}

    def floor() -> object:
        return jwt.decode(token, public_key, algorithms=["RS256"], issuer=ISSUER, options=options)

    rows: dict[str, Callable[[], float]] = {
        "PyJWT alone (floor)": lambda: _cpu_per_call(floor, args.seconds),
    }
    with _jwks_server(json.dumps(jwks).encode()) as url:
        verifier = TokenVerifier(POOL_ID, client_id=CLIENT_ID, jwks_url=url)
        asyncio.run(verifier.load_keys())
        assert verifier.verify_sync(token).client_id == CLIENT_ID
        rows["aiocognito `await verify()`"] = lambda: _async_cpu_per_call(
            verifier, token, args.seconds
        )
        rows["aiocognito `verify_sync()`"] = lambda: _cpu_per_call(
            lambda: verifier.verify_sync(token), args.seconds
        )
        if importlib.util.find_spec("pycognito") is not None:
            os.environ["COGNITO_JWKS"] = json.dumps(jwks)
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
            from pycognito import Cognito

            cognito = Cognito(POOL_ID, CLIENT_ID, user_pool_region=REGION)
            cognito.verify_token(token, "access_token", "access")
            rows["pycognito `verify_token()`"] = lambda: _cpu_per_call(
                lambda: cognito.verify_token(token, "access_token", "access"), args.seconds
            )
        # Rows take turns, run after run, so that a change in the machine's load falls on all.
        runs: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(args.repeats):
            for name, run in rows.items():
                runs[name].append(run())
        results = {name: statistics.median(values) for name, values in runs.items()}

    base = results["PyJWT alone (floor)"]
    print(
        f"Python {sys.version.split()[0]}, PyJWT {jwt.__version__}, {args.repeats} runs of {args.seconds:g} s each, median\n"
    )
    print("| verifier | CPU per call (µs) | x floor | runs (µs) |")
    print("|---|---:|---:|---:|")
    for name, micros in results.items():
        spread = f"{min(runs[name]):.1f}-{max(runs[name]):.1f}"
        print(f"| {name} | {micros:.1f} | {micros / base:.2f} | {spread} |")
    if "pycognito `verify_token()`" not in results:
        print("\npycognito is not installed: its row is missing (pip install pycognito)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
