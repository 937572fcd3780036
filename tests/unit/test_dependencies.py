"""pyproject.toml's dependencies against what src/ imports, and the floors that exclude CVEs.

No server: the declarations are read from pyproject.toml and the imports from src/'s syntax
trees, so a dependency added to the code but not to the metadata (or the reverse) fails here.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "aiocognito"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]

DISTRIBUTION = {"attr": "attrs", "jwt": "pyjwt"}
"""Import name -> distribution name, where they differ."""

FIXED = {
    "orjson": ("3.11.6", "CVE-2024-27454 (loads, fixed in 3.9.15) and CVE-2025-67221 (dumps)"),
    "h11": ("0.16.0", "CVE-2025-43859"),
    "certifi": ("2024.7.4", "CVE-2024-39689"),
    "httptools": ("0.6.3", "CVE-2024-27982 in its bundled llhttp"),
    "httpx": ("0.23.0", "CVE-2021-41945"),
}
"""Distribution -> (first version without the CVE, which CVE)."""


def _requirements(specs: list[str]) -> dict[str, Requirement]:
    return {(r := Requirement(s)).name.lower(): r for s in specs}


DEFAULT = _requirements(PROJECT["dependencies"])
EXTRAS = {name: _requirements(specs) for name, specs in PROJECT["optional-dependencies"].items()}


def _third_party_imports() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names = [node.args[0].value]  # importlib.import_module("gmpy2")
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top and top not in sys.stdlib_module_names and top != "aiocognito":
                    found.add(DISTRIBUTION.get(top, top))
    return found


def test_every_import_is_declared_and_every_dependency_imported() -> None:
    imported = _third_party_imports()
    features = {name: deps for name, deps in EXTRAS.items() if name not in ("test", "codegen")}
    declared = set(DEFAULT).union(*features.values())
    assert imported - declared == set(), "imported by src/ but not declared"
    assert set(DEFAULT) - imported == set(), "declared but imported nowhere in src/"
    assert "sniffio" not in DEFAULT


@pytest.mark.parametrize("name", sorted(FIXED))
def test_floors_exclude_known_cves(name: str) -> None:
    fixed, cve = FIXED[name]
    for requirements in (DEFAULT, *EXTRAS.values()):
        requirement = requirements.get(name)
        if requirement is None:
            continue
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert floors, f"{requirement} has no lower bound"
        assert max(floors) >= Version(fixed), f"{requirement} allows {cve}"


def _environment(implementation: str, machine: str) -> dict[str, str]:
    return {"platform_python_implementation": implementation, "platform_machine": machine}


@pytest.mark.parametrize(
    ("implementation", "machine", "fast"),
    [
        ("CPython", "x86_64", True),  # Linux, glibc or musl
        ("CPython", "aarch64", True),
        ("CPython", "arm64", True),  # macOS
        ("CPython", "AMD64", True),  # Windows
        ("CPython", "ARM64", True),
        ("PyPy", "x86_64", False),  # neither has PyPy wheels: json and h11 do the work
    ],
)
def test_the_default_install_is_the_fast_one(implementation: str, machine: str, fast: bool) -> None:
    env = _environment(implementation, machine)
    for name in ("orjson", "httptools"):
        marker = DEFAULT[name].marker
        assert marker is not None, f"{name}: a marker keeps platforms without wheels installable"
        assert marker.evaluate(env) is fast, (name, env)


def test_httptools_is_left_out_where_it_has_no_wheels() -> None:
    marker = DEFAULT["httptools"].marker or Marker("python_version > '0'")
    for machine in ("s390x", "armv7l", "i686", "riscv64"):
        assert not marker.evaluate(_environment("CPython", machine)), machine
    orjson = DEFAULT["orjson"].marker
    assert orjson is not None and orjson.evaluate(_environment("CPython", "s390x"))


def test_gmpy2_stays_optional() -> None:
    assert "gmpy2" not in DEFAULT
    assert "gmpy2" in EXTRAS["speedups"]
