"""The structure and unstructure function of every class, written out as plain Python.

Each class's module gets ``from_wire(data)`` (wire dict -> instance) and ``to_wire(value)``
(instance -> wire dict) right after the class; the runtime (``aiocognito._core.serde``) finds
them through the class's module. They do what cattrs' generated functions did, without a
function call per member: every member is read, checked and converted inline, nested classes
through their own module's functions, and the instance is built by assigning its slots (see
``from_wire_code``). cattrs stays the converter that describes a failure, member by member: a
``from_wire`` that raises is retried through it (``serde.from_wire``).

Answers are read as leniently as cattrs read them: unknown members are ignored, unknown enum
values stay ``str``, a null list item or map value stays ``None``, a map of strings takes any
other JSON value as its JSON text, and a required member the answer leaves out (or sends as
null) gets its zero value (``annotations.wire_zero``), with one DEBUG line naming it.

Names in the generated functions: members are locals under their field names (never starting
with ``_``); everything else (the argument, helpers from ``serde``, other classes' functions)
starts with ``_``, so no member can shadow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import naming
from .annotations import WireType, wire_zero
from .literals import docstring_literal, py_str

if TYPE_CHECKING:
    from .ir import Member, Service, Structure

# Helpers of aiocognito._core.serde the generated functions call, each imported as `_<name>`.
HELPERS_MODULE = "aiocognito._core.serde"

ENUM_TABLE = "BY_VALUE"
"""The table each enum's module defines: wire value -> member."""

_EXACT = {"str": "str", "int": "int", "bool": "bool", "float": "float"}
"""Scalars whose fast path is an exact class check; anything else goes through ``_as_<kind>``."""


@dataclass
class Converters:
    """The two functions of one class, and the names their code uses."""

    from_wire: str
    to_wire: str
    helpers: set[str] = field(default_factory=set)  # serde functions, without the `_`
    classes: set[str] = field(default_factory=set)  # structure classes whose functions it calls
    enums: set[str] = field(default_factory=set)  # enum classes whose value tables it reads


def write(service: Service) -> None:
    """Give every structure its ``converters`` (after ``layout.place``: modules are known)."""
    modules = {name: cls.module for name, cls in service.classes.items()}
    for struct in service.structures.values():
        struct.converters = _Writer(struct, modules).write()


