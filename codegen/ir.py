"""The intermediate representation: the model normalized, with every Python name decided.

Templates only read the IR; every naming, typing and grouping decision is made here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import naming, paging
from .docs import html_to_text
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


@dataclass
class Member:
    wire_name: str
    name: str
    annotation: str
    required: bool
    sensitive: bool
    doc: str
    shape: str
    deprecated: str | None = None
    constraints: dict[str, Any] = field(default_factory=dict)
    host_label: bool = False
    idempotency_token: bool = False
    timestamp_format: str | None = None  # only when not the protocol's default (epoch seconds)


@dataclass
class Structure:
    name: str
    shape: str
    doc: str
    members: list[Member]
    module: str = ""
    sensitive: bool = False
    deprecated: str | None = None
    refs: set[str] = field(default_factory=set)
    uses_datetime: bool = False
    uses_json: bool = False


@dataclass
class EnumValue:
    name: str
    value: str


@dataclass
class Enum:
    name: str
    shape: str
    doc: str
    values: list[EnumValue]
    module: str = ""


@dataclass
class Alias:
    name: str
    annotation: str
    doc: str


@dataclass
class Error:
    name: str
    code: str
    doc: str
    fault: str  # "client" or "server"
    http_status: int | None
    members: list[Member]
    extra_codes: list[str] = field(default_factory=list)


@dataclass
class Pagination:
    """How an operation pages: Python names of its token, result and page-size members."""

    input_token: str
    output_token: str
    result: str
    limit: str | None
    item_annotation: str
    inferred: bool  # True when found by shape, not listed in paginators-1.json
    limit_required: bool = False


@dataclass
class Operation:
    wire_name: str
    name: str
    doc: str
    input: str | None
    output: str | None
    errors: list[str]
    signed: bool
    target: str
    deprecated: str | None = None
    input_module: str = ""
    output_module: str = ""
    params: list[Member] = field(default_factory=list)
    method_doc: str = ""
    pagination: Pagination | None = None
    paginate_params: list[Member] = field(default_factory=list)
    paginate_doc: str = ""
    path: str = "/"
    host_prefix: str | None = None
    host_labels: dict[str, str] = field(default_factory=dict)  # label -> Python field name
    idempotency_tokens: list[str] = field(default_factory=list)
    compression: list[str] = field(default_factory=list)
    event_stream: tuple[str, dict[str, tuple[str | None, str]]] | None = None


@dataclass
class ShapeModule:
    """One private module of ``_shapes/``: the classes first used by one operation."""

    name: str
    structures: list[Structure] = field(default_factory=list)
    enums: list[Enum] = field(default_factory=list)
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    uses_datetime: bool = False
    uses_json: bool = False
    uses_redact: bool = False


@dataclass
class Service:
    service_id: str
    full_name: str
    api_version: str
    protocol: str
    json_version: str
    target_prefix: str
    endpoint_prefix: str
    signing_name: str
    doc: str
    operations: list[Operation]
    structures: dict[str, Structure]
    enums: dict[str, Enum]
    aliases: list[Alias]
    errors: list[Error]
    modules: list[ShapeModule]
    client_name: str = ""
    client_doc: str = ""
    client_imports: dict[str, set[str]] = field(default_factory=dict)
    client_uses_datetime: bool = False
    client_uses_json: bool = False
    client_uses_collections: bool = False
    query_compatible: bool = False

    @property
    def lazy_names(self) -> list[tuple[str, str]]:
        """(class name, module) for every class the ``shapes`` facade loads on demand."""
        pairs = [(s.name, m.name) for m in self.modules for s in m.structures]
        pairs += [(e.name, m.name) for m in self.modules for e in m.enums]
        return sorted(pairs)

    @property
    def paginated(self) -> list[Operation]:
        return [op for op in self.operations if op.pagination]

    @property
    def all_shape_names(self) -> list[str]:
        """Every public name of the ``shapes`` module."""
        return sorted([name for name, _ in self.lazy_names] + [a.name for a in self.aliases])


def _doc(node: JSON) -> str:
    return html_to_text(node.get("documentation"))


class _Builder:
    def __init__(self, model: JSON) -> None:
        self.model = model
        self.shapes: dict[str, JSON] = model["shapes"]
        self.class_names: dict[str, str] = {}
        for shape_name, shape in self.shapes.items():
            if self._is_class(shape) or self._is_enum(shape) or shape.get("exception"):
                self.class_names[shape_name] = naming.class_name(shape_name)
        dupes = _duplicates(list(self.class_names.values()))
        if dupes:
            raise ValueError(f"shape names collide once made Python names: {sorted(dupes)}")

    @staticmethod
    def _is_enum(shape: JSON) -> bool:
        return shape["type"] == "string" and "enum" in shape

    @staticmethod
    def _is_class(shape: JSON) -> bool:
        return (
            shape["type"] in ("structure", "union")
            and not shape.get("exception")
            and not shape.get("document")
        )

    def sensitive(self, member: JSON, target: JSON) -> bool:
        """A member is sensitive when it, its shape, or what its list/map holds is."""
        if member.get("sensitive"):
            return True
        return self._holds_sensitive(target)

    def _holds_sensitive(self, shape: JSON) -> bool:
        if shape.get("sensitive"):
            return True
        if shape["type"] == "list":
            return self._holds_sensitive(self.shapes[shape["member"]["shape"]])
        if shape["type"] == "map":
            return any(
                self._holds_sensitive(self.shapes[shape[k]["shape"]]) for k in ("key", "value")
            )
        return False

    def annotation(self, shape_name: str) -> tuple[str, set[str], bool, bool]:
        """Python type of a shape: (annotation, class names used, uses datetime, uses JSON)."""
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if self._is_enum(shape):
            name = self.class_names[shape_name]
            return f"{name} | str", {name}, False, False
        if kind in ("structure", "union"):
            if shape.get("document"):
                return "JSONValue", set(), False, True
            name = self.class_names[shape_name]
            if shape.get("eventstream"):  # read whole: the events in the order they came
                return f"list[{name}]", {name}, False, False
            return name, {name}, False, False
        if kind == "list":
            inner, refs, dt, js = self.annotation(shape["member"]["shape"])
            return f"list[{inner}]", refs, dt, js
        if kind == "map" or ("key" in shape and "value" in shape):
            # A shape with key and value members is a map whatever its declared type says
            # (a botocore protocol test declares one as a string and sends objects).
            key, krefs, _, _ = self.annotation(shape["key"]["shape"])
            value, vrefs, dt, js = self.annotation(shape["value"]["shape"])
            return f"dict[{key}, {value}]", krefs | vrefs, dt, js
        if kind == "document":
            return "JSONValue", set(), False, True
        if kind in SCALAR_TYPES:
            py = SCALAR_TYPES[kind]
            return py, set(), py == "datetime", False
        raise ValueError(f"shape {shape_name!r} has an unsupported type {kind!r}")

    def timestamp_format(self, member: JSON, target: JSON) -> str | None:
        """A non-default timestamp format of a member: its own trait, else its shape's.

        Lists and maps of timestamps take the format of their member/value shape.
        """
        fmt = member.get("timestampFormat") or target.get("timestampFormat")
        if fmt is None and target["type"] == "list":
            inner = self.shapes[target["member"]["shape"]]
            fmt = target["member"].get("timestampFormat") or inner.get("timestampFormat")
        if fmt is None and target["type"] == "map":
            inner = self.shapes[target["value"]["shape"]]
            fmt = target["value"].get("timestampFormat") or inner.get("timestampFormat")
        return None if fmt in (None, "unixTimestamp") else str(fmt)

    def members(self, shape_name: str, force_sensitive: bool = False) -> list[Member]:
        shape = self.shapes[shape_name]
        required = set(shape.get("required", []))
        out: list[Member] = []
        names = naming.unique([naming.member_name(w) for w in shape.get("members", {})])
        for py_name, (wire, member) in zip(names, shape.get("members", {}).items(), strict=True):
            target = self.shapes[member["shape"]]
            annotation, _, _, _ = self.annotation(member["shape"])
            deprecated = None
            if member.get("deprecated") or target.get("deprecated"):
                deprecated = member.get("deprecatedMessage") or "Deprecated."
            constraints = {k: target[k] for k in ("min", "max", "pattern") if k in target}
            out.append(
                Member(
                    wire_name=wire,
                    name=py_name,
                    annotation=annotation,
                    required=wire in required,
                    sensitive=force_sensitive or self.sensitive(member, target),
                    doc=_doc(member) or _doc(target),
                    shape=member["shape"],
                    deprecated=deprecated,
                    constraints=constraints,
                    host_label=bool(member.get("hostLabel")),
                    idempotency_token=bool(member.get("idempotencyToken")),
                    timestamp_format=self.timestamp_format(member, target),
                )
            )
        # Required members first, each group in model order.
        return [m for m in out if m.required] + [m for m in out if not m.required]

    def structure(self, shape_name: str) -> Structure:
        shape = self.shapes[shape_name]
        sensitive = bool(shape.get("sensitive"))
        members = self.members(shape_name, force_sensitive=sensitive)
        refs: set[str] = set()
        uses_dt = uses_json = False
        for member in shape.get("members", {}).values():
            _, r, dt, js = self.annotation(member["shape"])
            refs |= r
            uses_dt |= dt
            uses_json |= js
        return Structure(
            name=self.class_names[shape_name],
            shape=shape_name,
            doc=_doc(shape) or self._role_doc(shape_name),
            members=members,
            sensitive=sensitive,
            deprecated=(shape.get("deprecatedMessage") or "Deprecated.")
            if shape.get("deprecated")
            else None,
            refs=refs,
            uses_datetime=uses_dt,
            uses_json=uses_json,
        )

    def _role_doc(self, shape_name: str) -> str:
        """A docstring for a structure the model leaves undocumented: what it is for."""
        for op_name, op in sorted(self.model["operations"].items()):
            if op.get("input", {}).get("shape") == shape_name:
                return f"The input of `{op_name}`."
            if op.get("output", {}).get("shape") == shape_name:
                return f"The output of `{op_name}`."
        return f"The `{shape_name}` structure of the model."

    def enum(self, shape_name: str) -> Enum:
        shape = self.shapes[shape_name]
        values = [str(v) for v in shape["enum"]]
        names = naming.unique([naming.enum_member_name(v) for v in values])
        return Enum(
            name=self.class_names[shape_name],
            shape=shape_name,
            doc=_doc(shape),
            values=[EnumValue(n, v) for n, v in zip(names, values, strict=True)],
        )

    def error(self, shape_name: str) -> Error:
        shape = self.shapes[shape_name]
        info = shape.get("error", {})
        fault = "server" if shape.get("fault") or info.get("senderFault") is False else "client"
        if (
            not shape.get("fault")
            and "senderFault" not in info
            and info.get("httpStatusCode", 400) >= 500
        ):
            fault = "server"
        members = [m for m in self.members(shape_name) if m.wire_name.lower() != "message"]
        for m in members:
            if m.name in naming.ERROR_RESERVED_NAMES:
                m.name += "_"
        extra = [info["code"]] if info.get("code") and info["code"] != shape_name else []
        return Error(
            name=self.class_names[shape_name],
            code=shape_name,
            doc=_doc(shape),
            fault=fault,
            http_status=info.get("httpStatusCode"),
            members=members,
            extra_codes=extra,
        )

    def operation(self, wire_name: str, op: JSON) -> Operation:
        auth = op.get("auth")
        unsigned = op.get("authtype") == "none" or (
            auth is not None and auth == ["smithy.api#noAuth"]
        )
        endpoint = op.get("endpoint") or {}
        compression = list((op.get("requestcompression") or {}).get("encodings", []))
        uri = str(op.get("http", {}).get("requestUri", "/")) or "/"
        return Operation(
            path=uri if uri.startswith("/") else "/" + uri,
            compression=compression,
            event_stream=self.event_stream(op),
            host_prefix=endpoint.get("hostPrefix"),
            wire_name=wire_name,
            name=naming.operation_name(wire_name),
            doc=_doc(op),
            input=self.class_names[op["input"]["shape"]] if "input" in op else None,
            output=self.class_names[op["output"]["shape"]] if "output" in op else None,
            errors=[self.class_names[e["shape"]] for e in op.get("errors", [])],
            signed=not unsigned,
            target=f"{self.model['metadata'].get('targetPrefix', '')}.{wire_name}".lstrip("."),
            deprecated=(op.get("deprecatedMessage") or "Deprecated.")
            if op.get("deprecated")
            else None,
        )

    def event_stream(self, op: JSON) -> tuple[str, dict[str, tuple[str | None, str]]] | None:
        """For an output with an event stream member: (member, event -> (payload member, type)).

        The payload member is the event's ``eventpayload`` member (None when the event's members
        travel as a JSON body); the type is that member's shape type.
        """
        if "output" not in op:
            return None
        out = self.shapes[op["output"]["shape"]]
        for wire, member in out.get("members", {}).items():
            stream = self.shapes[member["shape"]]
            if not stream.get("eventstream"):
                continue
            events: dict[str, tuple[str | None, str]] = {}
            for event_name, event_member in stream.get("members", {}).items():
                event = self.shapes[event_member["shape"]]
                payload = next(
                    (n for n, m in event.get("members", {}).items() if m.get("eventpayload")), None
                )
                kind = (
                    self.shapes[event["members"][payload]["shape"]]["type"]
                    if payload
                    else "structure"
                )
                events[event_name] = (payload, kind)
            return wire, events
        return None

    def closure(self, roots: list[str]) -> list[str]:
        """Shape names reachable from ``roots`` (depth first, deterministic)."""
        seen: dict[str, None] = {}
        stack = list(reversed(roots))
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen[name] = None
            shape = self.shapes[name]
            kind = shape["type"]
            if kind in ("structure", "union"):
                children = [m["shape"] for m in shape.get("members", {}).values()]
            elif kind == "list":
                children = [shape["member"]["shape"]]
            elif kind == "map":
                children = [shape["key"]["shape"], shape["value"]["shape"]]
            else:
                children = []
            stack.extend(reversed(children))
        return list(seen)


def _duplicates(names: list[str]) -> set[str]:
    seen: set[str] = set()
    return {n for n in names if n in seen or seen.add(n)}  # type: ignore[func-returns-value]


def build(model: JSON, paginators: JSON | None = None) -> Service:
    """Normalize a service model (and its paginators-1.json ``pagination``) into the IR."""
    b = _Builder(model)
    meta = model["metadata"]
    shapes = b.shapes

    operations = [b.operation(name, op) for name, op in sorted(model["operations"].items())]

    structures = {n: b.structure(n) for n, s in sorted(shapes.items()) if b._is_class(s)}
    enums = {n: b.enum(n) for n, s in sorted(shapes.items()) if b._is_enum(s)}
    errors = [b.error(n) for n, s in sorted(shapes.items()) if s.get("exception")]

    # Group classes into private modules by the first operation (alphabetically) that uses them.
    # A class only refers to classes its users also reach, so references point to the same
    # module or to one of an earlier operation: the modules import each other without cycles.
    home: dict[str, str] = {}
    for name, op in sorted(model["operations"].items()):
        roots = [op[k]["shape"] for k in ("input", "output") if k in op]
        for shape_name in b.closure(roots):
            home.setdefault(shape_name, naming.snake_case(name))
    modules: dict[str, ShapeModule] = {}

    def module(name: str) -> ShapeModule:
        return modules.setdefault(name, ShapeModule(name=name))

    for shape_name, struct in structures.items():
        struct.module = home.get(shape_name, "unreferenced")
        module(struct.module).structures.append(struct)
    for shape_name, enum in enums.items():
        enum.module = home.get(shape_name, "unreferenced")
        module(enum.module).enums.append(enum)

    where = {s.name: s.module for s in structures.values()} | {
        e.name: e.module for e in enums.values()
    }
    for mod in modules.values():
        for struct in mod.structures:
            mod.uses_datetime |= struct.uses_datetime
            mod.uses_json |= struct.uses_json
            mod.uses_redact |= any(m.sensitive for m in struct.members)
            for ref in struct.refs:
                if where[ref] != mod.name:
                    mod.imports.setdefault(where[ref], set()).add(ref)

    aliases = []
    for name, shape in sorted(shapes.items()):
        if shape["type"] in ("list", "map"):
            annotation, _, _, _ = b.annotation(name)
            aliases.append(Alias(naming.class_name(name), annotation, _doc(shape)))
        elif shape.get("document") or shape["type"] == "document":
            aliases.append(Alias(naming.class_name(name), "JSONValue", _doc(shape)))
    taken = set(b.class_names.values())
    clash = [a.name for a in aliases if a.name in taken]
    if clash:
        raise ValueError(f"alias names collide with classes: {clash}")

    service = Service(
        service_id=meta.get("serviceId", meta.get("endpointPrefix", "")),
        full_name=meta.get("serviceFullName", ""),
        api_version=meta.get("apiVersion", ""),
        protocol=meta.get("protocol", "json"),
        json_version=meta.get("jsonVersion", "1.1"),
        target_prefix=meta.get("targetPrefix", ""),
        endpoint_prefix=meta.get("endpointPrefix", ""),
        signing_name=meta.get("signingName", meta.get("endpointPrefix", "")),
        doc=html_to_text(model.get("documentation")),
        operations=operations,
        structures=structures,
        enums=enums,
        aliases=aliases,
        errors=errors,
        modules=sorted(modules.values(), key=lambda m: m.name),
    )
    service.query_compatible = "awsQueryCompatible" in meta
    _client(service, b, where)
    _paginate(service, model, paginators or {}, where)
    return service


def _paginate(service: Service, model: JSON, listed: JSON, where: dict[str, str]) -> None:
    by_name = {s.name: s for s in service.structures.values()}
    for op in service.operations:
        config = paging.paging_config(model, op.wire_name, listed)
        if config is None or not op.input or not op.output:
            continue
        inp, out = by_name[op.input], by_name[op.output]
        in_names = {m.wire_name: m for m in inp.members}
        out_names = {m.wire_name: m for m in out.members}
        token, out_token, result = config.input_token, config.output_token, config.result_key
        limit = config.limit_key
        if token not in in_names or out_token not in out_names or result not in out_names:
            raise ValueError(f"paginator of {op.wire_name} names members its shapes lack")
        result_member = out_names[result]
        item = result_member.annotation
        if not (item.startswith("list[") and item.endswith("]")):
            raise ValueError(f"paginator of {op.wire_name}: {result} is not a list")
        op.pagination = Pagination(
            input_token=in_names[token].name,
            output_token=out_names[out_token].name,
            result=result_member.name,
            limit=in_names[limit].name if limit in in_names else None,
            limit_required=bool(limit in in_names and in_names[limit].required),
            item_annotation=item[len("list[") : -1],
            inferred=config.inferred,
        )
        op.paginate_params = [m for m in inp.members if m.wire_name not in (token, limit)]
        for name in re.findall(r"\b[A-Za-z_]\w*\b", op.pagination.item_annotation):
            if name in where:
                service.client_imports.setdefault(where[name], set()).add(name)
        item_name = op.pagination.item_annotation
        op.paginate_doc = (
            f"Page through `{op.name}`: each page is a `{op.output}`.\n\n"
            f"`async for page in client.paginate_{op.name}(...)` fetches pages as the loop "
            f"reaches them;\n`async for item in client.paginate_{op.name}(...).items()` yields "
            f"each `{item_name}`\nof `{op.pagination.result}`. Iteration stops when the service "
            "returns no new page token.\n\n"
            + "Args:\n"
            + "".join(f"    {p.name}: as for `{op.name}`.\n" for p in op.paginate_params)
            + (
                "    page_size: items per page (the operation's `" + (limit or "") + "`).\n"
                if op.pagination.limit
                else ""
            )
            + "    starting_token: resume from a token an earlier page returned.\n\n"
            f"Returns:\n    Paginator[{op.output}, {item_name}]"
        )


def _first_paragraph(text: str) -> str:
    para = text.split("\n\n", 1)[0].strip()
    return " ".join(para.split())


def _client(service: Service, b: _Builder, where: dict[str, str]) -> None:
    """Decide the client's names, parameters, imports and method docs."""
    service.client_name = naming.class_name(service.service_id.replace(" ", "")) + "Client"
    service.client_doc = (
        f"Async client of the {service.full_name} API ({service.api_version}).\n\n"
        + (service.doc + "\n\n" if service.doc else "")
        + "Construct it with a region (or an endpoint URL) and use it as `async with`;\n"
        "each method sends one request and returns the typed output shape."
    )
    by_name = {s.name: s for s in service.structures.values()}
    imports: dict[str, set[str]] = {}

    def need(names: set[str]) -> None:
        for name in names:
            imports.setdefault(where[name], set()).add(name)

    for op in service.operations:
        if op.input:
            inp = by_name[op.input]
            op.input_module = inp.module
            op.params = inp.members
            labels = {m.wire_name: m.name for m in inp.members if m.host_label}
            if op.host_prefix:
                op.host_labels = {
                    label: labels[label] for label in re.findall(r"\{(\w+)\}", op.host_prefix)
                }
            op.idempotency_tokens = [m.name for m in inp.members if m.idempotency_token]
            service.client_uses_collections |= any(
                "list[" in m.annotation or "dict[" in m.annotation for m in inp.members
            )
            need(inp.refs)
            service.client_uses_datetime |= inp.uses_datetime
            service.client_uses_json |= inp.uses_json
        if op.output:
            op.output_module = by_name[op.output].module
            need({op.output})
    raised = {error.name: _raises_text(error) for error in service.errors}
    for op in service.operations:
        op.method_doc = _method_doc(op, by_name, raised)
    service.client_imports = imports


