"""How long a call that keeps failing takes, backoff included: aiocognito beside boto3.

    python benchmarks/retry_delays.py                 # 40 calls per row, a markdown table
    python benchmarks/retry_delays.py --calls 100

A local server (127.0.0.1, a thread) answers every request with the same error; each SDK
makes ``--calls`` calls with its default 3 attempts and real sleeps, one at a time, each with a
fresh client (so that no call finds the retry quota spent by the ones before), and the table
gives the wall time per failing call, client creation excluded: two backoff sleeps plus three
round trips of a millisecond or so. Rows: a plain 500 (``InternalErrorException``), a throttling error
(``TooManyRequestsException``, 400), and a 500 asking ``x-amz-retry-after: 300`` (ms).

botocore 1.44's backoff is ``random() * min(base * 2 ** (attempt - 1), 20)`` with a base of
0.05 s (1 s after a throttling error): two retries of a 500 wait 0.075 s on average, of a
throttling error 1.5 s. Run it against an older aiocognito (``PYTHONPATH=old/src``) to compare:
its base was 1 s for every error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROWS: dict[str, tuple[int, str, dict[str, str]]] = {
    "500 InternalErrorException": (500, "InternalErrorException", {}),
    "400 TooManyRequestsException": (400, "TooManyRequestsException", {}),
    "500 with x-amz-retry-after: 300": (
        500,
        "InternalErrorException",
        {"x-amz-retry-after": "300"},
    ),
}


def _server(status: int, code: str, headers: dict[str, str]) -> ThreadingHTTPServer:
    body = json.dumps({"__type": code, "message": "failing on purpose"}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", "bench")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _aiocognito(url: str, calls: int) -> list[float]:
    from aiocognito import CognitoError, CognitoIdentityProviderClient

    async def run() -> list[float]:
        times = []
        for _ in range(calls):
            async with CognitoIdentityProviderClient("eu-west-1", endpoint_url=url) as client:
                started = time.perf_counter()
                with contextlib.suppress(CognitoError):
                    await client.initiate_auth(
                        auth_flow="USER_PASSWORD_AUTH",
                        client_id="bench",
                        auth_parameters={"USERNAME": "u", "PASSWORD": "p"},
                    )
                times.append(time.perf_counter() - started)
        return times

    return asyncio.run(run())


def _boto3(url: str, calls: int) -> list[float]:
    import boto3
    from botocore.exceptions import ClientError

    session = boto3.session.Session()
    times = []
    for _ in range(calls):
        client = session.client(
            "cognito-idp",
            region_name="eu-west-1",
            endpoint_url=url,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        started = time.perf_counter()
        with contextlib.suppress(ClientError):
            client.initiate_auth(
                AuthFlow="USER_PASSWORD_AUTH",
                ClientId="bench",
                AuthParameters={"USERNAME": "u", "PASSWORD": "p"},
            )
        times.append(time.perf_counter() - started)
        client.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--sdks", default="aiocognito,boto3")
    args = parser.parse_args()
    sdks: dict[str, Callable[[str, int], list[float]]] = {
        "aiocognito": _aiocognito,
        "boto3": _boto3,
    }
    import botocore

    import aiocognito

    print(
        f"aiocognito {aiocognito.__version__} ({aiocognito.__file__}), botocore {botocore.__version__}"
    )
    print(f"{args.calls} failing calls per row, 3 attempts each, one call at a time\n")
    print("| answer | SDK | mean s/call | median | p90 | max |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, (status, code, headers) in ROWS.items():
        for name in args.sdks.split(","):
            server = _server(status, code, headers)
            try:
                times = sdks[name](f"http://127.0.0.1:{server.server_port}", args.calls)
            finally:
                server.shutdown()
            p90 = statistics.quantiles(times, n=10)[-1]
            print(
                f"| {label} | {name} | {statistics.mean(times):.3f} "
                f"| {statistics.median(times):.3f} | {p90:.3f} | {max(times):.3f} |"
            )


if __name__ == "__main__":
    main()
