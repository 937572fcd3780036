"""What a cold start pays for: endpoint rules evaluated once per configuration, and nothing
imported on the default path that the calls do not use.

No server for the endpoint tests (resolution is local); the import test runs a fresh
interpreter against a loopback server, because only a fresh process shows what a call imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from aiocognito._core import endpoints


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The parameters of every rule-set evaluation, with the answer cache emptied first."""
    seen: list[dict[str, Any]] = []
    evaluate = endpoints._evaluate

    def counting(rule_set: Any, partitions: Any, params: Any) -> endpoints.Endpoint:
        seen.append(dict(params))
        return evaluate(rule_set, partitions, params)

    monkeypatch.setattr(endpoints, "_RESOLVED", {})
    monkeypatch.setattr(endpoints, "_evaluate", counting)
    return seen


def test_endpoint_rules_are_evaluated_once_per_configuration(
    no_aws_env: None, evaluations: list[dict[str, Any]]
) -> None:
    configurations: list[dict[str, Any]] = [
        {"region": "eu-west-1"},
        {"region": "eu-west-1", "use_fips": True},
        {"region": "eu-west-1", "use_dualstack": True},
        {"region": "us-east-1"},
        {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:5000"},
    ]
    first = [CognitoIdentityProviderClient(**c).endpoint_url for c in configurations]
    assert len(evaluations) == len(configurations)
    again = [CognitoIdentityProviderClient(**c).endpoint_url for c in configurations]
    assert again == first
    assert len(evaluations) == len(configurations)  # every answer came from the cache
    assert first[:2] == [
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "https://cognito-idp-fips.eu-west-1.amazonaws.com",
    ]
    assert {(e["Region"], e["UseFIPS"], e["UseDualStack"], e["Endpoint"]) for e in evaluations} == {
        ("eu-west-1", False, False, None),
        ("eu-west-1", True, False, None),
        ("eu-west-1", False, True, None),
        ("us-east-1", False, False, None),
        ("eu-west-1", False, False, "http://127.0.0.1:5000"),
    }


def test_rejected_configurations_are_rejected_every_time(
    no_aws_env: None, evaluations: list[dict[str, Any]]
) -> None:
    for _ in range(2):
        with pytest.raises(aiocognito.ConfigurationError, match="custom endpoint"):
            CognitoIdentityProviderClient(
                region="eu-west-1", endpoint_url="http://x", use_fips=True
            )
    assert len(evaluations) == 2


def test_the_cache_is_bounded_and_tied_to_its_rule_set(evaluations: list[dict[str, Any]]) -> None:
    rule_set, partitions = endpoints.load_rule_set("aiocognito")
    for n in range(endpoints._RESOLVED_MAX + 10):
        endpoints.resolve(rule_set, partitions, {"Region": f"r{n}"})
    assert len(endpoints._RESOLVED) <= endpoints._RESOLVED_MAX
    endpoints.resolve(rule_set, partitions, {"Region": "r1"})
    before = len(evaluations)
    endpoints.resolve(rule_set, partitions, {"Region": "r1"})
    assert len(evaluations) == before
    # Another rule set with the same parameters is evaluated, not answered from the cache.
    other = json.loads(json.dumps(rule_set))
    endpoints.resolve(other, partitions, {"Region": "r1"})
    assert len(evaluations) == before + 1


_FRESH_PROCESS = textwrap.dedent(
    """
    import asyncio, json, sys

    async def serve(reader, writer):
        while True:
            try:
                head = await reader.readuntil(b"\\r\\n\\r\\n")
            except asyncio.IncompleteReadError:
                return
            length = int(head.lower().split(b"content-length: ")[1].split(b"\\r")[0])
            await reader.readexactly(length)
            reply = b'{"Username": "u", "UserAttributes": []}'
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(reply))
            writer.write(reply)
            await writer.drain()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        url = "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
        before = set(sys.modules)
        from aiocognito import CognitoIdentityProviderClient

        async with CognitoIdentityProviderClient(endpoint_url=url) as client:
            await client.initiate_auth(auth_flow="USER_PASSWORD_AUTH", client_id="c")
            await client.admin_get_user(user_pool_id="eu-west-1_x", username="u")
        server.close()
        print(json.dumps(sorted(set(sys.modules) - before)))

    asyncio.run(main())
    """
)

NOT_ON_THE_DEFAULT_PATH = {
    "importlib.resources": "two JSON files of our own; it brings tempfile, shutil, zipfile",
    "tempfile": "",
    "shutil": "",
    "zipfile": "",
    "gzip": "only operations that accept a compressed request body use it",
    "botocore": "keys from the environment, signed by our own SigV4",
    "httpx": "our own HTTP/1.1 transport",
    "httpcore": "",
    "anyio": "",
    "email": "botocore's signer built headers on email.message",
}


def test_the_default_path_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Import, construct, an unsigned and a signed call (environment keys), as a Lambda does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "proxy" not in k}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDFROMENV",
        AWS_SECRET_ACCESS_KEY="secret-from-env",
        AWS_REGION="eu-west-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )
    out = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout))
    assert "aiocognito._core.sigv4" in loaded  # the calls did run, the signed one included
    unneeded = {m for m in loaded if m.split(".")[0] in NOT_ON_THE_DEFAULT_PATH}
    unneeded |= {m for m in loaded if m in NOT_ON_THE_DEFAULT_PATH}
    assert not unneeded, sorted(unneeded)