# How the model's error docs open; what follows reads as "Raises: X: when ...".
_ERROR_DOC_OPENING = re.compile(
    r"^(?:This exception is (?:thrown|throw|returned)|Exception that is thrown) ", re.IGNORECASE
)


def _raises_text(error: Error) -> str:
    """The description of ``error`` in a method's ``Raises:`` section: its doc's first sentence.

    Google-style ``Raises:`` entries are ``Name: description``; a bare name is not one (doc
    tools warn about it and show no description).
    """
    paragraph = _first_paragraph(error.doc)
    found = re.match(r"(.+?[.!?])(?:\s|$)", paragraph)
    sentence = _ERROR_DOC_OPENING.sub("", found.group(1) if found else paragraph)
    return sentence or f"the service's `{error.code}` error."


def _method_doc(op: Operation, by_name: dict[str, Structure], raised: dict[str, str]) -> str:
    import textwrap

    parts = [op.doc or f"Call {op.wire_name}."]
    if op.deprecated:
        parts.append(f"Deprecated: {op.deprecated}")
    if op.params:
        lines = ["Args:"]
        for p in op.params:
            text = _first_paragraph(p.doc) or "See the model."
            entry = textwrap.wrap(
                f"{p.name}: {text}", width=80, break_long_words=False, break_on_hyphens=False
            )
            lines.append("    " + entry[0])
            lines.extend("        " + line for line in entry[1:])
        parts.append("\n".join(lines))
    if op.output:
        parts.append(f"Returns:\n    {op.output}")
    if op.errors:
        lines = ["Raises:"]
        for err in op.errors:
            entry = textwrap.wrap(
                f"{err}: {raised.get(err) or 'a modeled error.'}",
                width=80,
                break_long_words=False,
                break_on_hyphens=False,
            )
            lines.append("    " + entry[0])
            lines.extend("        " + line for line in entry[1:])
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
