"""What the API reference needs beyond griffe's static reading of src/ (see mkdocs.yml).

- An attrs shape member is declared as ``name: T = field(default=None, metadata=...)``: show
  its default (``= None``), or nothing for a required member, instead of the ``field()`` call.
- A generated client method lists its errors as ``Raises: NotAuthorizedException: ...``; the
  client module does not import those classes, so point each name at ``aiocognito.errors``
  for the reference to link it.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe

ERRORS_MODULE = "aiocognito.errors"
CLIENT_MODULE = "aiocognito.client"


def _field_default(value: griffe.ExprCall) -> str | griffe.Expr | None:
    for argument in value.arguments:
        if isinstance(argument, griffe.ExprKeyword) and argument.name == "default":
            return argument.value
    return None


class AiocognitoReference(griffe.Extension):
    """Shape defaults and error links for the aiocognito API reference."""

    def on_attribute_instance(
        self, *, node: ast.AST | griffe.ObjectNode, attr: griffe.Attribute, **kwargs: Any
    ) -> None:
        value = attr.value
        if (
            attr.parent is not None
            and attr.parent.is_class
            and isinstance(value, griffe.ExprCall)
            and str(value.function) in ("field", "attrs.field")
        ):
            attr.value = _field_default(value)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "aiocognito":
            return
        errors = pkg.modules.get("errors")
        client = pkg.modules.get("client")
        if errors is None or client is None:
            return
        for cls in client.classes.values():
            for method in cls.functions.values():
                if method.docstring is None:
                    continue
                for section in method.docstring.parsed:
                    if section.kind is not griffe.DocstringSectionKind.raises:
                        continue
                    for item in section.value:
                        name = str(item.annotation)
                        if name in errors.members:
                            item.annotation = griffe.ExprName(name, parent=ERRORS_MODULE)
