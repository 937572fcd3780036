"""What a cold start pays for: endpoint rules evaluated once per configuration, and nothing
imported on the default path that the calls do not use.

No server for the endpoint tests (resolution is local); the import test runs a fresh
interpreter against a loopback server, because only a fresh process shows what a call imports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from aiocognito._core import endpoints
from tests.client.support import run_fresh


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


_IMPORT_AND_CALL = """
async def main():
    server, url = await start()
    before = set(sys.modules)
    from aiocognito import CognitoIdentityProviderClient

    async with CognitoIdentityProviderClient(endpoint_url=url) as client:
        await client.initiate_auth(auth_flow="USER_PASSWORD_AUTH", client_id="c")
        await client.admin_get_user(user_pool_id="eu-west-1_x", username="u")
    server.close()
    print(json.dumps(sorted(set(sys.modules) - before)))

asyncio.run(main())
"""

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
    loaded = set(
        run_fresh(
            _IMPORT_AND_CALL,
            tmp_path,
            AWS_ACCESS_KEY_ID="AKIDFROMENV",
            AWS_SECRET_ACCESS_KEY="secret-from-env",
            AWS_REGION="eu-west-1",
        )
    )
    assert "aiocognito._core.sigv4" in loaded  # the calls did run, the signed one included
    unneeded = {m for m in loaded if m.split(".")[0] in NOT_ON_THE_DEFAULT_PATH}
    unneeded |= {m for m in loaded if m in NOT_ON_THE_DEFAULT_PATH}
    assert not unneeded, sorted(unneeded)
