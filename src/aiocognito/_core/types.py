"""Small types and helpers the generated shapes use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NewType, TypeAlias, cast

if TYPE_CHECKING:
    JSONValue: TypeAlias = (
        bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
    )
    """A JSON value, as the model's document type carries it."""
else:
    # At run time the alias must be a real type for annotation resolution; any value passes.
    JSONValue = Any

UnmodeledValue = NewType("UnmodeledValue", str)
"""A value for an enum-typed parameter that the type checker does not check against the model.

Enum-typed parameters take the enum's members or its values as string literals, so a
misspelt value fails type checking. For a value the service accepts but the pinned model does
not list yet, or a value read from an answer (``SomeEnum | str``) and sent back, wrap it:
``auth_flow=UnmodeledValue("NEW_FLOW")``. At run time it is the string itself.
"""

REDACTED = "<redacted>"


def redact(value: object) -> str:
    """The ``repr`` of a sensitive field: says whether it is set, never what it is."""
    return "None" if value is None else REDACTED


class RedactKeys:
    """The ``repr`` of a map of strings whose values under some keys are secrets: those values
    redacted, the rest shown (the keys come from the code generator)."""

    __slots__ = ("keys",)

    def __init__(self, *keys: str) -> None:
        self.keys = frozenset(keys)

    def __call__(self, value: object) -> str:
        if not isinstance(value, Mapping):
            return repr(value)
        items = cast("Mapping[object, object]", value).items()
        return (
            "{"
            + ", ".join(f"{k!r}: {REDACTED if k in self.keys else repr(v)}" for k, v in items)
            + "}"
        )

    def __repr__(self) -> str:
        return f"RedactKeys({', '.join(repr(k) for k in sorted(self.keys))})"
