"""Every operation of the model goes through the client: target, body, signing, parsing.

The expected request bodies and parsed results come from the model (``samples.py`` builds each
value in Python and in its awsJson form side by side), not from the serializer under test.
respx answers at httpx's transport: the client sends through httpx when respx is active.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

import aiocognito.client as generated
from codegen.naming import operation_name
from tests.client.samples import example, members_example
from tests.client.support import ENDPOINT, MODEL

OPERATIONS = sorted(MODEL["operations"])
UNSIGNED = sorted(
    name
    for name, op in MODEL["operations"].items()
    if op.get("auth") == ["smithy.api#noAuth"] or op.get("authtype") == "none"
)


def _spec(op_name: str) -> Any:
    return getattr(generated, "_" + operation_name(op_name).upper())


def test_every_operation_has_a_method() -> None:
    from aiocognito import CognitoIdentityProviderClient

    for name in OPERATIONS:
        method = getattr(CognitoIdentityProviderClient, operation_name(name))
        assert method.__doc__, name
        assert _spec(name).target == f"AWSCognitoIdentityProviderService.{name}"
        assert _spec(name).signed == (name not in UNSIGNED)


@pytest.mark.parametrize("op_name", OPERATIONS)
@pytest.mark.parametrize("full", [False, True], ids=["required", "all-members"])
async def test_operation_wire(client: Any, op_name: str, full: bool) -> None:
    op = MODEL["operations"][op_name]
    params, expected_body = members_example(op["input"]["shape"], full=full)
    expected, reply = example(op["output"]["shape"], full=True) if "output" in op else (None, {})
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(ENDPOINT).mock(
            return_value=httpx.Response(200, json=reply, headers={"x-amzn-RequestId": "req-1"})
        )
        result = await getattr(client, operation_name(op_name))(**params)
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/"
    assert request.headers["x-amz-target"] == f"AWSCognitoIdentityProviderService.{op_name}"
    assert request.headers["content-type"] == "application/x-amz-json-1.1"
    assert request.headers["user-agent"].startswith("aiocognito/")
    body = json.loads(request.content)
    assert body == expected_body
    assert None not in body.values()
    model_members = set(MODEL["shapes"][MODEL["operations"][op_name]["input"]["shape"]]["members"])
    assert set(body) <= model_members
    assert ("authorization" in request.headers) == (op_name not in UNSIGNED)
    assert result == expected
