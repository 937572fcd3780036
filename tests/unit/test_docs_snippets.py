"""The Python in docs/ and README.md calls the API as it is: no invented method or parameter.

Every ```python block is parsed (top-level ``await`` allowed, as the guides write it). Each
call of a name the package defines (a client method, an auth or OAuth helper, a shape class,
...) must use keyword arguments that the real signature has, and a method called on a variable
named ``client``/``cognito`` (the client, in every guide), ``auth`` (a ``UserPoolAuth``) or
``oauth`` (an ``OAuth2Client``) must exist. Snippets are not run: they use placeholders such as ``pool_id``; the README's example
is run by ``tests/integration/test_readme.py``.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aiocognito import CognitoIdentityProviderClient, auth, oauth, shapes
from aiocognito._core.pagination import Paginator

ROOT = Path(__file__).resolve().parents[2]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

RECEIVERS: dict[str, type] = {
    "client": CognitoIdentityProviderClient,
    "cognito": CognitoIdentityProviderClient,
    "auth": auth.UserPoolAuth,
    "oauth": oauth.OAuth2Client,
}
"""Variable names the docs use for one kind of object: methods called on them must exist."""


def _parameters(target: Callable[..., Any]) -> tuple[set[str], bool]:
    """Keyword names ``target`` accepts, and whether it takes ``**kwargs``."""
    signature = inspect.signature(target)
    names = {
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    return names, any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    """The class's own public methods: not those a base such as ``Mapping`` brings (``get``
    is also every HTTP client's)."""
    return {
        name: member
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_") and getattr(member, "__module__", "").startswith("aiocognito")
    }


def _known_callables() -> dict[str, list[Callable[..., Any]]]:
    """Name as written in a call -> what it may be (one name can be several methods)."""
    known: dict[str, list[Callable[..., Any]]] = {}
    classes: list[type] = [
        CognitoIdentityProviderClient,
        Paginator,
        *(getattr(auth, name) for name in auth.__all__ if inspect.isclass(getattr(auth, name))),
        *(getattr(oauth, n) for n in oauth.__all__ if inspect.isclass(getattr(oauth, n))),
    ]
    for cls in classes:
        known.setdefault(cls.__name__, []).append(cls)
        for name, method in _public_methods(cls).items():
            known.setdefault(name, []).append(method)
    for name in ("secret_hash", "new_device_verifier"):
        known.setdefault(name, []).append(getattr(auth, name))
    known.setdefault("new_pkce", []).append(oauth.new_pkce)
    return known


def _snippets() -> Iterator[tuple[str, str]]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for number, found in enumerate(BLOCK.finditer(text), 1):
            yield f"{page.relative_to(ROOT)} #{number}", found.group(1)


SNIPPETS = dict(_snippets())


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _problems(tree: ast.AST, known: dict[str, list[Callable[..., Any]]]) -> list[str]:
    problems: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            cls = RECEIVERS.get(func.value.id)
            if cls is not None and not hasattr(cls, func.attr):
                problems.append(f"line {node.lineno}: {cls.__name__} has no {func.attr!r}")
                continue
        name = _called_name(node)
        candidates = list(known.get(name or "", []))
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "shapes"
        ):
            candidates = [getattr(shapes, func.attr)]  # AttributeError: no such shape
        if not candidates:
            continue
        keywords = {k.arg for k in node.keywords if k.arg is not None}
        accepted: set[str] = set()
        for candidate in candidates:
            names, open_ended = _parameters(candidate)
            if open_ended:
                break
            accepted |= names
        else:
            unknown = sorted(keywords - accepted)
            if unknown:
                problems.append(f"line {node.lineno}: {name}() has no parameter {unknown}")
    return problems


def test_the_docs_have_python_snippets() -> None:
    assert len(SNIPPETS) > 30
    assert any(key.startswith("README.md") for key in SNIPPETS)


@pytest.mark.parametrize("where", sorted(SNIPPETS))
def test_snippet_uses_the_real_api(where: str) -> None:
    tree = compile(
        SNIPPETS[where],
        where,
        "exec",
        flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        dont_inherit=True,
    )
    assert not _problems(tree, _known_callables())


def test_the_check_catches_an_invented_parameter() -> None:
    code = (
        "await client.initiate_auth(auth_flow='USER_SRP_AUTH', clientid='x')\n"
        "await client.sign_in(username='alice')\n"
        "shapes.AttributeType(name='email', val='a@example.com')\n"
        "await auth.sign_in_srp('alice', 'pw', remember=True)\n"
        "await oauth.exchange_code('c', redirect='https://a.example/cb')\n"
        "await oauth.password_grant('alice', 'pw')\n"
    )
    tree = compile(code, "probe", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    problems = _problems(tree, _known_callables())
    assert len(problems) == 6, problems


# Counts of model things written as numbers in prose ("141 operations", "59 errors") go stale
# with the next model update: the generated modules' docstrings carry them, from the model.
MODEL_COUNT = re.compile(
    r"\b\d[\d,]* (?:new |paged |token-paged |modeled )?"
    r"(?:operations|structures|enums|errors|paginators|shapes|aliases)\b",
    re.I,
)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)  # quoted command output may show a diff's counts


@pytest.mark.parametrize(
    "page",
    [*PAGES, ROOT / "CHANGELOG.md", ROOT / "CONTRIBUTING.md"],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_prose_writes_no_model_counts(page: Path) -> None:
    prose = FENCE.sub("", page.read_text(encoding="utf-8"))
    assert MODEL_COUNT.findall(prose) == []


def test_the_count_check_catches_a_count() -> None:
    assert MODEL_COUNT.findall("every one of the API's 141 operations, 59 errors") == [
        "141 operations",
        "59 errors",
    ]
    assert MODEL_COUNT.findall("operations added (12): ...") == []


# The maintainer's map names files; a rename must not leave it pointing nowhere.
MAPS = [ROOT / "docs" / "architecture.md", ROOT / "CONTRIBUTING.md"]
PATH = re.compile(r"`([A-Za-z_.][\w.\-]*(?:/[\w.\-*]*)+)`")
LINK = re.compile(r"\]\(([^)#]+)\)")


def _exists(path: str, page: Path) -> bool:
    roots = [ROOT, ROOT / "src", ROOT / "src" / "aiocognito", page.parent]
    return any((root / path.rstrip("/*")).exists() for root in roots)


@pytest.mark.parametrize("page", MAPS, ids=lambda p: p.name)
def test_the_maps_name_files_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    paths = [p for p in PATH.findall(text) if "..." not in p]
    assert len(paths) > 5, "no paths found: has the page's format changed?"
    missing = [p for p in paths if not _exists(p, page)]
    missing += [link for link in LINK.findall(text) if not (page.parent / link).exists()]
    assert missing == []
