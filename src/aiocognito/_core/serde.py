"""The wire mapping: generated attrs shapes <-> awsJson dicts.

Field names map to the model's member names (``metadata["wire"]`` on each attrs field);
``None`` members are left out; timestamps travel as epoch seconds and blobs as base64;
unknown response members are ignored and unknown enum values kept as plain strings, so a newer
service never breaks parsing; a required member an answer leaves out gets its zero value
(client error correction, as AWS's SDKs for Rust, Kotlin, Swift and Java do it).

Each generated shape module has a ``from_wire`` and a ``to_wire`` function, written out by the
code generator (``codegen/converters.py``) with the helpers below: ``from_wire(cls, data)`` and
``to_wire(shape)`` here call them. A ``from_wire`` that fails is retried through a cattrs
converter with detailed validation (imported then, not before), whose error names the member at
fault; ``describe_structure_error`` turns it into wire paths.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import json
import logging
import math
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from .protocol import JSONNestingError

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

logger = logging.getLogger("aiocognito")

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
    from cattrs.gen import override

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
    """A cattrs converter for awsJson shapes that reads and writes what the generated functions
    do, client error correction included (from each required field's ``metadata["zero"]``).

    ``detailed_validation=False`` builds structure functions without cattrs' per-member error
    collection: a failure then does not say where it happened.
    """
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

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
        zeros = [
            (a.metadata.get("wire", a.name), a.metadata["zero"])
            for a in attrs.fields(cls)
            if "zero" in a.metadata
        ]

        def structure_object(value: Any, tp: Any) -> Any:
            # Without this, a string would pass as a structure whose members are all absent.
            if value.__class__ is not dict and not _is_mapping(value):
                raise TypeError(f"expected a JSON object, got {type(value).__name__}")
            missing = {wire: zero for wire, zero in zeros if value.get(wire) is None}
            if missing:  # client error correction, as the generated from_wire does it
                value = {**value, **missing}
            return inner(value, tp)

        return structure_object

    def list_factory(tp: Any) -> Callable[[Any, Any], list[Any]]:
        (item_type,) = typing.get_args(tp)
        item = conv.get_structure_hook(item_type)

        def structure_list(value: Any, _: Any) -> list[Any]:
            if value.__class__ is not list:
                raise TypeError(f"expected a JSON array, got {type(value).__name__}")
            # A null entry (sparse list) stays None rather than failing the whole response.
            return [None if v is None else item(v, item_type) for v in value]

        return structure_list

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


@functools.cache
def detailed_converter() -> cattrs.Converter:
    """The cattrs converter (detailed validation), built on first use: only failures need it."""
    return make_converter()


def __getattr__(name: str) -> Any:
    if name == "converter":  # the detailed converter, as ``serde.converter``
        return detailed_converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- what the generated from_wire / to_wire functions call --------------------------------------
# Each is imported by the generated modules as `_<name>`. The `as_*` functions are the slow
# path of a member whose class is not the exact one expected: they take None to None (a null
# list item or map value), accept what cattrs accepted, and raise TypeError otherwise.

new: Callable[[type[Any]], Any] = object.__new__
"""An instance without ``__init__``: ``from_wire`` then assigns every slot, as ``__init__``
would (generated classes have no validators, converters or post-init hooks). attrs'
keyword-only ``__init__`` builds a dict of keyword arguments per call: a third of the time of
reading a ListUsers page went there (benchmarks/README.md, "Reading answers")."""


def _optional(check: Callable[[Any, type], Any], kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else check(value, kind)

    return convert


as_str = _optional(_scalar(str), str)
as_int = _optional(_scalar(int), int)
as_bool = _optional(_scalar(bool), bool)
as_float = _optional(_scalar(float), float)


def as_object(value: Any) -> Mapping[str, Any]:
    """A structure's wire value: a JSON object (any mapping), never a string or an array."""
    if _is_mapping(value):
        return cast("Mapping[str, Any]", value)
    raise TypeError(f"expected a JSON object, got {type(value).__name__}")


def as_list(value: Any) -> list[Any]:
    """A list's wire value: a JSON array only (a string or an object is never iterated)."""
    if value.__class__ is list:
        return value
    raise TypeError(f"expected a JSON array, got {type(value).__name__}")


as_map = as_object


def as_enum(value: Any, members: Mapping[str, Any]) -> Any:
    """An enum's wire value: its member, or the ``str`` itself when the model does not know it."""
    if value is None:
        return None
    if isinstance(value, str):
        return members.get(value, value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


def timestamp_from_wire(value: Any, fmt: str | None = None) -> datetime:
    """A timestamp: epoch seconds (number or text) or ISO 8601; ``fmt`` from the model."""
    if fmt is None and (value.__class__ is float or value.__class__ is int):
        # NaN and infinities raise here too, and the detailed path names the member.
        return datetime.fromtimestamp(value, UTC)
    return _structure_datetime(value, datetime) if fmt is None else _parse_timestamp(value, fmt)


def blob_from_wire(value: Any) -> bytes:
    return _structure_bytes(value, bytes)


def map_string(value: Any) -> str | None:
    """A value in a map of strings that is not a ``str``: its JSON text (None stays None)."""
    return None if value is None else _structure_map_string(value, str)


def corrected(member: str, zero: Any) -> Any:
    """Client error correction: ``zero`` for the required ``member`` (``Shape.Member``) that an
    answer left out or sent as null; one DEBUG line names it, never a value."""
    logger.debug(
        "answer lacks required member %s: filled with its zero value (client error correction)",
        member,
    )
    return zero


float_to_wire = _unstructure_float
blob_to_wire = _unstructure_bytes


def timestamp_to_wire(value: datetime, fmt: str | None = None) -> Any:
    """Epoch seconds, or the model's ``fmt``."""
    return _unstructure_datetime(value) if fmt is None else _format_timestamp(value, fmt)


# -- the entry points ---------------------------------------------------------------------------

_FROM_WIRE: dict[type, Callable[[Any], Any]] = {}
_TO_WIRE: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _generated(cls: type, name: str) -> Callable[..., Any] | None:
    """The ``from_wire``/``to_wire`` function the generator wrote next to ``cls``, if any."""
    function = getattr(sys.modules.get(cls.__module__), name, None)
    # Defined in that module, not imported into it (a test module may import serde's own).
    if callable(function) and getattr(function, "__module__", None) == cls.__module__:
        return cast("Callable[..., Any]", function)
    return None


def to_wire(shape: Any) -> dict[str, Any]:
    """The wire dict of a shape instance: model member names, ``None`` members left out."""
    cls: type[Any] = shape.__class__
    function = _TO_WIRE.get(cls)
    if function is None:
        found = _generated(cls, "to_wire")
        function = _TO_WIRE[cls] = found or detailed_converter().unstructure
    return function(shape)


def from_wire(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a shape from a wire dict; raises cattrs' errors on a mismatch.

    The generated ``from_wire`` reads it; only when that fails is it read again with cattrs'
    detailed validation, for an error that names the member at fault.
    """
    function = _FROM_WIRE.get(cls)
    if function is None:
        found = _generated(cls, "from_wire")
        if found is None:
            return detailed_converter().structure(data, cls)
        function = _FROM_WIRE[cls] = found
    try:
        result: T = function(data)
        return result
    except Exception:  # described below, outside the handler (the error may quote a value)
        pass
    # The same rules, member by member: raises cattrs' ClassValidationError with the path.
    return detailed_converter().structure(data, cls)


def _describe_one(exc: BaseException, tp: type | None) -> str:
    from cattrs.v import format_exception

    if isinstance(exc, JSONNestingError | RecursionError):
        return "JSON nested too deeply"
    return format_exception(exc, tp)


def describe_structure_error(exc: BaseException) -> str:
    """Where a response did not fit its shape, as wire paths; never the offending values."""
    cattrs_module = sys.modules.get("cattrs")
    if cattrs_module is not None and isinstance(exc, cattrs_module.BaseValidationError):
        messages = cattrs_module.transform_error(
            exc, path="response", format_exception=_describe_one
        )
        return "; ".join(messages[:5]) + (
            f" (+{len(messages) - 5} more)" if len(messages) > 5 else ""
        )
    return type(exc).__name__
