"""Shared constants and helpers of the client's wire-level tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

# The one fake-credentials helper lives in tests/credentials.py; re-exported for older imports.
from tests.credentials import FakeCredentials as FakeCredentials

ROOT = Path(__file__).resolve().parents[2]
MODEL = json.loads(
    (ROOT / "service-model/cognito-idp/2016-04-18/service-2.json").read_text(encoding="utf-8")
)
ENDPOINT = "https://cognito-idp.eu-west-1.amazonaws.com/"

_LOOPBACK = textwrap.dedent(
    """
    import asyncio, json, sys

    SEEN = []
    ANSWER = b'{"Username": "u", "UserAttributes": []}'

    async def serve(reader, writer):
        while True:
            try:
                head = await reader.readuntil(b"\\r\\n\\r\\n")
            except asyncio.IncompleteReadError:
                return
            length = int(head.lower().split(b"content-length: ")[1].split(b"\\r")[0])
            body = await reader.readexactly(length)
            SEEN.append({"head": head.decode(), "body": body.decode()})
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(ANSWER))
            writer.write(ANSWER)
            await writer.drain()

    async def start():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        return server, "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
    """
)


def run_fresh(main: str, tmp_path: Path, **env: str) -> Any:
    """``main`` (an ``async def main()`` and its run) in a new interpreter; its JSON output.

    The code can ``await start()`` a loopback server that answers every request with a small
    AdminGetUser answer and records what it got in ``SEEN``. The process sees no AWS
    configuration or proxy of this one, only ``env`` on top of the rest of the environment.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    clean = {k: v for k, v in clean.items() if "proxy" not in k.lower()}
    clean.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", _LOOPBACK + textwrap.dedent(main)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
