"""Deterministic sample values for any shape type, to drive every operation through the client."""

from __future__ import annotations

import enum
import types
import typing
from datetime import UTC, datetime
from typing import Any

import attrs


def sample(tp: Any, *, full: bool, depth: int = 0) -> Any:
    """A value of type ``tp``; with ``full``, optional members are filled too (to a depth)."""
    if tp is Any:
        return {"doc": [1, "two", None, True]}
    if tp is str:
        return "value-" + str(depth)
    if tp is bool:
        return True
    if tp is int:
        return 7
    if tp is float:
        return 1.5
    if tp is bytes:
        return b"\x00binary\xff"
    if tp is datetime:
        return datetime(2024, 5, 17, 12, 30, 15, 250000, tzinfo=UTC)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
        if enums:
            return next(iter(enums[0]))
        return sample(args[0], full=full, depth=depth)
    if origin is list:
        return [sample(typing.get_args(tp)[0], full=full, depth=depth + 1)]
    if origin is dict:
        return {"key": sample(typing.get_args(tp)[1], full=full, depth=depth + 1)}
    if isinstance(tp, type) and attrs.has(tp):
        return tp(**params_for(tp, full=full, depth=depth + 1))
    raise TypeError(f"no sample for {tp!r}")


def params_for(cls: type, *, full: bool, depth: int = 0) -> dict[str, Any]:
    attrs.resolve_types(cls)
    out: dict[str, Any] = {}
    for a in attrs.fields(cls):
        required = a.default is attrs.NOTHING
        if required or (full and depth < 4):
            out[a.name] = sample(a.type, full=full, depth=depth)
    return out
