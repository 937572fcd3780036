"""Small types and helpers the generated shapes use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    JSONValue: TypeAlias = (
        bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
    )
    """A JSON value, as the model's document type carries it."""
else:
    # At run time the alias must be a real type for annotation resolution; any value passes.
    JSONValue = Any

REDACTED = "<redacted>"


def redact(value: object) -> str:
    """The ``repr`` of a sensitive field: says whether it is set, never what it is."""
    return "None" if value is None else REDACTED
