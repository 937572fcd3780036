"""What each shape becomes in Python, and the annotation of every field, parameter and error
attribute: decided here, once.

A structure or union becomes an attrs class, a string enum a ``StrEnum`` (annotated
``Enum | str``: the service may send values a model does not know yet), a list or map shape a
type alias, a document ``JSONValue``, an exception shape an exception class (``errors.py``).

Each shape also has a ``WireType``: how its values travel, which the generated structure and
unstructure functions follow (``converters``), with the zero value that client error
correction fills in for a required member an answer leaves out (``wire_zero``), and the
``min`` constraints that client-side validation checks, as botocore does (``minimums``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import JSON

SCALAR_TYPES: dict[str, str] = {
    "string": "str",
    "character": "str",
    "integer": "int",
    "long": "int",
    "short": "int",
    "byte": "int",
    "biginteger": "int",
    "boolean": "bool",
    "float": "float",
    "double": "float",
    "bigdecimal": "float",
    "blob": "bytes",
    "timestamp": "datetime",
}


def is_enum(shape: JSON) -> bool:
    return shape["type"] == "string" and "enum" in shape


def is_error(shape: JSON) -> bool:
    return bool(shape.get("exception"))


def is_document(shape: JSON) -> bool:
    return bool(shape.get("document")) or shape["type"] == "document"


def is_class(shape: JSON) -> bool:
    """A shape that becomes an attrs class."""
    return (
        shape["type"] in ("structure", "union") and not is_error(shape) and not is_document(shape)
    )


def is_alias(shape: JSON) -> bool:
    """A shape that becomes a type alias in ``shapes``: lists, maps and documents."""
    return shape["type"] in ("list", "map") or (is_document(shape) and not is_error(shape))


@dataclass(frozen=True)
class TypeRef:
    """The Python type of a shape, and what a module writing it must import."""

    annotation: str  # e.g. "list[UserType]"
    classes: frozenset[str] = field(default_factory=frozenset)  # generated classes it names
    uses_datetime: bool = False
    uses_json: bool = False  # names JSONValue

    def wrap(self, annotation: str) -> TypeRef:
        """The same imports under another annotation (``list[...]`` around this one)."""
        return TypeRef(annotation, self.classes, self.uses_datetime, self.uses_json)

    def __or__(self, other: TypeRef) -> TypeRef:
        """The imports of both (the annotation is this one's; ``wrap`` it)."""
        return TypeRef(
            self.annotation,
            self.classes | other.classes,
            self.uses_datetime or other.uses_datetime,
            self.uses_json or other.uses_json,
        )


JSON_VALUE = TypeRef("JSONValue", uses_json=True)


@dataclass(frozen=True)
class WireType:
    """How values of a shape travel in awsJson, for the generated (un)structure functions.

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``blob`` (base64 text),
    ``timestamp`` (epoch seconds unless ``timestamp_format`` says otherwise), ``enum`` (a string;
    ``name`` is the enum class), ``document`` (any JSON value, passed through), ``structure``
    (``name`` is the class), ``list`` (of ``item``) and ``map`` (``key`` -> ``item``).
    """

    kind: str
    name: str = ""
    item: WireType | None = None
    key: WireType | None = None
    timestamp_format: str | None = None  # only when not epoch seconds


_WIRE_SCALARS: dict[str, str] = {
    model: {"bytes": "blob", "datetime": "timestamp"}.get(py, py)
    for model, py in SCALAR_TYPES.items()
}

# The wire value client error correction puts in place of a required member an answer leaves
# out or sends as null (the Smithy specification's "client error correction", which AWS's SDKs
# for Rust, Kotlin, Swift and Java follow). Parsed like any value, it gives "", 0, 0.0, False,
# b"", the epoch, [], {}, None for a document, "" for an enum (an unknown value, as the
# specification asks), and for a structure the one parsed from {}, itself corrected.
_WIRE_ZEROS: dict[str, str] = {
    "str": '""',
    "enum": '""',
    "blob": '""',
    "int": "0",
    "float": "0",
    "timestamp": "0",
    "bool": "False",
    "list": "[]",
    "map": "{}",
    "structure": "{}",
    "document": "None",
}


def wire_zero(wire: WireType) -> str:
    """The zero value of ``wire``, as a Python literal of its wire form (see ``_WIRE_ZEROS``)."""
    return _WIRE_ZEROS[wire.kind]


def minimums(shapes: dict[str, JSON], shape_name: str) -> dict[str, int | float]:
    """The ``min`` constraints client-side validation checks on a member of this shape.

    botocore's rules: a string's length, a list's length and a number's value; maps and blobs
    are not checked. ``min`` is the member's own, ``item_min`` each list item's or map value's,
    ``key_min`` each map key's (one level deep: no model nests checked shapes further). A
    length minimum of 0 checks nothing and is left out.
    """
    out: dict[str, int | float] = {}
    shape = shapes[shape_name]
    own = _minimum(shape)
    if own is not None:
        out["min"] = own
    inner = shape.get("member") or shape.get("value")
    if shape["type"] in ("list", "map") and inner is not None:
        item = _minimum(shapes[inner["shape"]])
        if item is not None:
            out["item_min"] = item
    if shape["type"] == "map":
        key = _minimum(shapes[shape["key"]["shape"]])
        if key is not None:
            out["key_min"] = key
    return out


def _minimum(shape: JSON) -> int | float | None:
    """A shape's checked minimum: strings and lists by length (0 is no check), numbers by value."""
    if "min" not in shape:
        return None
    kind, value = shape["type"], shape["min"]
    if kind in ("string", "list"):
        return int(value) if value > 0 else None
    if kind in _WIRE_SCALARS and _WIRE_SCALARS[kind] in ("int", "float"):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    return None


class Typer:
    """The ``TypeRef`` of every shape of one model (class names decided by the caller)."""

    def __init__(self, shapes: dict[str, JSON], class_names: dict[str, str]) -> None:
        self.shapes = shapes
        self.class_names = class_names
        self._cache: dict[str, TypeRef] = {}

    def of(self, shape_name: str) -> TypeRef:
        found = self._cache.get(shape_name)
        if found is None:
            found = self._cache[shape_name] = self._of(shape_name)
        return found

    def _of(self, shape_name: str) -> TypeRef:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if is_enum(shape):
            name = self.class_names[shape_name]
            return TypeRef(f"{name} | str", frozenset({name}))
        if kind in ("structure", "union"):
            if shape.get("document"):
                return JSON_VALUE
            name = self.class_names[shape_name]
            ref = TypeRef(name, frozenset({name}))
            # An event stream is read whole: the events in the order they came.
            return ref.wrap(f"list[{name}]") if shape.get("eventstream") else ref
        if kind == "list":
            inner = self.of(shape["member"]["shape"])
            return inner.wrap(f"list[{inner.annotation}]")
        if kind == "map" or ("key" in shape and "value" in shape):
            # A shape with key and value members is a map whatever its declared type says
            # (a botocore protocol test declares one as a string and sends objects).
            key, value = self.of(shape["key"]["shape"]), self.of(shape["value"]["shape"])
            return (value | key).wrap(f"dict[{key.annotation}, {value.annotation}]")
        if kind == "document":
            return JSON_VALUE
        if kind in SCALAR_TYPES:
            py = SCALAR_TYPES[kind]
            return TypeRef(py, uses_datetime=py == "datetime")
        raise ValueError(f"shape {shape_name!r} has an unsupported type {kind!r}")

    def wire(self, shape_name: str, timestamp_format: str | None = None) -> WireType:
        """The ``WireType`` of a shape; ``timestamp_format`` applies to the timestamps in it."""
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if is_enum(shape):
            return WireType("enum", self.class_names[shape_name])
        if kind in ("structure", "union"):
            if shape.get("document"):
                return WireType("document")
            struct = WireType("structure", self.class_names[shape_name])
            return WireType("list", item=struct) if shape.get("eventstream") else struct
        if kind == "list":
            return WireType("list", item=self.wire(shape["member"]["shape"], timestamp_format))
        if kind == "map" or ("key" in shape and "value" in shape):
            return WireType(
                "map",
                key=self.wire(shape["key"]["shape"]),
                item=self.wire(shape["value"]["shape"], timestamp_format),
            )
        if kind == "document":
            return WireType("document")
        if kind in _WIRE_SCALARS:
            wire_kind = _WIRE_SCALARS[kind]
            if wire_kind == "timestamp":
                return WireType("timestamp", timestamp_format=timestamp_format)
            return WireType(wire_kind)
        raise ValueError(f"shape {shape_name!r} has an unsupported type {kind!r}")


UNMODELED = "UnmodeledValue"
"""The escape hatch of enum-typed parameters (``aiocognito._core.types.UnmodeledValue``)."""

_PARAMETER_SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "blob": "bytes",
    "timestamp": "datetime",
    "document": "JSONValue",
}


