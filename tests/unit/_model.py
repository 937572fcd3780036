"""The pinned service model, read straight from JSON, as the tests' source of truth."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODEL_PATH = ROOT / "service-model" / "cognito-idp" / "2016-04-18" / "service-2.json"

MODEL: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
SHAPES: dict[str, dict[str, Any]] = MODEL["shapes"]


def is_error(shape: dict[str, Any]) -> bool:
    return bool(shape.get("exception"))


def is_document(shape: dict[str, Any]) -> bool:
    return bool(shape.get("document")) or shape["type"] == "document"


def is_class(shape: dict[str, Any]) -> bool:
    """A shape that becomes an attrs class."""
    return (
        shape["type"] in ("structure", "union") and not is_error(shape) and not is_document(shape)
    )


def is_enum(shape: dict[str, Any]) -> bool:
    return shape["type"] == "string" and "enum" in shape


CLASS_SHAPES = sorted(n for n, s in SHAPES.items() if is_class(s))
ENUM_SHAPES = sorted(n for n, s in SHAPES.items() if is_enum(s))
ERROR_SHAPES = sorted(n for n, s in SHAPES.items() if is_error(s))
ALIAS_SHAPES = sorted(
    n
    for n, s in SHAPES.items()
    if s["type"] in ("list", "map") or (is_document(s) and not is_error(s))
)


@cache
def carries_sensitive(shape_name: str) -> bool:
    """Whether a value of this shape is, or directly holds, sensitive values.

    A ``sensitive`` shape, or a list/map whose members/values are (recursively) such shapes.
    Structures are not looked into: their own fields redact themselves.
    """
    shape = SHAPES[shape_name]
    if shape.get("sensitive"):
        return True
    if shape["type"] == "list":
        return carries_sensitive(shape["member"]["shape"])
    if shape["type"] == "map":
        return carries_sensitive(shape["key"]["shape"]) or carries_sensitive(
            shape["value"]["shape"]
        )
    return False


def sensitive_members(structure: str) -> set[str]:
    """Wire names of the members of ``structure`` that must be redacted in ``repr``."""
    shape = SHAPES[structure]
    return {
        wire
        for wire, member in shape.get("members", {}).items()
        if shape.get("sensitive") or member.get("sensitive") or carries_sensitive(member["shape"])
    }
