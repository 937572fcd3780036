"""The intermediate representation: the model normalized, every decision about the output made.

Templates only read the IR. ``build()`` runs the steps below in order; each kind of decision
has its own module, which the steps call:

- ``naming``: Python names of operations, members, classes, enum members and modules;
- ``annotations``: what each shape becomes and the annotation of every field, parameter and
  error attribute;
- ``paging``: which operations page, and by which members;
- ``layout``: which module each class lives in, and what each module imports;
- ``converters``: the structure and unstructure function of each class, as code;
- ``docs``: the text of every docstring (the model's HTML converted, and what we add).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import annotations, converters, docs, layout, naming, paging, redaction
from .annotations import TypeRef, WireType
from .literals import py_str
from .model import JSON


@dataclass
class Member:
    wire_name: str
    name: str
    type: TypeRef
    required: bool
    sensitive: bool  # redacted in repr (``redaction``)
    doc: str  # the model's documentation, as text
    shape: str
    wire: WireType = field(default_factory=lambda: WireType("document"))
    deprecated: str | None = None
    constraints: dict[str, Any] = field(default_factory=dict)
    minimums: dict[str, int | float] = field(default_factory=dict)  # checked on input
    host_label: bool = False
    idempotency_token: bool = False
    docstring: str = ""  # docs.document(): doc, deprecation and constraints

    @property
    def timestamp_format(self) -> str | None:
        """The format of the member's timestamps (its own, or those its list or map holds)
        when not the protocol's default (epoch seconds); ``wire`` carries it."""
        wire = self.wire
        while wire.item is not None:
            wire = wire.item
        return wire.timestamp_format

    @property
    def annotation(self) -> str:
        """The field's annotation (without ``| None`` for an optional member)."""
        return self.type.annotation

    @property
    def redact_keys(self) -> bool:
        """A map of strings shown in repr with the values of ``redaction.SECRET_MAP_KEYS``
        redacted (when it is not redacted whole)."""
        item = self.wire.item
        return self.wire.kind == "map" and item is not None and item.kind == "str"

    @property
    def metadata(self) -> str:
        """The attrs field's metadata, as a Python literal: what the runtime reads of the model.

        ``wire``: the member's name in JSON; ``timestamp``: a non-default timestamp format;
        ``zero``: for a required member, the wire value client error correction fills in
        (``annotations.wire_zero``; the generated ``from_wire`` has it inline); ``min``,
        ``item_min``, ``key_min``: what client-side validation checks (``annotations.minimums``).
        """
        items = [f'"wire": {py_str(self.wire_name)}']
        if self.timestamp_format:
            items.append(f'"timestamp": {py_str(self.timestamp_format)}')
        if self.required:
            items.append(f'"zero": {annotations.wire_zero(self.wire)}')
        items += [f'"{name}": {value!r}' for name, value in self.minimums.items()]
        return "{" + ", ".join(items) + "}"

    @property
    def param_annotation(self) -> str:
        """The annotation of the client method parameter for this member."""
        return annotations.parameter(self.wire, self.type)

    @property
    def error_annotation(self) -> str:
        """The annotation of the exception attribute for this member of an error shape."""
        return annotations.error_attribute(self.type.annotation)


@dataclass
class Structure:
    name: str
    shape: str
    doc: str
    members: list[Member]
    module: str = ""  # layout.place()
    sensitive: bool = False
    deprecated: str | None = None
    docstring: str = ""
    from_wire_doc: str = ""
    to_wire_doc: str = ""
    converters: converters.Converters | None = None  # converters.write()

    @property
    def refs(self) -> frozenset[str]:
        """The classes its members' annotations name."""
        return frozenset().union(*(m.type.classes for m in self.members))

    @property
    def uses_datetime(self) -> bool:
        return any(m.type.uses_datetime for m in self.members)

    @property
    def uses_json(self) -> bool:
        return any(m.type.uses_json for m in self.members)


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
    docstring: str = ""
    table_doc: str = ""


@dataclass
class Alias:
    name: str
    annotation: str
    doc: str
    enum: str = ""  # for the Literal of an enum's values: the enum class


@dataclass
class Error:
    name: str
    code: str
    doc: str
    fault: str  # "client" or "server"
    http_status: int | None
    members: list[Member]
    extra_codes: list[str] = field(default_factory=list)
    docstring: str = ""