def literal_alias(enum_class: str) -> str:
    """The ``shapes`` alias of an enum's values as a ``Literal``: ``AuthFlowTypeLiteral``."""
    return enum_class + "Literal"


def parameter(wire: WireType, ref: TypeRef) -> str:
    """The annotation of a client method parameter for a member of this type.

    Enums are closed here, where the caller writes the value: the enum, a ``Literal`` of its
    values (so ``"USER_SRP_AUTH"`` passes and ``"USER_PASWORD_AUTH"`` does not), or
    ``UnmodeledValue("...")`` for a value newer than the model (results stay ``Enum | str``).
    Lists and maps accept any sequence or mapping: lists are invariant, so a
    ``list[SomeEnum]`` would not pass where ``list[SomeEnum | ...]`` is declared. Map keys
    stay as the field has them (a mapping's key type is invariant).
    """
    kind = wire.kind
    if kind == "enum":
        return f"{wire.name} | {literal_alias(wire.name)} | {UNMODELED}"
    if kind == "structure":
        return wire.name
    if kind == "list" and wire.item is not None:
        return f"Sequence[{parameter(wire.item, ref)}]"
    if kind == "map" and wire.item is not None and wire.key is not None:
        key = f"{wire.key.name} | str" if wire.key.kind == "enum" else "str"
        return f"Mapping[{key}, {parameter(wire.item, ref)}]"
    if kind in _PARAMETER_SCALARS:
        return _PARAMETER_SCALARS[kind]
    raise ValueError(f"no parameter annotation for {kind!r} ({ref.annotation})")


def enums_in(wire: WireType) -> set[str]:
    """The enum classes a value of this type holds, at any depth."""
    found = {wire.name} if wire.kind == "enum" else set()
    for inner in (wire.item, wire.key):
        if inner is not None:
            found |= enums_in(inner)
    return found


def error_attribute(annotation: str) -> str:
    """The annotation of an exception attribute for a member of this annotation.

    Error bodies are read without the shapes' converter (an error must never fail to parse):
    scalars keep their type, an enum is its string, anything else is the JSON value as sent.
    """
    if annotation in ("str", "int", "bool", "float"):
        return annotation
    if re.fullmatch(r"\w+ \| str", annotation):
        return "str"
    return "object"
