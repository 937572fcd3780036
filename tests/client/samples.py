"""Sample values for every shape of the pinned model, as Python objects and as wire JSON.

Both are built side by side from the model's shape types, following the awsJson rules written
out here (member names as in the model, timestamps as epoch seconds, blobs as base64, ``None``
members left out), never through ``aiocognito._core.serde``: a test calls the client with the
Python value and expects the wire value on the wire, or answers with the wire value and
expects the Python value back. A serializer that drifts from the protocol fails them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from codegen import naming
from tests.client.support import MODEL

SHAPES: dict[str, dict[str, Any]] = MODEL["shapes"]
DEPTH = 4  # optional members are filled this deep; required ones always (no model cycles)

# One value per scalar type: (Python value, its awsJson form).
MOMENT = datetime(2024, 5, 17, 12, 30, 15, 250000, tzinfo=UTC)
SCALARS: dict[str, tuple[Any, Any]] = {
    "boolean": (True, True),
    "integer": (7, 7),
    "long": (2**40, 2**40),
    "float": (1.5, 1.5),
    "double": (1.5, 1.5),
    "blob": (b"\x00binary\xff", "AGJpbmFyef8="),  # base64 of the bytes
    "timestamp": (MOMENT, 1715949015.25),  # epoch seconds, the protocol's default
}
DOCUMENT = {"doc": [1, "two", None, True]}


def _class(shape_name: str) -> Any:
    from aiocognito import shapes

    return getattr(shapes, naming.class_name(shape_name))


def example(shape_name: str, *, full: bool, depth: int = 0) -> tuple[Any, Any]:
    """(Python value, wire value) of a shape; ``full`` fills optional members too."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if shape.get("document") or kind == "document":
        return DOCUMENT, DOCUMENT
    if "enum" in shape:
        value = shape["enum"][0]
        return _class(shape_name)(value), value
    if kind == "string":  # as long as the model's minimum, which the client checks
        text = f"value-{depth}".ljust(shape.get("min", 0), "x")
        return text, text
    if kind == "timestamp" and shape.get("timestampFormat", "unixTimestamp") != "unixTimestamp":
        raise NotImplementedError(f"{shape_name}: timestamp format {shape['timestampFormat']}")
    if kind in ("integer", "long") and shape.get("min", 0) > SCALARS[kind][0]:
        return shape["min"], shape["min"]  # the model's minimum, which the client checks
    if kind in SCALARS:
        return SCALARS[kind]
    if kind == "list":
        py, wire = example(shape["member"]["shape"], full=full, depth=depth + 1)
        return [py], [wire]
    if kind == "map":
        py, wire = example(shape["value"]["shape"], full=full, depth=depth + 1)
        return {"key": py}, {"key": wire}
    if kind in ("structure", "union"):
        kwargs, wire = members_example(shape_name, full=full, depth=depth + 1)
        return _class(shape_name)(**kwargs), wire
    raise TypeError(f"no example for {shape_name} ({kind})")


def members_example(
    shape_name: str, *, full: bool, depth: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(keyword arguments by Python name, wire object by member name) of a structure."""
    shape = SHAPES[shape_name]
    members = shape.get("members", {})
    names = naming.unique([naming.member_name(wire) for wire in members])
    required = set(shape.get("required", []))
    kwargs: dict[str, Any] = {}
    wire_object: dict[str, Any] = {}
    for py_name, (wire_name, member) in zip(names, members.items(), strict=True):
        if wire_name in required or (full and depth < DEPTH):
            py, wire = example(member["shape"], full=full, depth=depth)
            kwargs[py_name] = py
            wire_object[wire_name] = wire
    return kwargs, wire_object
