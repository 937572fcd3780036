"""The exception tree is written once, in docs/guide/errors.md: it must be the real one.

Every ``CognitoError`` subclass of the package (modeled service errors aside) appears in the
documented tree under its real parent, with the builtins it also is; every class of the tree
exists and is exported where the tree says; ``aiocognito.__all__`` holds every class of the
tree's top levels and nothing that does not resolve.
"""

from __future__ import annotations

import builtins
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path

import aiocognito
import aiocognito.auth
from aiocognito import errors as modeled

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "errors.md"
MARKER = "<!-- error-tree: checked by tests/unit/test_error_tree.py -->"


@dataclass
class Node:
    name: str
    parent: str | None
    note: str
    children: list[str] = field(default_factory=list)


def documented_tree() -> dict[str, Node]:
    """Class name -> its node, parsed from the guide's code block after the marker."""
    text = GUIDE.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, "the guide must hold the tree exactly once"
    block = text.split(MARKER, 1)[1].split("```", 2)[1]
    nodes: dict[str, Node] = {}
    stack: list[str] = []
    for line in block.splitlines()[1:]:
        if not line.strip():
            continue
        match = re.match(r"^([│├└─ ]*)(\S+)\s*(.*)$", line)
        assert match, line
        prefix, name, note = match.groups()
        depth = len(prefix) // 4
        if not name[:1].isupper():  # "one class per modeled error, in aiocognito.errors"
            continue
        stack[depth:] = [name]
        parent = stack[depth - 1] if depth else None
        assert name not in nodes, f"{name} is written twice"
        nodes[name] = Node(name, parent, note)
        if parent is not None:
            nodes[parent].children.append(name)
    return nodes


def package_exceptions() -> dict[str, type[aiocognito.CognitoError]]:
    """Every CognitoError subclass defined in the package, once every module is imported."""
    for module in pkgutil.walk_packages(aiocognito.__path__, "aiocognito."):
        importlib.import_module(module.name)
    found: dict[str, type[aiocognito.CognitoError]] = {}
    todo: list[type[aiocognito.CognitoError]] = [aiocognito.CognitoError]
    while todo:
        cls = todo.pop()
        if issubclass(cls, aiocognito.ServiceError) and cls is not aiocognito.ServiceError:
            continue  # generated (here, or by the generator's tests): "one class per ..."
        if cls.__module__ == "aiocognito" or cls.__module__.startswith("aiocognito."):
            found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def test_the_documented_tree_is_the_class_hierarchy() -> None:
    tree = documented_tree()
    real = package_exceptions()
    assert sorted(tree) == sorted(real), "classes missing from the guide's tree, or extra"
    for name, node in tree.items():
        cls = real[name]
        ours = [b for b in cls.__bases__ if b.__module__.startswith("aiocognito")]
        parent = ours[0].__name__ if ours else None
        assert node.parent == parent, f"{name}: the tree says under {node.parent}, it is {parent}"
        also = re.findall(r"also (?:builtins\.)?(\w+)\)", node.note)
        builtin_bases = sorted(b.__name__ for b in cls.__bases__ if b.__module__ == "builtins")
        assert sorted(also) == [b for b in builtin_bases if b != "Exception"], name
        for builtin in also:
            assert issubclass(cls, getattr(builtins, builtin)), name


def test_modeled_errors_are_service_errors() -> None:
    assert modeled.ERRORS
    assert all(issubclass(cls, aiocognito.ServiceError) for cls in modeled.ERRORS.values())


def test_all_is_complete_and_sorted() -> None:
    tree = documented_tree()
    exported = set(aiocognito.__all__)
    homes: dict[str, str] = {}
    for name, node in tree.items():  # parents come first in the tree
        where = re.match(r"(aiocognito\.\w+):", node.note)  # "aiocognito.auth: ..."
        inherited = homes[node.parent] if node.parent else "aiocognito"
        homes[name] = where.group(1) if where else inherited
        home = importlib.import_module(homes[name])
        assert name in home.__all__, f"{name} is not in {home.__name__}.__all__"
        assert getattr(home, name).__name__ == name
    for name in exported:
        assert getattr(aiocognito, name) is not None, name
    classes = [n for n in aiocognito.__all__ if n[:1].isupper()]
    assert classes == sorted(classes)
    assert len(exported) == len(aiocognito.__all__)


def test_no_exported_name_shadows_a_builtin() -> None:
    for module in ("aiocognito", "aiocognito.auth", "aiocognito.oauth"):
        assert not set(importlib.import_module(module).__all__) & set(dir(builtins)), module