@dataclass
class Pagination:
    """How an operation pages: Python names of its token, result and page-size members."""

    input_token: str
    output_token: str
    result: str
    limit: str | None
    limit_wire: str | None
    item_annotation: str
    inferred: bool  # True when found by paging's inference rule, not in paginators-1.json
    limit_required: bool = False


@dataclass(frozen=True)
class EventPayload:
    """One event of an event stream: its payload member (None: the members travel as a JSON
    body) and that member's shape type."""

    member: str | None
    kind: str


@dataclass(frozen=True)
class EventStream:
    """The output member carrying an event stream, and its events by name."""

    member: str
    events: dict[str, EventPayload]


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
    event_stream: EventStream | None = None


@dataclass
class ShapeModule:
    """One private module of ``_shapes/`` (see ``layout``)."""

    name: str
    structures: list[Structure] = field(default_factory=list)
    enums: list[Enum] = field(default_factory=list)
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names, at the top
    # Classes of a reference cycle, imported after the module's own classes are defined.
    late_imports: dict[str, set[str]] = field(default_factory=dict)
    helpers: set[str] = field(default_factory=set)  # of converters.HELPERS_MODULE, as `_name`
    docstring: str = ""

    @property
    def uses_datetime(self) -> bool:
        return any(s.uses_datetime for s in self.structures)

    @property
    def uses_json(self) -> bool:
        return any(s.uses_json for s in self.structures)

    @property
    def uses_redact(self) -> bool:
        return any(m.sensitive for s in self.structures for m in s.members)

    @property
    def uses_redact_keys(self) -> bool:
        return any(m.redact_keys and not m.sensitive for s in self.structures for m in s.members)


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
    query_compatible: bool = False
    operations: list[Operation] = field(default_factory=list)
    structures: dict[str, Structure] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    modules: list[ShapeModule] = field(default_factory=list)
    client_name: str = ""
    client_doc: str = ""
    client_imports: set[str] = field(default_factory=set)  # classes, from `shapes`
    client_uses_datetime: bool = False
    client_uses_json: bool = False
    client_uses_collections: bool = False
    client_module_doc: str = ""
    shapes_module_doc: str = ""
    shapes_package_doc: str = ""
    shapes_index_doc: str = ""
    errors_module_doc: str = ""
    errors_table_doc: str = ""
    secret_map_keys: tuple[str, ...] = redaction.SECRET_MAP_KEYS
    secret_map_keys_doc: str = ""

    @cached_property
    def classes(self) -> dict[str, Structure | Enum]:
        """Every structure and enum by class name (read once ``build`` has made them)."""
        return {c.name: c for c in (*self.structures.values(), *self.enums.values())}

    def structure(self, class_name: str) -> Structure:
        """The structure whose class is ``class_name``."""
        found = self.classes[class_name]
        assert isinstance(found, Structure), f"{class_name} is not a structure"
        return found

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
        names = [name for name, _ in self.lazy_names] + [a.name for a in self.aliases]
        return sorted(names + ([annotations.UNMODELED] if self.enums else []))


# --- the steps ---------------------------------------------------------------------------------


def build(model: JSON, paginators: JSON | None = None) -> Service:
    """Normalize a service model (and its paginators-1.json ``pagination``) into the IR."""
    b = _Builder(model)
    service = _service(model)
    service.structures = b.structures()
    service.enums = b.enums()
    service.errors = b.errors()
    service.aliases = b.aliases()
    service.operations = b.operations()
    _paginate(service, model, paginators or {})
    _client(service)
    layout.place(service)
    docs.document(service)
    converters.write(service)
    layout.import_converters(service)
    return service


def _service(model: JSON) -> Service:
    """The service's own names and protocol settings."""
    meta = model["metadata"]
    service = Service(
        service_id=meta.get("serviceId", meta.get("endpointPrefix", "")),
        full_name=meta.get("serviceFullName", ""),
        api_version=meta.get("apiVersion", ""),
        protocol=meta.get("protocol", "json"),
        json_version=meta.get("jsonVersion", "1.1"),
        target_prefix=meta.get("targetPrefix", ""),
        endpoint_prefix=meta.get("endpointPrefix", ""),
        signing_name=meta.get("signingName", meta.get("endpointPrefix", "")),
        doc=docs.html_to_text(model.get("documentation")),
        query_compatible="awsQueryCompatible" in meta,
    )
    service.client_name = naming.class_name(service.service_id.replace(" ", "")) + "Client"
    return service


def _deprecated(node: JSON, target: JSON | None = None) -> str | None:
    if node.get("deprecated") or (target is not None and target.get("deprecated")):
        return str(node.get("deprecatedMessage") or "Deprecated.")
    return None


