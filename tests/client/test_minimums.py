"""Client-side validation of the model's minimums, beside botocore's validator (issue 13.3).

For every top-level input member the model gives a checked ``min`` (a string's or a list's
length, a number's value), the client is called with a value just below it and must raise
``ParamValidationError`` naming the parameter, before anything is sent (respx fails the test
on any request); botocore's own validator must refuse the same input, and both must accept
the value at the minimum (which the client then sends). Members, operations and minimums
come from the pinned model.
"""

from __future__ import annotations

from typing import Any

import pytest
import respx

import aiocognito
from codegen import naming
from tests.client.samples import SHAPES, example, members_example
from tests.client.support import MODEL

CHECKED = {"string", "list", "integer", "long"}


def _below(shape: dict[str, Any], minimum: int) -> tuple[Any, Any, Any]:
    """(value below the minimum, value at it, its wire form): for strings, lists, numbers."""
    kind = shape["type"]
    if kind == "string":
        return "x" * (minimum - 1), "x" * minimum, "x" * minimum
    if kind == "list":
        py, wire = example(shape["member"]["shape"], full=False)
        return [py] * (minimum - 1), [py] * minimum, [wire] * minimum
    return minimum - 1, minimum, minimum


def _cases() -> list[tuple[str, str, str, int]]:
    """(operation, member's wire name, its Python name, minimum) for each checked member."""
    out = []
    for op_name, op in sorted(MODEL["operations"].items()):
        shape = SHAPES[op["input"]["shape"]]
        for wire, member in shape.get("members", {}).items():
            target = SHAPES[member["shape"]]
            minimum = target.get("min")
            if target["type"] not in CHECKED or minimum is None or "enum" in target:
                continue
            if target["type"] in ("string", "list") and minimum <= 0:
                continue  # a length of at least 0 checks nothing
            out.append((op_name, wire, naming.member_name(wire), int(minimum)))
    return out


CASES = _cases()


def _botocore_refuses(op_name: str, params: dict[str, Any]) -> bool:
    from botocore.exceptions import ParamValidationError
    from botocore.model import ServiceModel
    from botocore.validate import validate_parameters

    shape = ServiceModel(MODEL).operation_model(op_name).input_shape
    try:
        validate_parameters(params, shape)
    except ParamValidationError:
        return True
    return False


def test_the_model_has_members_to_check() -> None:
    assert len(CASES) > 20
    assert ("InitiateAuth", "ClientId", "client_id", 1) in CASES


@pytest.mark.parametrize(("op_name", "wire", "name", "minimum"), CASES, ids=str)
async def test_a_value_below_the_models_minimum_is_refused_as_botocore_does(
    client: Any, op_name: str, wire: str, name: str, minimum: int
) -> None:
    op = MODEL["operations"][op_name]
    kwargs, wire_params = members_example(op["input"]["shape"], full=False)
    target = SHAPES[op["input"]["shape"]]["members"][wire]
    below, at, at_wire = _below(SHAPES[target["shape"]], minimum)
    method = getattr(client, naming.operation_name(op_name))

    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(aiocognito.ParamValidationError) as info:
            await method(**{**kwargs, name: below})
        assert not route.called
    assert info.value.path == name
    assert "minimum" in str(info.value)
    assert _botocore_refuses(op_name, {**wire_params, wire: below})

    assert not _botocore_refuses(op_name, {**wire_params, wire: at_wire})
    with respx.mock() as mock:  # at the minimum, the call goes out
        route = mock.route().respond(200, json={})
        await method(**{**kwargs, name: at})
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("method", "kwargs", "path"),
    [
        # A list item's minimum: AttributeNameType is at least 1 long.
        (
            "admin_delete_user_attributes",
            {"user_pool_id": "eu-west-1_a", "username": "u", "user_attribute_names": [""]},
            "user_attribute_names[0]",
        ),
        # A map key's minimum: TagKeysType is at least 1 long.
        (
            "tag_resource",
            {"resource_arn": "arn:aws:cognito-idp:eu-west-1:1:userpool/x", "tags": {"": "v"}},
            "tags key",
        ),
    ],
)
async def test_minimums_inside_lists_and_maps_are_checked_too(
    client: Any, method: str, kwargs: dict[str, Any], path: str
) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(aiocognito.ParamValidationError) as info:
            await getattr(client, method)(**kwargs)
        assert not route.called
    assert info.value.path == path
