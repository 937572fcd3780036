"""Every docstring of the generated code: its text is assembled here, and only here.

The model's HTML documentation becomes Markdown-flavoured plain text (``code``, ``- `` list
items, ``[text](url)`` links) that reads well in an editor, in ``help()`` and in a rendered API
reference alike. ``document()`` then writes each IR object's ``docstring`` (and the modules',
the client's and its methods'): the model's text plus what we add (deprecations, constraints,
``Args:``/``Returns:``/``Raises:`` sections, a line for what the model leaves undocumented).
Templates only place the text (``literals.docstring_literal`` writes it as a triple-quoted
literal).
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import html2text

if TYPE_CHECKING:
    from .ir import Error, Member, Operation, Service, ShapeModule, Structure

WIDTH = 88


def _converter() -> html2text.HTML2Text:
    h = html2text.HTML2Text()
    h.body_width = 0  # we wrap ourselves, keeping list indentation and long URLs intact
    h.ignore_emphasis = True
    h.ignore_images = True
    h.ul_item_mark = "-"
    h.use_automatic_links = True
    h.unicode_snob = True
    return h


# <note> and <important> are AWS-specific: html2text would drop the tags and their meaning.
_ADMONITION = re.compile(r"<(note|important)>\s*(?:<p>)?", re.IGNORECASE)
_CLOSE_ADMONITION = re.compile(r"</(note|important)>", re.IGNORECASE)


@lru_cache(maxsize=4096)
def html_to_text(html: str | None, width: int = WIDTH) -> str:
    """Convert model documentation (HTML) into wrapped plain text; ``""`` when there is none."""
    if not html or not html.strip():
        return ""
    html = _ADMONITION.sub(lambda m: f"<p>{m.group(1).capitalize()}: ", html)
    html = _CLOSE_ADMONITION.sub("", html)
    text = _converter().handle(html)
    # html2text escapes Markdown-significant characters (`\-`, `1\.`); plain text wants none.
    text = re.sub(r"(?<!\\)\\([-+.])(?=\s)", r"\1", text)
    lines = [re.sub(r"(?<=\S) {2,}", " ", line.rstrip()) for line in text.splitlines()]
    text = "\n".join(lines)
    # html2text separates list items with blank lines; a list reads better packed.
    packed = None
    while packed != text:
        packed, text = text, re.sub(r"(?m)^( *- [^\n]*)\n\n(?= *- )", r"\1\n", text)
    text = textwrap.dedent(re.sub(r"\n{3,}", "\n\n", text).strip("\n")).rstrip()
    return _wrap(text, width)


def _wrap(text: str, width: int) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        bullet = re.match(r"([-*] |\d+\. )", stripped)
        sub = indent + (" " * len(bullet.group(1)) if bullet else "")
        out.extend(
            textwrap.wrap(
                stripped,
                width=width,
                initial_indent=indent,
                subsequent_indent=sub,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def model_doc(node: dict[str, Any]) -> str:
    """The ``documentation`` of a model node (shape, member, operation) as text."""
    return html_to_text(node.get("documentation"))


# --- what we add to the model's text ----------------------------------------------------------


def document(service: Service) -> None:
    """Write the docstring of every generated module, class, field and method into the IR."""
    service.client_doc = _client_doc(service)
    service.client_module_doc = (
        f"The async client of the {service.full_name} API: one method per operation.\n\n"
        f"Generated from API version {service.api_version} of the model: "
        f"{len(service.operations)} operations, {len(service.paginated)} of which\n"
        "page (a `paginate_*` method each)."
    )
    literals = sum(1 for a in service.aliases if a.enum)
    service.shapes_module_doc = (
        f"Typed shapes of the {service.full_name} API (version {service.api_version}).\n\n"
        "Every structure of the model is an attrs class (keyword-only, slots; required members "
        "first),\nevery string enum a `StrEnum`, every list and map shape a type alias. Fields "
        "whose values the\nmodel marks sensitive, and a few that are secrets in practice "
        "(confirmation codes, SRP\nvalues, device verifiers, HTTP header values), are redacted "
        "in `repr()`.\n\n"
        "Enum-typed parameters take an enum's members or its values as string literals (the "
        "enum's\n`...Literal` alias), and `UnmodeledValue(...)` for a value the model does not "
        "list yet;\nanswers hold the member, or the plain string when the service sends a "
        "newer value.\n\n"
        f"This revision of the model has {len(service.structures)} structures, "
        f"{len(service.enums)} enums and {len(service.aliases) - literals} aliases.\n\n"
        "Classes are defined on first use, so importing this module is cheap; type checkers "
        "see all of\nthem through this module's `TYPE_CHECKING` imports."
    )
    service.shapes_package_doc = (
        "Private home of the shape classes, one module per class (`UserType` in `user_type.py`)."
        "\n\nImport shapes from `aiocognito.shapes`: the module names here are not part of the "
        "API."
    )
    service.shapes_index_doc = (
        "Every shape class, imported from its module: for type checkers and the API reference.\n\n"
        "`shapes` imports it under `TYPE_CHECKING` only; at run time, `shapes` loads each "
        "class's\nmodule on first access instead."
    )
    service.errors_module_doc = (
        f"One exception class per error the {service.full_name} API models "
        f"({len(service.errors)}).\n\n"
        "Each is a `ServiceError` (see `aiocognito._core.errors` for the whole tree), carrying "
        "the\nerror code, message, HTTP status and request id; `reason_code` and the like where "
        "modeled."
    )
    service.errors_table_doc = "Error code (as sent on the wire) -> exception class."
    service.secret_map_keys_doc = (
        "The `repr` of a map of strings the model does not mark sensitive: the values under "
        "these keys\n(SRP values, passwords, codes, an identity provider's client secret) "
        "redacted, the rest shown."
    )
    for struct in service.structures.values():
        struct.docstring = _join(
            struct.doc or _role_doc(struct, service.operations), _deprecation(struct.deprecated)
        )
        for member in struct.members:
            member.docstring = member_docstring(member)
        struct.from_wire_doc = (
            f"The `{struct.name}` a wire dict holds.\n\nUnknown members are ignored; a required "
            "member the dict lacks gets its zero value."
        )
        struct.to_wire_doc = f"The wire dict of a `{struct.name}` (`None` members left out)."
    for alias in service.aliases:
        if alias.enum:
            alias.doc = (
                f"The values of `{alias.enum}` as a `Literal`: what a parameter of that enum "
                "takes as a plain\nstring (`UnmodeledValue(...)` for one the model does not "
                "list yet)."
            )
    for enum in service.enums.values():
        enum.docstring = enum.doc or f"Known values of `{enum.shape}`; the service may send others."
        enum.table_doc = (
            f"Each `{enum.name}` member by its wire value: what answers are read with (a value not "
            "in it stays a plain `str`)."
        )
    raised = {}
    for error in service.errors:
        error.docstring = error.doc or f"The service answered `{error.code}`."
        for member in error.members:
            member.docstring = member_docstring(member)
        raised[error.name] = _raises_text(error)
    for module in service.modules:
        module.docstring = _module_doc(module)
    for op in service.operations:
        op.method_doc = _method_doc(op, raised)
        if op.pagination:
            op.paginate_doc = _paginate_doc(op)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p).strip()


def _deprecation(message: str | None) -> str:
    return f"Deprecated: {message}" if message else ""


def constraints_text(constraints: dict[str, Any]) -> str:
    """``min 1, max 128, pattern `[\\w]+`.``: what the service enforces on a value."""
    parts = []
    if "min" in constraints:
        parts.append(f"min {constraints['min']}")
    if "max" in constraints:
        parts.append(f"max {constraints['max']}")
    if "pattern" in constraints:
        parts.append(f"pattern `{constraints['pattern']}`")
    return ", ".join(parts) + "."


def member_docstring(member: Member) -> str:
    """A field's docstring: the model's text, its deprecation, the constraints on its value."""
    constraints = member.constraints and "Constraints: " + constraints_text(member.constraints)
    return _join(member.doc, _deprecation(member.deprecated), constraints or "")


def _role_doc(struct: Structure, operations: list[Operation]) -> str:
    """A docstring for a structure the model leaves undocumented: what it is for."""
    for op in operations:  # sorted by wire name
        if op.input == struct.name:
            return f"The input of `{op.wire_name}`."
        if op.output == struct.name:
            return f"The output of `{op.wire_name}`."
    return f"The `{struct.shape}` structure of the model."


def _module_doc(module: ShapeModule) -> str:
    names = [c.name for c in (*module.structures, *module.enums)]
    listed = ", ".join(f"`{n}`" for n in names)
    return f"The {listed} shape; import it from the package's `shapes` module."


def _client_doc(service: Service) -> str:
    return (
        f"Async client of the {service.full_name} API ({service.api_version}).\n\n"
        + (service.doc + "\n\n" if service.doc else "")
        + "Construct it with a region (or an endpoint URL) and use it as `async with`;\n"
        "each method sends one request and returns the typed output shape."
    )


def _first_paragraph(text: str) -> str:
    para = text.split("\n\n", 1)[0].strip()
    return " ".join(para.split())


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


def _entry(text: str) -> list[str]:
    """One ``Name: description`` entry of a Google-style section, wrapped and indented."""
    lines = textwrap.wrap(text, width=80, break_long_words=False, break_on_hyphens=False)
    return ["    " + lines[0], *("        " + line for line in lines[1:])]


def _method_doc(op: Operation, raised: dict[str, str]) -> str:
    parts = [op.doc or f"Call {op.wire_name}.", _deprecation(op.deprecated)]
    if op.params:
        lines = ["Args:"]
        for p in op.params:
            lines += _entry(f"{p.name}: {_first_paragraph(p.doc) or 'See the model.'}")
        parts.append("\n".join(lines))
    if op.output:
        parts.append(f"Returns:\n    {op.output}")
    if op.errors:
        lines = ["Raises:"]
        for err in op.errors:
            lines += _entry(f"{err}: {raised.get(err) or 'a modeled error.'}")
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p)


def _paginate_doc(op: Operation) -> str:
    pg = op.pagination
    assert pg is not None
    item = pg.item_annotation
    page_size = (
        f"    page_size: items per page (the operation's `{pg.limit_wire}`).\n" if pg.limit else ""
    )
    return (
        f"Page through `{op.name}`: each page is a `{op.output}`.\n\n"
        f"`async for page in client.paginate_{op.name}(...)` fetches pages as the loop "
        f"reaches them;\n`async for item in client.paginate_{op.name}(...).items()` yields "
        f"each `{item}`\nof `{pg.result}`. Iteration stops when the service "
        "returns no new page token.\n\n"
        + "Args:\n"
        + "".join(f"    {p.name}: as for `{op.name}`.\n" for p in op.paginate_params)
        + page_size
        + "    starting_token: resume from a token an earlier page returned.\n\n"
        f"Returns:\n    Paginator[{op.output}, {item}]"
    )