class _Builder:
    """Reads the model's shapes and operations into IR objects (names and types decided)."""

    def __init__(self, model: JSON) -> None:
        self.model = model
        self.shapes: dict[str, JSON] = model["shapes"]
        self.class_names: dict[str, str] = {
            shape_name: naming.class_name(shape_name)
            for shape_name, shape in self.shapes.items()
            if annotations.is_class(shape) or annotations.is_enum(shape) or shape.get("exception")
        }
        dupes = _duplicates(list(self.class_names.values()))
        if dupes:
            raise ValueError(f"shape names collide once made Python names: {sorted(dupes)}")
        self.typer = annotations.Typer(self.shapes, self.class_names)

    def _sorted(self, keep: Any) -> list[str]:
        return [n for n, s in sorted(self.shapes.items()) if keep(s)]

    def structures(self) -> dict[str, Structure]:
        return {n: self.structure(n) for n in self._sorted(annotations.is_class)}

    def enums(self) -> dict[str, Enum]:
        return {n: self.enum(n) for n in self._sorted(annotations.is_enum)}

    def errors(self) -> list[Error]:
        return [self.error(n) for n in self._sorted(annotations.is_error)]

    def aliases(self) -> list[Alias]:
        out = [
            Alias(naming.class_name(n), self.typer.of(n).annotation, docs.model_doc(self.shapes[n]))
            for n in self._sorted(annotations.is_alias)
        ]
        for n in self._sorted(annotations.is_enum):
            values = ", ".join(py_str(str(v)) for v in self.shapes[n]["enum"])
            enum_class = self.class_names[n]
            out.append(
                Alias(annotations.literal_alias(enum_class), f"Literal[{values}]", "", enum_class)
            )
        out.sort(key=lambda a: a.name)
        clash = [a.name for a in out if a.name in set(self.class_names.values())]
        clash += sorted(_duplicates([a.name for a in out]))
        if clash:
            raise ValueError(f"alias names collide with classes: {clash}")
        return out

    def operations(self) -> list[Operation]:
        return [self.operation(n, op) for n, op in sorted(self.model["operations"].items())]

    def sensitive(self, member: JSON, target: JSON) -> bool:
        """A member is sensitive when it, its shape, or what its list/map holds is."""
        return bool(member.get("sensitive")) or self._holds_sensitive(target)

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

    def timestamp_format(self, member: JSON, target: JSON) -> str | None:
        """A non-default timestamp format of a member: its own trait, else its shape's.

        Lists and maps of timestamps take the format of their member/value shape.
        """
        fmt = member.get("timestampFormat") or target.get("timestampFormat")
        for kind, key in (("list", "member"), ("map", "value")):
            if fmt is None and target["type"] == kind:
                inner = self.shapes[target[key]["shape"]]
                fmt = target[key].get("timestampFormat") or inner.get("timestampFormat")
        return None if fmt in (None, "unixTimestamp") else str(fmt)

    def members(self, shape_name: str, force_sensitive: bool = False) -> list[Member]:
        """The members of a structure, required ones first, each group in model order."""
        shape = self.shapes[shape_name]
        required = set(shape.get("required", []))
        wire_members = shape.get("members", {})
        names = naming.unique([naming.member_name(w) for w in wire_members])
        out: list[Member] = []
        for py_name, (wire, member) in zip(names, wire_members.items(), strict=True):
            target = self.shapes[member["shape"]]
            out.append(
                Member(
                    wire_name=wire,
                    name=py_name,
                    type=self.typer.of(member["shape"]),
                    required=wire in required,
                    sensitive=force_sensitive
                    or self.sensitive(member, target)
                    or redaction.is_secret(wire, member["shape"]),
                    doc=docs.model_doc(member) or docs.model_doc(target),
                    shape=member["shape"],
                    wire=self.typer.wire(member["shape"], self.timestamp_format(member, target)),
                    deprecated=_deprecated(member, target),
                    constraints={k: target[k] for k in ("min", "max", "pattern") if k in target},
                    minimums=annotations.minimums(self.shapes, member["shape"]),
                    host_label=bool(member.get("hostLabel")),
                    idempotency_token=bool(member.get("idempotencyToken")),
                )
            )
        return [m for m in out if m.required] + [m for m in out if not m.required]

    def structure(self, shape_name: str) -> Structure:
        shape = self.shapes[shape_name]
        sensitive = bool(shape.get("sensitive"))
        return Structure(
            name=self.class_names[shape_name],
            shape=shape_name,
            doc=docs.model_doc(shape),
            members=self.members(shape_name, force_sensitive=sensitive),
            sensitive=sensitive,
            deprecated=_deprecated(shape),
        )

    def enum(self, shape_name: str) -> Enum:
        shape = self.shapes[shape_name]
        values = [str(v) for v in shape["enum"]]
        names = naming.unique([naming.enum_member_name(v) for v in values])
        return Enum(
            name=self.class_names[shape_name],
            shape=shape_name,
            doc=docs.model_doc(shape),
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
            doc=docs.model_doc(shape),
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
        uri = str(op.get("http", {}).get("requestUri", "/")) or "/"
        prefix = self.model["metadata"].get("targetPrefix", "")
        return Operation(
            path=uri if uri.startswith("/") else "/" + uri,
            compression=list((op.get("requestcompression") or {}).get("encodings", [])),
            event_stream=self.event_stream(op),
            host_prefix=(op.get("endpoint") or {}).get("hostPrefix"),
            wire_name=wire_name,
            name=naming.operation_name(wire_name),
            doc=docs.model_doc(op),
            input=self.class_names[op["input"]["shape"]] if "input" in op else None,
            output=self.class_names[op["output"]["shape"]] if "output" in op else None,
            errors=[self.class_names[e["shape"]] for e in op.get("errors", [])],
            signed=not unsigned,
            target=f"{prefix}.{wire_name}".lstrip("."),
            deprecated=_deprecated(op),
        )

    def event_stream(self, op: JSON) -> EventStream | None:
        """The output member carrying an event stream, with each event's payload member."""
        if "output" not in op:
            return None
        out = self.shapes[op["output"]["shape"]]
        for wire, member in out.get("members", {}).items():
            stream = self.shapes[member["shape"]]
            if not stream.get("eventstream"):
                continue
            events: dict[str, EventPayload] = {}
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
                events[event_name] = EventPayload(payload, kind)
            return EventStream(wire, events)
        return None


def _duplicates(names: list[str]) -> set[str]:
    seen: set[str] = set()
    return {n for n in names if n in seen or seen.add(n)}  # type: ignore[func-returns-value]


def _paginate(service: Service, model: JSON, listed: JSON) -> None:
    """Each paged operation's ``Pagination`` (which operations page: ``paging``)."""
    for op in service.operations:
        config = paging.paging_config(model, op.wire_name, listed)
        if config is None or not op.input or not op.output:
            continue
        in_names = {m.wire_name: m for m in service.structure(op.input).members}
        out_names = {m.wire_name: m for m in service.structure(op.output).members}
        token, out_token, result = config.input_token, config.output_token, config.result_key
        if token not in in_names or out_token not in out_names or result not in out_names:
            raise ValueError(f"paginator of {op.wire_name} names members its shapes lack")
        item = out_names[result].annotation
        if not (item.startswith("list[") and item.endswith("]")):
            raise ValueError(f"paginator of {op.wire_name}: {result} is not a list")
        limit = in_names.get(config.limit_key) if config.limit_key else None
        op.pagination = Pagination(
            input_token=in_names[token].name,
            output_token=out_names[out_token].name,
            result=out_names[result].name,
            limit=limit.name if limit else None,
            limit_wire=limit.wire_name if limit else None,
            limit_required=bool(limit and limit.required),
            item_annotation=item[len("list[") : -1],
            inferred=config.inferred,
        )
        op.paginate_params = [
            m
            for m in service.structure(op.input).members
            if m.wire_name not in (token, config.limit_key)
        ]


def _client(service: Service) -> None:
    """The client methods' parameters, host labels, idempotency tokens and type imports."""
    classes = set(service.classes)
    for op in service.operations:
        if op.output:
            service.client_imports.add(op.output)
        if op.pagination:
            names = re.findall(r"\b[A-Za-z_]\w*\b", op.pagination.item_annotation)
            service.client_imports |= set(names) & classes
        if not op.input:
            continue
        inp = service.structure(op.input)
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
        service.client_imports |= inp.refs
        for m in inp.members:
            enums = annotations.enums_in(m.wire)
            service.client_imports |= {annotations.literal_alias(e) for e in enums}
            if enums:
                service.client_imports.add(annotations.UNMODELED)
        service.client_uses_datetime |= inp.uses_datetime
        service.client_uses_json |= inp.uses_json
