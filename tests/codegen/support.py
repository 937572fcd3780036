"""Helpers of the generator tests: model paths, generation, import and mypy runs."""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from codegen import __main__ as codegen_cli, ir, model

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GOLDEN = HERE / "golden"
GOLDEN_MODEL = GOLDEN / "service-2.json"
GOLDEN_EXPECTED = GOLDEN / "expected"

CURRENT_MODEL = REPO / "service-model" / "cognito-idp" / "2016-04-18" / "service-2.json"
# An older revision of the model (fewer operations than today's), vendored for the generator's
# tests: both revisions must generate, and the API diff between them is known.
OLD_MODEL = HERE / "models" / "cognito-idp-2016-04-18.2022-12-12.service-2.json"

# Byproducts of importing or type-checking a generated package; never part of the output.
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache"})


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def require_old_model() -> Path:
    assert OLD_MODEL.exists(), f"the 2022-12-12 model revision is missing: {OLD_MODEL}"
    return OLD_MODEL


def generate(model_path: Path, out: Path) -> ir.Service:
    """Generate a package into ``out`` through the CLI's entry point (in process); its IR, as
    the CLI builds it (paginators included)."""
    assert codegen_cli.main(["--model", str(model_path), "--out", str(out)]) == 0
    files = model.load(model_path)
    return ir.build(files.service, files.paginators)


def run_codegen_cli(model_path: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``python -m codegen --model ... --out ...`` from the repository root (what nox runs)."""
    return subprocess.run(
        [sys.executable, "-m", "codegen", "--model", str(model_path), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def import_generated(root: Path, package: str) -> dict[str, ModuleType]:
    """Import ``package`` (a generated package directory inside ``root``) and its modules."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    modules = {"": importlib.import_module(package)}
    for name in ("shapes", "errors", "client"):
        if (root / package / f"{name}.py").exists():
            modules[name] = importlib.import_module(f"{package}.{name}")
    return modules


def run_mypy(root: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """``python -m mypy --strict`` on ``targets`` (relative to ``root``), with no outside config."""
    config = root / "mypy-codegen-tests.ini"
    config.write_text("[mypy]\npython_version = 3.11\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPY")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(root / ".mypy_cache"),
            *targets,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``root`` (byproducts left out)."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not IGNORED_PARTS & set(rel.parts) and path.suffix != ".pyc":
            out[rel.as_posix()] = path.read_bytes()
    return out


@dataclass
class Generated:
    """One model revision generated into a temporary package."""

    label: str
    model_path: Path
    model: dict[str, Any]
    service: ir.Service
    root: Path  # the directory on sys.path
    package: str  # the package name inside root

    @property
    def path(self) -> Path:
        return self.root / self.package


MODEL_REVISIONS = {
    "current": (CURRENT_MODEL, "aiocognito_gen_current"),
    "2022-12-12": (OLD_MODEL, "aiocognito_gen_2022_12_12"),
}


def write_model(path: Path, shapes: dict[str, Any], operations: dict[str, Any]) -> Path:
    """A minimal awsJson 1.1 service model with the given shapes and operations."""
    path.parent.mkdir(parents=True, exist_ok=True)
    service = {
        "version": "2.0",
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "synthetic",
            "jsonVersion": "1.1",
            "protocol": "json",
            "serviceFullName": "Synthetic Service",
            "serviceId": "Synthetic",
            "signatureVersion": "v4",
            "targetPrefix": "SyntheticService",
            "uid": "synthetic-2020-01-01",
        },
        "operations": operations,
        "shapes": shapes,
    }
    path.write_text(json.dumps(service, indent=2), encoding="utf-8")
    return path


def attribute_docs(source: str) -> dict[str, dict[str, str]]:
    """Class name -> field name -> the docstring written under the field (from the source)."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {
                stmt.target.id: after.value.value
                for stmt, after in itertools.pairwise(node.body)
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            }
    return out
