"""Where each generated class lives, and what each module imports: decided here.

One private module per class under ``_shapes/``, named after it (``naming.module_name``):
``UserType`` is in ``_shapes/user_type.py``, ``InitiateAuthRequest`` in
``_shapes/initiate_auth_request.py``. A reader (or a traceback, a mypy message, a pickle) finds
the file from the class name, and a class never moves when operations are added or removed.
Users import every class from the ``shapes`` facade, which loads a module on first access, so
a call loads exactly the classes its input and output reach.

A module imports the classes its fields name (``attrs.resolve_types`` evaluates the string
annotations in the module's namespace), and the converter functions and enum tables its own
converter functions call (``import_converters``), under private aliases
(``naming.converter_alias``). Classes that refer to each other in a cycle import each other at
the bottom of their modules, once their own class exists, so the cycle imports cleanly; every
other import is at the top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import naming

if TYPE_CHECKING:
    from .ir import Enum, Service, ShapeModule, Structure


def place(service: Service) -> None:
    """Give every structure and enum its module; build ``service.modules`` and their imports."""
    from .ir import ShapeModule  # ir imports this module: the classes only at run time

    classes: list[Structure | Enum] = sorted(
        [*service.structures.values(), *service.enums.values()], key=lambda c: c.name
    )
    names = naming.unique([naming.module_name(c.name) for c in classes])
    modules: dict[str, ShapeModule] = {}
    for cls, module in zip(classes, names, strict=True):
        cls.module = module
        modules[module] = ShapeModule(name=module)
    for struct in service.structures.values():
        modules[struct.module].structures.append(struct)
    for enum in service.enums.values():
        modules[enum.module].enums.append(enum)

    where = {c.name: c.module for c in classes}
    refs = {s.name: set(s.refs) for s in service.structures.values()}
    cyclic = _cycles(refs)
    for struct in service.structures.values():
        module = modules[struct.module]
        for ref in sorted(struct.refs):
            if where[ref] == module.name:
                continue
            late = ref in cyclic.get(struct.name, set())
            target = module.late_imports if late else module.imports
            target.setdefault(where[ref], set()).add(ref)
    service.modules = sorted(modules.values(), key=lambda m: m.name)

    for op in service.operations:
        op.input_module = service.structure(op.input).module if op.input else ""
        op.output_module = service.structure(op.output).module if op.output else ""


def import_converters(service: Service) -> None:
    """Add to each module the converter functions, enum tables and serde helpers it calls."""
    from .converters import ENUM_TABLE

    where = {name: cls.module for name, cls in service.classes.items()}
    by_module = {m.name: m for m in service.modules}
    for struct in service.structures.values():
        conv = struct.converters
        assert conv is not None, "converters.write() runs first"
        module: ShapeModule = by_module[struct.module]
        module.helpers |= conv.helpers
        for name in sorted(conv.classes):
            if where[name] == module.name:
                continue  # a class calling its own module's functions
            target = module.late_imports if where[name] in module.late_imports else module.imports
            for function in ("from_wire", "to_wire"):
                alias = naming.converter_alias(where[name], function)
                target.setdefault(where[name], set()).add(f"{function} as {alias}")
        for name in sorted(conv.enums):
            alias = naming.converter_alias(where[name], ENUM_TABLE)
            module.imports.setdefault(where[name], set()).add(f"{ENUM_TABLE} as {alias}")


def _cycles(refs: dict[str, set[str]]) -> dict[str, set[str]]:
    """Class -> the classes it refers to that refer back to it, directly or not."""
    reach: dict[str, set[str]] = {}
    for start, targets in refs.items():
        seen: set[str] = set()
        pending = list(targets)
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(refs.get(name, ()))
        reach[start] = seen
    return {
        name: {r for r in targets if name in reach.get(r, ())} for name, targets in refs.items()
    }