class _Writer:
    def __init__(self, struct: Structure, modules: dict[str, str]) -> None:
        self.struct = struct
        self.modules = modules
        self.helpers: set[str] = set()
        self.classes: set[str] = set()
        self.enums: set[str] = set()

    def write(self) -> Converters:
        source = self.from_wire_code()
        target = self.to_wire_code()
        return Converters(source, target, self.helpers, self.classes, self.enums)

    # -- names --------------------------------------------------------------------------------
    def helper(self, name: str) -> str:
        self.helpers.add(name)
        return "_" + name

    def struct_function(self, class_name: str, function: str) -> str:
        if class_name == self.struct.name:
            return function  # a recursive class: its own module's function
        self.classes.add(class_name)
        return naming.converter_alias(self.modules[class_name], function)

    def enum_values(self, class_name: str) -> str:
        self.enums.add(class_name)
        return naming.converter_alias(self.modules[class_name], ENUM_TABLE)

    # -- wire -> instance ---------------------------------------------------------------------
    def from_wire_code(self) -> str:
        s = self.struct
        lines = [
            f"def from_wire(_data: Any, /) -> {s.name}:",
            f"    {docstring_literal(s.from_wire_doc, '    ')}",
            "    if _data.__class__ is not dict:",
            f"        _data = {self.helper('as_object')}(_data)",
        ]
        for m in s.members:
            lines += self.member_from_wire(m)
        lines.append(f"    _obj: {s.name} = {self.helper('new')}({s.name})")
        lines += [f"    _obj.{m.name} = {m.name}" for m in s.members]
        lines.append("    return _obj")
        return "\n".join(lines)

    def member_from_wire(self, m: Member) -> list[str]:
        name, wire = m.name, m.wire
        lines = [f"    {name}: Any = _data.get({py_str(m.wire_name)})"]
        if m.required:
            where = py_str(f"{self.struct.shape}.{m.wire_name}")
            lines += [
                f"    if {name} is None:",
                f"        {name} = {self.helper('corrected')}({where}, {wire_zero(wire)})",
            ]
        if wire.kind in _EXACT:
            cls = _EXACT[wire.kind]
            test = f"{name}.__class__ is not {cls}"
            if not m.required:
                test = f"{name} is not None and {test}"
            return [*lines, f"    if {test}:", f"        {name} = {self.as_kind(wire.kind, name)}"]
        body = self.statements(wire, name)
        if not body:
            return lines
        if m.required:
            return lines + ["    " + line for line in body]
        return [*lines, f"    if {name} is not None:", *("        " + line for line in body)]

    def as_kind(self, kind: str, var: str) -> str:
        return f"{self.helper('as_' + kind)}({var})"

    def statements(self, wire: WireType, var: str) -> list[str]:
        """Statements converting ``var`` (not None) in place; none for a document."""
        kind = wire.kind
        if kind == "list":
            assert wire.item is not None
            return [
                f"if {var}.__class__ is not list:",
                f"    {var} = {self.helper('as_list')}({var})",
                f"{var} = [{self.item(wire.item, '_v0', 0)} for _v0 in {var}]",
            ]
        if kind == "map":
            assert wire.item is not None and wire.key is not None
            key = self.key(wire.key, "_k0")
            value = self.map_value(wire, "_v0", 0)
            return [
                f"if {var}.__class__ is not dict:",
                f"    {var} = {self.helper('as_map')}({var})",
                f"{var} = {{{key}: {value} for _k0, _v0 in {var}.items()}}",
            ]
        if kind == "document":
            return []
        return [f"{var} = {self.value(wire, var)}"]

    def value(self, wire: WireType, var: str) -> str:
        """An expression converting ``var``, which is not None, for a non-container kind."""
        kind = wire.kind
        if kind in _EXACT:
            return f"{var} if {var}.__class__ is {_EXACT[kind]} else {self.as_kind(kind, var)}"
        if kind == "enum":
            values = self.enum_values(wire.name)
            fallback = f"{self.helper('as_enum')}({var}, {values})"
            return f"{values}.get({var}, {var}) if {var}.__class__ is str else {fallback}"
        if kind == "blob":
            return f"{self.helper('blob_from_wire')}({var})"
        if kind == "timestamp":
            fmt = f", {py_str(wire.timestamp_format)}" if wire.timestamp_format else ""
            return f"{self.helper('timestamp_from_wire')}({var}{fmt})"
        if kind == "structure":
            return f"{self.struct_function(wire.name, 'from_wire')}({var})"
        if kind == "document":
            return var
        raise ValueError(f"no conversion for {kind!r}")

    def item(self, wire: WireType, var: str, depth: int) -> str:
        """An expression for a list item or map value ``var``: a null one stays None."""
        kind = wire.kind
        if kind == "document":
            return var
        if kind in _EXACT or kind == "enum":
            # The `as_` helpers take None to None: the fast path needs no test for it.
            return self.value(wire, var)
        if kind in ("list", "map"):
            return f"None if {var} is None else {self.container(wire, var, depth + 1)}"
        return f"None if {var} is None else {self.value(wire, var)}"

    def container(self, wire: WireType, var: str, depth: int) -> str:
        """A nested list or map, as one expression."""
        assert wire.item is not None
        v = f"_v{depth}"
        if wire.kind == "list":
            return f"[{self.item(wire.item, v, depth)} for {v} in {self.helper('as_list')}({var})]"
        assert wire.key is not None
        k = f"_k{depth}"
        key, value = self.key(wire.key, k), self.map_value(wire, v, depth)
        return f"{{{key}: {value} for {k}, {v} in {self.helper('as_map')}({var}).items()}}"

    def map_value(self, wire: WireType, var: str, depth: int) -> str:
        assert wire.item is not None
        if wire.item.kind == "str":
            # Another JSON value in a map of strings becomes its JSON text (serde.map_string).
            return f"{var} if {var}.__class__ is str else {self.helper('map_string')}({var})"
        return self.item(wire.item, var, depth)

    def key(self, wire: WireType, var: str) -> str:
        if wire.kind not in ("str", "enum"):
            raise ValueError(f"map keys must be strings, not {wire.kind!r}")
        return self.value(wire, var)

    # -- instance -> wire ---------------------------------------------------------------------
    def to_wire_code(self) -> str:
        s = self.struct
        lines = [
            f"def to_wire(_value: {s.name}, /) -> dict[str, Any]:",
            f"    {docstring_literal(s.to_wire_doc, '    ')}",
            "    _out: dict[str, Any] = {}",
        ]
        for m in s.members:
            expr = self.out(m.wire, m.name, 0)
            lines.append(f"    {m.name} = _value.{m.name}")
            if m.required:
                lines.append(f"    _out[{py_str(m.wire_name)}] = {expr}")
            else:
                lines += [
                    f"    if {m.name} is not None:",
                    f"        _out[{py_str(m.wire_name)}] = {expr}",
                ]
        lines.append("    return _out")
        return "\n".join(lines)

    def out(self, wire: WireType, var: str, depth: int) -> str:
        """An expression giving the wire form of ``var`` (typed: never None here)."""
        kind = wire.kind
        if kind in ("str", "int", "bool", "enum", "document"):
            return var  # a StrEnum member is a str: JSON writes its value
        if kind == "float":
            return f"{self.helper('float_to_wire')}({var})"
        if kind == "blob":
            return f"{self.helper('blob_to_wire')}({var})"
        if kind == "timestamp":
            fmt = f", {py_str(wire.timestamp_format)}" if wire.timestamp_format else ""
            return f"{self.helper('timestamp_to_wire')}({var}{fmt})"
        if kind == "structure":
            return f"{self.struct_function(wire.name, 'to_wire')}({var})"
        v = f"_v{depth}"
        assert wire.item is not None
        item = self.out(wire.item, v, depth + 1)
        if kind == "list":
            return f"list({var})" if item == v else f"[{item} for {v} in {var}]"
        if kind == "map":
            k = f"_k{depth}"
            return f"dict({var})" if item == v else f"{{{k}: {item} for {k}, {v} in {var}.items()}}"
        raise ValueError(f"no conversion for {kind!r}")
