"""Client-side validation of inputs: required members and types, before anything is sent.

Messages name the parameter path and the expected type, never the value (it may be secret).
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

import attrs

from .errors import ParamValidationError

Check = Callable[[Any, str], None]


def _fail(path: str, expected: str, value: Any) -> typing.NoReturn:
    raise ParamValidationError(
        f"invalid parameter {path}: expected {expected}, got {type(value).__name__}", path=path
    )


def utf8(value: str, path: str) -> bytes:
    """``value`` as UTF-8, or ``ParamValidationError`` naming ``path`` and nothing else.

    A lone surrogate (half of an emoji, as a web form can pass it on) has no UTF-8 form, and
    the ``UnicodeEncodeError`` would hold the whole text in its ``repr``: with a password in it.
    """
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        pass  # raised outside the handler: the encoder's error must not be this one's context
    raise ParamValidationError(
        f"invalid parameter {path}: a lone surrogate is not valid Unicode text", path=path
    )


def _scalar(kind: type, label: str) -> Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            _fail(path, label, value)

    return check


def _float(value: Any, path: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        _fail(path, "float", value)


def _any(value: Any, path: str) -> None:
    return None


@cache
def checker(tp: Any) -> Check:
    """A function validating values of type ``tp`` (as resolved from a shape annotation)."""
    if tp is Any:
        return _any
    if tp is str:
        return _scalar(str, "str")
    if tp is bool:
        return _scalar(bool, "bool")
    if tp is int:
        return _scalar(int, "int")
    if tp is float:
        return _float
    if tp is bytes:
        return _scalar(bytes, "bytes")
    if tp is datetime:
        return _scalar(datetime, "datetime")
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if any(isinstance(a, type) and issubclass(a, enum.Enum) for a in args) and str in args:
            return _scalar(str, "str")
        if len(args) == 1:
            inner = checker(args[0])
            return lambda v, p: None if v is None else inner(v, p)
        raise TypeError(f"unsupported union {tp!r}")
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        item = checker(item_tp)

        def check_list(value: Any, path: str) -> None:
            if not isinstance(value, Sequence) or isinstance(value, str | bytes):
                _fail(path, "list", value)
            for i, v in enumerate(cast("Sequence[object]", value)):
                item(v, f"{path}[{i}]")

        return check_list
    if origin is dict:
        key_tp, value_tp = typing.get_args(tp)
        check_key, check_value = checker(key_tp), checker(value_tp)

        def check_dict(value: Any, path: str) -> None:
            if not isinstance(value, Mapping):
                _fail(path, "dict", value)
            for k, v in cast("Mapping[object, object]", value).items():
                check_key(k, f"{path} key")
                check_value(v, f"{path}[{k!r}]")

        return check_dict
    if isinstance(tp, type) and attrs.has(tp):
        return _structure_checker(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _scalar(str, "str")
    return _any


def _structure_checker(cls: type) -> Check:
    plan: list[tuple[str, bool, Check]] | None = None

    def check(value: Any, path: str) -> None:
        nonlocal plan
        if not isinstance(value, cls):
            _fail(path, cls.__name__, value)
        if plan is None:
            attrs.resolve_types(cls)
            plan = [
                (a.name, a.default is attrs.NOTHING, checker(a.type)) for a in attrs.fields(cls)
            ]
        for name, required, check_field in plan:
            field_value = getattr(value, name)
            sub = f"{path}.{name}" if path else name
            if field_value is None:
                if required:
                    raise ParamValidationError(f"missing required parameter {sub}", path=sub)
                continue
            check_field(field_value, sub)

    return check


def validate(shape: Any) -> None:
    """Check an input shape; raise ``ParamValidationError`` naming the first bad path.

    Paths use the Python names users pass: ``user_attributes[0].value``.
    """
    checker(cast(Any, type(shape)))(shape, "")
