"""Python names for model names, decided once, here.

The tables in this module are part of the public API of the generated package: changing an
entry renames a parameter or an attribute, which is a breaking change for users.
"""

from __future__ import annotations

import builtins
import keyword
import re

from botocore import xform_name

# Wire member name -> Python name, for the names botocore.xform_name splits badly.
MEMBER_NAME_OVERRIDES: dict[str, str] = {
    "AllowedOAuthFlows": "allowed_oauth_flows",
    "AllowedOAuthFlowsUserPoolClient": "allowed_oauth_flows_user_pool_client",
    "AllowedOAuthScopes": "allowed_oauth_scopes",
}

# Builtins that generated annotations use: a field with one of these names would shadow the type
# inside the class namespace (``bytes: bytes | None`` resolves the annotation to the field).
ANNOTATION_BUILTINS: frozenset[str] = frozenset(
    {"bool", "bytes", "dict", "float", "int", "list", "object", "str", "type"}
)

# Names the generated client and shapes use for themselves: a field called `field` would replace
# attrs.field for the rest of its class body.
RESERVED_MEMBER_NAMES: frozenset[str] = frozenset({"self", "cls", "field", "define", "redact"})

# Attributes every ServiceError has: a modeled error member with one of these names is renamed.
# The runtime's class is the source; tests/codegen/test_naming.py checks this copy against it
# (the generator imports nothing from src/).
ERROR_RESERVED_NAMES: frozenset[str] = frozenset(
    {
        "code",
        "message",
        "status_code",
        "request_id",
        "operation",
        "attempts",
        "retry_after",
        "args",
        "fault",
        "error_code",
        "http_status",
        "wire_members",
        "add_note",
        "with_traceback",
    }
)

# Attributes of the client base class that an operation method must not replace (checked
# against BaseClient by the same test).
RESERVED_METHOD_NAMES: frozenset[str] = frozenset({"close", "region", "endpoint_url", "retry"})


def snake_case(name: str) -> str:
    """``InitiateAuth`` -> ``initiate_auth``, through botocore's own rules."""
    return xform_name(name)


def member_name(wire_name: str) -> str:
    """The Python field/parameter name of a structure member.

    Keywords, annotation builtins and reserved names get a trailing underscore
    (``From`` -> ``from_``, ``Bytes`` -> ``bytes_``).
    """
    name = MEMBER_NAME_OVERRIDES.get(wire_name) or snake_case(wire_name)
    # attrs strips leading underscores from __init__ parameters: a name must not start with one.
    name = re.sub(r"[^0-9a-zA-Z_]", "_", name).lstrip("_") or "member"
    if name[:1].isdigit():
        name = "n" + name
    if keyword.iskeyword(name) or name in ANNOTATION_BUILTINS or name in RESERVED_MEMBER_NAMES:
        name += "_"
    return name


def operation_name(wire_name: str) -> str:
    """The client method name of an operation."""
    name = snake_case(wire_name)
    if keyword.iskeyword(name) or hasattr(builtins, name) or name in RESERVED_METHOD_NAMES:
        name += "_"
    return name


def class_name(shape_name: str) -> str:
    """The class name of a structure, enum or error: the model's name, made a valid identifier."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", shape_name)
    name = name[:1].upper() + name[1:]
    if name[:1].isdigit():
        name = "_" + name
    return name


def module_name(class_name: str) -> str:
    """The private module of a generated class: ``UserType`` -> ``user_type``.

    ``_shapes/user_type.py`` holds ``UserType``: a reader finds a class's file from its name,
    and the path (which tracebacks and pickles show) never moves when operations come and go.
    """
    name = snake_case(class_name).lower().strip("_") or "shape"
    name = re.sub(r"[^0-9a-z_]", "_", name)
    if name[:1].isdigit():
        name = "n" + name
    return name + "_" if keyword.iskeyword(name) else name


def enum_member_name(value: str) -> str:
    """``USER_PASSWORD_AUTH`` stays; ``Enabled`` -> ``ENABLED``; ``aws.cognito`` -> ``AWS_COGNITO``."""
    words = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_")
    if not words:
        return "EMPTY"
    if any(c.islower() for c in words) and any(c.isupper() for c in words):
        words = xform_name(words)
    name = re.sub(r"_+", "_", words).upper()
    if name[0].isdigit():
        name = "V" + name
    return name


def unique(names: list[str]) -> list[str]:
    """Make a list of generated names unique by numbering repeats (``X``, ``X_2``, ...)."""
    taken = set(names)
    used: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, count = name, 1
        while candidate in used or (candidate != name and candidate in taken):
            count += 1
            candidate = f"{name}_{count}"
        used.add(candidate)
        out.append(candidate)
    return out


def converter_alias(module: str, name: str) -> str:
    """The name under which a generated module imports another module's converter function or
    enum table: ``from_wire`` of ``user_type`` is ``_user_type_from_wire`` (private, so no field
    name shadows it inside a generated function)."""
    return f"_{module}_{name.lower()}"
