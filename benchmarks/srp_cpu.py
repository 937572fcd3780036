"""Client CPU of one SRP sign-in: aiocognito (gmpy2 and pure Python) against pycognito.

    python benchmarks/srp_cpu.py                 # 20 rounds each, a markdown table
    python benchmarks/srp_cpu.py --rounds 50

What is timed is the client's whole computation for a sign-in, no network: the InitiateAuth
parameters (``A = g^a``) and the PASSWORD_VERIFIER answer (``g^x``, ``S``, key, signature),
and for "+ device" also the DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answers. The
server's values come from a real verifier. CPU time is ``time.process_time`` (this process,
all threads); the table shows the median round and each row's cost relative to pycognito.
pycognito (and gmpy2) are optional: rows whose library is missing are reported as such.
"""

from __future__ import annotations

import argparse
import base64
import functools
import importlib.util
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from aiocognito.auth import DeviceSRP, UserSRP, srp

POOL_ID = "eu-west-1_Bench0Pool"
USER_ID = "5f0c9a2e-6d1b-4c3a-8e7f-0a1b2c3d4e5f"
PASSWORD = "Bench-Pass-1"
DEVICE_KEY = "eu-west-1_0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
GROUP_KEY = "-BenchGrp1"
DEVICE_PASSWORD = base64.b64encode(b"\x07" * 40).decode()


def _server_challenge(realm: str, user: str, password: str) -> dict[str, str]:
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    v = pow(srp.G, srp._x(salt, realm, user, password), srp.N)
    big_b = (srp.K * v + pow(srp.G, secrets.randbits(256), srp.N)) % srp.N
    return {
        "SALT": format(salt, "x"),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": base64.b64encode(secrets.token_bytes(1024)).decode(),
        "USERNAME": user,
        "USER_ID_FOR_SRP": user,
    }


USER_CHALLENGE = _server_challenge("Bench0Pool", USER_ID, PASSWORD)
DEVICE_CHALLENGE = _server_challenge(GROUP_KEY, DEVICE_KEY, DEVICE_PASSWORD)


def ours(with_device: bool) -> None:
    user = UserSRP(POOL_ID, USER_ID, PASSWORD, client_id="bench", client_secret="s")
    user.auth_parameters()
    user.password_verifier_response(USER_CHALLENGE)
    if with_device:
        device = DeviceSRP(
            POOL_ID,
            USER_ID,
            DEVICE_KEY,
            GROUP_KEY,
            DEVICE_PASSWORD,
            client_id="b",
            client_secret="s",
        )
        device.device_srp_auth_response()
        device.device_password_verifier_response(DEVICE_CHALLENGE)


def pycognito(with_device: bool) -> None:
    from pycognito.aws_srp import AWSSRP

    kwargs: dict[str, Any] = {}
    if with_device:
        kwargs = {
            "device_key": DEVICE_KEY,
            "device_group_key": GROUP_KEY,
            "device_password": DEVICE_PASSWORD,
        }
    client = AWSSRP(
        username=USER_ID,
        password=PASSWORD,
        pool_id=POOL_ID,
        client_id="bench",
        client=object(),
        client_secret="s",
        **kwargs,
    )  # computes A
    client.process_challenge(dict(USER_CHALLENGE), client.get_auth_params())
    if with_device:
        # pycognito reuses the user's a for the device: no second g^a (which the spec avoids).
        client.process_device_challenge(dict(DEVICE_CHALLENGE))


def measure(run: Callable[[], None], rounds: int) -> float:
    """Median CPU milliseconds of one round, after a warm-up round."""
    run()
    costs = []
    for _ in range(rounds):
        started = time.process_time()
        run()
        costs.append((time.process_time() - started) * 1000)
    return statistics.median(costs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds per row")
    args = parser.parse_args(argv)

    has_gmpy2 = importlib.util.find_spec("gmpy2") is not None
    has_pycognito = importlib.util.find_spec("pycognito") is not None
    rows: list[tuple[str, str, float | None, float | None]] = []
    for label, with_device in (("sign-in", False), ("sign-in + device", True)):
        results: dict[str, float | None] = {}
        if has_pycognito:
            results["pycognito (Python ints)"] = measure(
                functools.partial(pycognito, with_device), args.rounds
            )
        else:
            results["pycognito (Python ints)"] = None
        for backend in ("python", "gmpy2"):
            if backend == "gmpy2" and not has_gmpy2:
                results["aiocognito + gmpy2"] = None
                continue
            srp._use_backend(backend)
            name = "aiocognito + gmpy2" if backend == "gmpy2" else "aiocognito (Python ints)"
            results[name] = measure(functools.partial(ours, with_device), args.rounds)
        base = results["pycognito (Python ints)"]
        for name, ms in results.items():
            rows.append((label, name, ms, (ms / base) if ms is not None and base else None))

    print(f"SRP client CPU per sign-in, median of {args.rounds} rounds")
    print(f"(Python {sys.version.split()[0]}, {sys.platform})\n")
    print("| flow | implementation | CPU ms | vs pycognito |")
    print("| --- | --- | ---: | ---: |")
    for label, name, ms, ratio in rows:
        cost = f"{ms:.1f}" if ms is not None else "not installed"
        relative = f"{ratio:.2f}x" if ratio is not None else "-"
        print(f"| {label} | {name} | {cost} | {relative} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
