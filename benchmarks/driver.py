"""Measure one client in this (fresh) process against a running ``server.py``.

    python benchmarks/driver.py cold NAME --endpoint http://127.0.0.1:PORT
    python benchmarks/driver.py cold-signed NAME --endpoint http://127.0.0.1:PORT
    python benchmarks/driver.py warm NAME --endpoint http://127.0.0.1:PORT [--seq-calls 2000 ...]

``cold``: the first thing the process does is the client's import (``sdk_imports.IMPORTS``),
timed; then the client is built (timed: construction), one InitiateAuth is sent (timed: first
call), 999 more calls follow (the three operations in turn) and the peak RSS is read.

``cold-signed``: the same import, then the client is built with no keys given (they are in
the process's environment, as in an AWS Lambda function) and one AdminGetUser is sent (timed:
first call, signing and whatever the credential lookup imports included).

``warm``: build a client, warm up every operation, check what each answer parsed to, then per
operation ``--seq-calls`` sequential calls (wall time of each call; the process's CPU time per
block of calls), then calls at ``--concurrency`` until ``--conc-calls`` are done or
``--conc-seconds`` have passed, then the time to build and close another client.

Prints one line ``RESULT <json>`` on stdout; any failed call fails the process with its
traceback on stderr.
"""

from __future__ import annotations

import sys
import time

# Nothing else is imported before the client's import is timed.
from sdk_imports import IMPORTS

MODES = ("cold", "cold-signed", "warm")


def _args(argv: list[str]) -> dict[str, str]:
    """``MODE NAME --key value ...`` without importing argparse before the timed import."""
    if len(argv) < 2 or argv[0] not in MODES or argv[1] not in IMPORTS:
        sys.exit(
            f"usage: driver.py {'|'.join(MODES)} {'|'.join(IMPORTS)} --endpoint URL [--key value]"
        )
    out = {"mode": argv[0], "name": argv[1]}
    rest = argv[2:]
    for key, value in zip(rest[::2], rest[1::2], strict=True):
        out[key.removeprefix("--").replace("-", "_")] = value
    return out


def main() -> None:
    args = _args(sys.argv[1:])
    t0 = time.perf_counter()
    exec(IMPORTS[args["name"]], {})
    import_s = time.perf_counter() - t0

    import asyncio
    import json

    import workload

    if args["mode"] == "cold":
        result = asyncio.run(workload.cold(args["name"], args["endpoint"]))
    elif args["mode"] == "cold-signed":
        result = asyncio.run(workload.cold_signed(args["name"], args["endpoint"]))
    else:
        result = asyncio.run(
            workload.warm(
                args["name"],
                args["endpoint"],
                seq_calls=int(args.get("seq_calls", 2000)),
                blocks=int(args.get("blocks", 5)),
                warmup=int(args.get("warmup", 200)),
                concurrency=int(args.get("concurrency", 64)),
                conc_calls=int(args.get("conc_calls", 5000)),
                conc_seconds=float(args.get("conc_seconds", 8.0)),
                ops=args.get("ops", "InitiateAuth,AdminGetUser,ListUsers").split(","),
            )
        )
    result["import_s"] = import_s
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
