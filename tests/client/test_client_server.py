"""Every operation end to end over real sockets, against a local HTTP server on 127.0.0.1.

The server checks what a Cognito front end would: method, path, content type, target, JSON
body, and for signed operations a SigV4 signature it verifies itself with botocore's signer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aiocognito import CognitoIdentityProviderClient
from codegen.naming import operation_name
from tests.client.samples import example, members_example
from tests.client.support import MODEL
from tests.credentials import FakeCredentials

PREFIX = "AWSCognitoIdentityProviderService."


def _verify_sigv4(method: str, url: str, headers: dict[str, str], body: bytes) -> bool:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = headers["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    stamp = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    kept = {k: v for k, v in headers.items() if k in signed and k not in ("host", "x-amz-date")}
    request = AWSRequest(method=method, url=url, data=body, headers=kept)
    creds = FakeCredentials()
    signer = botocore.auth.SigV4Auth(
        Credentials(creds.access_key, creds.secret_key), "cognito-idp", "eu-west-1"
    )
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: stamp  # type: ignore[assignment]
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original
    return bool(request.headers["Authorization"] == auth)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.replies: dict[str, dict[str, Any]] = {}
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        target = headers.get("x-amz-target", "")
        op = target.removeprefix(PREFIX)
        record: dict[str, Any] = {
            "path": self.path,
            "op": op,
            "content_type": headers.get("content-type"),
            "body": json.loads(body),
            "signed": "authorization" in headers,
        }
        if record["signed"]:
            url = f"http://{headers['host']}{self.path}"
            record["signature_ok"] = _verify_sigv4("POST", url, headers, body)
        with self.server.lock:
            self.server.seen.append(record)
        if op not in self.server.replies:
            out = json.dumps({"__type": "UnknownOperationException", "message": op}).encode()
            status = 400
        else:
            out, status = json.dumps(self.server.replies[op]).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "local-" + op)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


async def test_every_operation_end_to_end(server: Server) -> None:
    unsigned = {
        n
        for n, op in MODEL["operations"].items()
        if op.get("auth") == ["smithy.api#noAuth"] or op.get("authtype") == "none"
    }
    expected: dict[str, Any] = {}
    calls = []
    for name, op in sorted(MODEL["operations"].items()):
        # Expected bodies and results from the model (samples.py), not from the serializer.
        if "output" in op:
            expected[name], server.replies[name] = example(op["output"]["shape"], full=True)
        else:
            expected[name], server.replies[name] = None, {}
        calls.append((name, *members_example(op["input"]["shape"], full=True)))

    url = f"http://127.0.0.1:{server.server_port}"
    async with CognitoIdentityProviderClient(
        region="eu-west-1", endpoint_url=url, credentials=FakeCredentials()
    ) as client:
        for name, params, wire in calls:
            result = await getattr(client, operation_name(name))(**params)
            assert result == expected[name], name
            record = server.seen[-1]
            assert record["op"] == name
            assert record["path"] == "/"
            assert record["content_type"] == "application/x-amz-json-1.1"
            assert record["body"] == wire, name
            assert record["signed"] == (name not in unsigned), name
            if record["signed"]:
                assert record["signature_ok"], name
    assert len(server.seen) >= len(MODEL["operations"])
