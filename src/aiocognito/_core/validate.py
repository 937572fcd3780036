"""Client-side validation of inputs, before anything is sent: required members, types, and the
model's minimums (a string's or a list's length, a number's value), as botocore checks them.

The minimums come from each attrs field's metadata, written by the code generator: ``min``
for the value itself, ``item_min`` for each list item or map value, ``key_min`` for each map
key. Maximums and patterns are the service's to check, as with botocore.

Messages name the parameter path and what was expected, never the value (it may be secret).
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


def _non_optional(tp: Any) -> Any:
    """``X`` of ``X | None``; any other type as it is."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _minimum_check(tp: Any, minimum: float) -> Check | None:
    """A check of ``minimum`` on values of ``tp`` (already type-checked), or None if it has none:
    strings and lists by length, numbers by value, as botocore."""
    tp = _non_optional(tp)
    origin = typing.get_origin(tp)
    # An open enum (``SomeEnum | str``) is a string too.
    by_length = tp is str or origin is list or str in typing.get_args(tp)

    def check_length(value: Any, path: str) -> None:
        if len(value) < minimum:
            kind = "list" if origin is list else "string"
            raise ParamValidationError(
                f"invalid parameter {path}: a {kind} of length {len(value)}, shorter than the "
                f"model's minimum length of {minimum:g}",
                path=path,
            )

    def check_value(value: Any, path: str) -> None:
        if value < minimum:
            raise ParamValidationError(
                f"invalid parameter {path}: below the model's minimum of {minimum:g}", path=path
            )

    if by_length:
        return check_length
    if tp in (int, float):
        return check_value
    return None


def _minimum_checks(field: attrs.Attribute[Any]) -> list[Check]:
    """The checks of a field's ``min``, ``item_min`` and ``key_min`` metadata."""
    out: list[Check] = []
    meta, tp = field.metadata, _non_optional(field.type)
    own = meta.get("min")
    if own is not None and (check := _minimum_check(tp, own)) is not None:
        out.append(check)
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    item_min, key_min = meta.get("item_min"), meta.get("key_min")
    if item_min is not None and origin in (list, dict):
        item = _minimum_check(args[-1], item_min)
        if item is not None:
            out.append(_each(item, keys=False))
    if key_min is not None and origin is dict:
        key = _minimum_check(args[0], key_min)
        if key is not None:
            out.append(_each(key, keys=True))
    return out


def _each(check: Check, *, keys: bool) -> Check:
    """``check`` on each item of a list, each value of a map or (``keys``) each key."""

    def check_each(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in cast("Mapping[object, object]", value).items():
                if keys:
                    check(k, f"{path} key")
                elif v is not None:
                    check(v, f"{path}[{k!r}]")
        else:
            for i, v in enumerate(cast("Sequence[object]", value)):
                if v is not None:
                    check(v, f"{path}[{i}]")

    return check_each


def _structure_checker(cls: type) -> Check:
    plan: list[tuple[str, bool, Check, list[Check]]] | None = None

    def check(value: Any, path: str) -> None:
        nonlocal plan
        if not isinstance(value, cls):
            _fail(path, cls.__name__, value)
        if plan is None:
            attrs.resolve_types(cls)
            plan = [
                (a.name, a.default is attrs.NOTHING, checker(a.type), _minimum_checks(a))
                for a in attrs.fields(cls)
            ]
        for name, required, check_field, minimums in plan:
            field_value = getattr(value, name)
            sub = f"{path}.{name}" if path else name
            if field_value is None:
                if required:
                    raise ParamValidationError(f"missing required parameter {sub}", path=sub)
                continue
            check_field(field_value, sub)
            for check_minimum in minimums:
                check_minimum(field_value, sub)

    return check


def validate(shape: Any) -> None:
    """Check an input shape; raise ``ParamValidationError`` naming the first bad path.

    Paths use the Python names users pass: ``user_attributes[0].value``.
    """
    checker(cast(Any, type(shape)))(shape, "")
