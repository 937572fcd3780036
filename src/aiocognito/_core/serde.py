"""The wire mapping: generated attrs shapes <-> awsJson dicts, through one cattrs converter.

Field names map to the model's member names (``metadata["wire"]`` on each attrs field);
``None`` members are left out; timestamps travel as epoch seconds and blobs as base64;
unknown response members are ignored and unknown enum values kept as plain strings, so a newer
service never breaks parsing.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import format_exception

from .protocol import JSONNestingError

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, bool):
        raise TypeError(f"expected a timestamp, got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"expected a timestamp, got {value!r}")
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except ValueError:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TypeError(f"expected a timestamp, got {type(value).__name__}")


def _unstructure_datetime(value: datetime) -> int | float:
    if value.tzinfo is None:  # naive datetimes are taken as UTC, never as local time
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return seconds if not delta.microseconds else seconds + delta.microseconds / 1_000_000


def _structure_bytes(value: Any, _: type) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected base64 text, got {type(value).__name__}")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("expected base64 text") from exc


def _unstructure_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without narrowing ``value`` away from ``Any``."""
    return isinstance(value, Mapping)


def _origin(tp: Any) -> Any:
    return typing.get_origin(tp)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _union_hook(tp: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """``X | None`` and ``SomeEnum | str`` (``| None``): the only unions shapes use."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    optional = len(args) != len(typing.get_args(tp))
    enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
    if len(args) == 2 and len(enums) == 1 and str in args:
        enum_cls = enums[0]
        members = {m.value: m for m in enum_cls}

        def structure_open_enum(value: Any, _: Any) -> Any:
            if value is None and optional:
                return None
            if not isinstance(value, str):
                raise TypeError(f"expected a string, got {type(value).__name__}")
            return members.get(value, value)

        return structure_open_enum
    if len(args) == 1:
        target = args[0]
        if target in (str, int, bool, float):
            scalar = _scalar(target)

            # One call per optional scalar member instead of two: ListUsers has ~1,300 of them.
            def structure_optional_scalar(value: Any, _: Any) -> Any:
                if value is None or value.__class__ is target:
                    return value
                return scalar(value, target)

            return structure_optional_scalar
        inner = conv.get_structure_hook(target)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else inner(value, target)

        return structure_optional
    raise TypeError(f"unsupported union type {tp!r}")


def _scalar(kind: type) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        if value.__class__ is kind:
            return value
        # bool is an int subclass; an int where a float is expected is fine.
        if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)):
            return value
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is float and value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")

    return structure


def _structure_map_string(value: Any, _: Any) -> str:
    """A string map's value; any other JSON value becomes its JSON text.

    The service sends ``ChallengeParameters["MFAS_CAN_SETUP"]`` as the JSON text of an array;
    an emulator may send the array itself (moto's backend builds a list). As text,
    ``json.loads`` of the value works for both (boto3 passes the array through; a typed
    ``dict[str, str]`` cannot).
    """
    if value.__class__ is str:
        return value
    if isinstance(value, list | dict | int | float):  # bool is an int
        try:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except RecursionError:
            pass
        raise JSONNestingError("JSON nested too deeply")
    raise TypeError(f"expected str, got {type(value).__name__}")


def _unstructure_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _format_timestamp(value: datetime, fmt: str) -> Any:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if fmt == "iso8601":
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        return text + "Z"
    if fmt == "rfc822":  # English names by table: strftime's %a/%b follow the locale
        return (
            f"{_WEEKDAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} "
            f"{value.year} {value.hour:02d}:{value.minute:02d}:{value.second:02d} GMT"
        )
    return _unstructure_datetime(value)


def _parse_timestamp(value: Any, fmt: str) -> datetime:
    if fmt == "rfc822" and isinstance(value, str):
        from email.utils import parsedate_to_datetime

        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError) as exc:
            raise ValueError("expected an RFC 822 date") from exc
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return _structure_datetime(value, datetime)


def _timestamp_hooks(tp: Any, fmt: str) -> tuple[Callable[[Any, Any], Any], Callable[[Any], Any]]:
    """Structure/unstructure hooks for a datetime field (or a list/map of them) in ``fmt``."""
    args = [a for a in typing.get_args(tp) if a is not type(None)] if _is_union(tp) else [tp]
    inner = args[0]
    origin = typing.get_origin(inner)
    if origin is list:
        return (
            lambda v, _: None if v is None else [_parse_timestamp(x, fmt) for x in v],
            lambda v: None if v is None else [_format_timestamp(x, fmt) for x in v],
        )
    if origin is dict:
        return (
            lambda v, _: None if v is None else {k: _parse_timestamp(x, fmt) for k, x in v.items()},
            lambda v: None if v is None else {k: _format_timestamp(x, fmt) for k, x in v.items()},
        )
    return (
        lambda v, _: None if v is None else _parse_timestamp(v, fmt),
        lambda v: None if v is None else _format_timestamp(v, fmt),
    )


def _wire_overrides(cls: type) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for a in attrs.fields(cls):
        wire = a.metadata.get("wire", a.name)
        fmt = a.metadata.get("timestamp")
        if fmt:
            struct, unstruct = _timestamp_hooks(a.type, fmt)
            overrides[a.name] = override(rename=wire, struct_hook=struct, unstruct_hook=unstruct)
        else:
            overrides[a.name] = override(rename=wire)
    return overrides


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A converter configured for awsJson shapes (one per process is plenty).

    ``detailed_validation=False`` builds structure functions without cattrs' per-member error
    collection: about twice as fast, but a failure does not say where it happened.
    """
    conv = cattrs.Converter(
        omit_if_default=True, forbid_extra_keys=False, detailed_validation=detailed_validation
    )
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook(bytes, _structure_bytes)
    conv.register_unstructure_hook(bytes, _unstructure_bytes)
    for kind in (str, int, bool, float):
        conv.register_structure_hook(kind, _scalar(kind))
    conv.register_unstructure_hook(float, _unstructure_float)

    def union_factory(tp: Any) -> Callable[[Any, Any], Any]:
        return _union_hook(tp, conv)

    conv.register_structure_hook_factory(_is_union, union_factory)

    def structure_factory(cls: type) -> Callable[[Mapping[str, Any], Any], Any]:
        attrs.resolve_types(cls)
        inner: Callable[[Mapping[str, Any], Any], Any] = cast(
            Any, make_dict_structure_fn(cls, conv, **_wire_overrides(cls))
        )

        def structure_object(value: Any, tp: Any) -> Any:
            # Without this, a string would pass as a structure whose members are all absent.
            if value.__class__ is not dict and not _is_mapping(value):
                raise TypeError(f"expected a JSON object, got {type(value).__name__}")
            return inner(value, tp)

        structure_object.without_check = inner  # type: ignore[attr-defined]
        return structure_object

    def list_factory(tp: Any) -> Callable[[Any, Any], list[Any]]:
        (item_type,) = typing.get_args(tp)
        item = conv.get_structure_hook(item_type)

        direct: Callable[[Any, Any], Any] | None = getattr(item, "without_check", None)

        def structure_list(value: Any, _: Any) -> list[Any]:
            if value.__class__ is not list:
                raise TypeError(f"expected a JSON array, got {type(value).__name__}")
            # A null entry (sparse list) stays None rather than failing the whole response.
            return [None if v is None else item(v, item_type) for v in value]

        if direct is None:
            return structure_list

        def structure_list_of_objects(value: Any, _: Any) -> list[Any]:
            if value.__class__ is not list:
                raise TypeError(f"expected a JSON array, got {type(value).__name__}")
            # A JSON object needs no further check: one call per item instead of two (a
            # ListUsers page has 600 attributes).
            return [
                direct(v, item_type)
                if v.__class__ is dict
                else None
                if v is None
                else item(v, item_type)
                for v in value
            ]

        return structure_list_of_objects

    def dict_factory(tp: Any) -> Callable[[Any, Any], dict[Any, Any]]:
        key_type, value_type = typing.get_args(tp)
        key = conv.get_structure_hook(key_type)
        val = _structure_map_string if value_type is str else conv.get_structure_hook(value_type)

        def structure_dict(value: Any, _: Any) -> dict[Any, Any]:
            if value.__class__ is not dict and not _is_mapping(value):
                raise TypeError(f"expected a JSON object, got {type(value).__name__}")
            return {
                key(k, key_type): None if v is None else val(v, value_type)
                for k, v in value.items()
            }

        return structure_dict

    conv.register_structure_hook_factory(lambda t: _origin(t) is list, list_factory)
    conv.register_structure_hook_factory(lambda t: _origin(t) is dict, dict_factory)

    def unstructure_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        attrs.resolve_types(cls)
        return make_dict_unstructure_fn(
            cls, conv, _cattrs_omit_if_default=True, **_wire_overrides(cls)
        )

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return conv


converter = make_converter()
_fast_converter = make_converter(detailed_validation=False)


def to_wire(shape: Any) -> dict[str, Any]:
    """The wire dict of a shape instance: model member names, ``None`` members left out."""
    result: dict[str, Any] = converter.unstructure(shape)
    return result


def from_wire(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a shape from a wire dict; raises cattrs' errors on a mismatch.

    Responses are parsed without cattrs' detailed validation; only one that fails is parsed
    again with it, for an error that names the member at fault.
    """
    try:
        return _fast_converter.structure(data, cls)
    except Exception:
        return converter.structure(data, cls)


def _describe_one(exc: BaseException, tp: type | None) -> str:
    if isinstance(exc, JSONNestingError | RecursionError):
        return "JSON nested too deeply"
    return format_exception(exc, tp)


def describe_structure_error(exc: BaseException) -> str:
    """Where a response did not fit its shape, as wire paths; never the offending values."""
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path="response", format_exception=_describe_one)
        return "; ".join(messages[:5]) + (
            f" (+{len(messages) - 5} more)" if len(messages) > 5 else ""
        )
    return type(exc).__name__
