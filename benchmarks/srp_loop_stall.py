"""How long SRP's big-number work stalls an event loop: on the loop against a worker thread.

    python benchmarks/srp_loop_stall.py                # 10 sign-ins per row, a markdown table
    python benchmarks/srp_loop_stall.py --sign-ins 20

``UserPoolAuth`` runs the SRP math of a sign-in in a worker thread (``asyncio.to_thread``).
This script shows why: while the client's side of a sign-in is computed (``A = g^a``, then the
PASSWORD_VERIFIER answer), a ticker task on the same loop wakes every millisecond and records
how late it woke. The worst lateness is how long the loop could not serve anything else.

Rows: each big-number backend (pure Python, gmpy2 when installed), the math run on the loop
itself and in a worker thread, and, for pure Python, one ``pow()`` call in the thread (which
holds the GIL for the whole exponentiation) against aiocognito's windowed loop (which lets the
interpreter switch threads between multiplications). Figures depend on the machine; the
interpreter's switch interval (5 ms by default) bounds what a thread can achieve.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import secrets
import statistics
import sys
import time
from collections.abc import Callable

from aiocognito.auth import UserSRP, srp

POOL_ID = "eu-west-1_Bench0Pool"
USER_ID = "5f0c9a2e-6d1b-4c3a-8e7f-0a1b2c3d4e5f"
PASSWORD = "Bench-Pass-1"
TICK = 0.001


def _challenge() -> dict[str, str]:
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    v = pow(srp.G, srp._x(salt, "Bench0Pool", USER_ID, PASSWORD), srp.N)
    big_b = (srp.K * v + pow(srp.G, secrets.randbits(256), srp.N)) % srp.N
    return {
        "SALT": format(salt, "x"),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": base64.b64encode(secrets.token_bytes(1024)).decode(),
        "USERNAME": USER_ID,
        "USER_ID_FOR_SRP": USER_ID,
    }


CHALLENGE = _challenge()


def one_sign_in() -> None:
    """The client's SRP work for one sign-in, as UserPoolAuth does it."""
    client = UserSRP(POOL_ID, USER_ID, PASSWORD)
    client.auth_parameters()
    client.password_verifier_response(CHALLENGE)


async def _ticker(stop: asyncio.Event, lateness: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        planned = loop.time() + TICK
        await asyncio.sleep(TICK)
        lateness.append(max(0.0, loop.time() - planned))


async def _measure(sign_ins: int, in_thread: bool) -> tuple[float, float]:
    """(worst stall ms, median stall ms) of the ticker while ``sign_ins`` run one by one."""
    stop = asyncio.Event()
    lateness: list[float] = []
    ticker = asyncio.create_task(_ticker(stop, lateness))
    await asyncio.sleep(0.05)  # let the ticker settle
    lateness.clear()
    for _ in range(sign_ins):
        if in_thread:
            await asyncio.to_thread(one_sign_in)
        else:
            one_sign_in()
        # A pause between sign-ins: each stall is one sign-in's, not several in a row.
        await asyncio.sleep(5 * TICK)
    stop.set()
    await ticker
    return max(lateness) * 1000, statistics.median(lateness) * 1000


def _with_powmod(powmod: Callable[[int, int, int], int]) -> Callable[[], None]:
    math = srp._current()
    before = math.powmod

    def restore() -> None:
        math.powmod = before

    math.powmod = powmod
    return restore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sign-ins", type=int, default=10, help="sign-ins per row")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, float, float]] = []
    backends = ["python"] + (["gmpy2"] if importlib.util.find_spec("gmpy2") else [])
    for backend in backends:
        srp._use_backend(backend)
        one_sign_in()  # warm-up
        for where, in_thread in (("on the event loop", False), ("worker thread", True)):
            worst, median = asyncio.run(_measure(args.sign_ins, in_thread))
            rows.append((backend, where, worst, median))
        if backend == "python":
            restore = _with_powmod(pow)
            try:
                worst, median = asyncio.run(_measure(args.sign_ins, True))
            finally:
                restore()
            rows.append((backend, "worker thread, one pow() call", worst, median))

    started = time.strftime("%Y-%m-%d")
    print(f"Event-loop stall during {args.sign_ins} SRP sign-ins, {started}")
    print(f"(Python {sys.version.split()[0]}, {sys.platform}, 1 ms ticker)\n")
    print("| backend | where the math runs | worst stall ms | median stall ms |")
    print("| --- | --- | ---: | ---: |")
    for backend, where, worst, median in rows:
        print(f"| {backend} | {where} | {worst:.1f} | {median:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
