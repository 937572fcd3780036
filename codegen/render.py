"""Rendering the IR through the Jinja templates, then formatting the output with ruff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2

from . import converters
from .ir import Service
from .literals import docstring_literal, py_str
from .model import ModelFiles

TEMPLATES = Path(__file__).parent / "templates"

# Files the generator owns inside the output package; everything else there is hand-written.
GENERATED_FILES = ("shapes.py", "errors.py", "client.py")
GENERATED_DIRS = ("_shapes", "_data")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["pystr"] = py_str
    env.filters["docstring"] = docstring_literal
    return env


def render(service: Service) -> dict[str, str]:
    """Relative path -> source text of every generated module."""
    env = environment()
    files: dict[str, str] = {
        "shapes.py": env.get_template("shapes.py.j2").render(service=service),
        "errors.py": env.get_template("errors.py.j2").render(service=service),
        "client.py": env.get_template("client.py.j2").render(service=service),
        "_shapes/__init__.py": env.get_template("shapes_package.py.j2").render(service=service),
        "_shapes/_index.py": env.get_template("shapes_index.py.j2").render(service=service),
    }
    module_template = env.get_template("shape_module.py.j2")
    for module in service.modules:
        files[f"_shapes/{module.name}.py"] = module_template.render(
            service=service,
            module=module,
            helpers_module=converters.HELPERS_MODULE,
            enum_table=converters.ENUM_TABLE,
        )
    return files


class FormatError(RuntimeError):
    """ruff could not fix or format the generated files: generation failed."""


def _ruff(base: list[str], args: list[str]) -> None:
    proc = subprocess.run([*base, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        raise FormatError(f"`ruff {args[0]}` failed (exit {proc.returncode}):\n{output[-4000:]}")


def ruff_format(paths: list[Path]) -> None:
    """Sort imports, drop unused ones and format the generated files, so diffs stay clean.

    Any ruff failure (a syntax error in the output, an import it cannot fix) raises
    ``FormatError``: files that ruff cannot read are not valid generated code.
    """
    ruff = shutil.which("ruff")
    base = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    isolated = ["--isolated", "--line-length", "100", "--target-version", "py311"]
    isort = [
        "--config",
        "lint.isort.combine-as-imports = true",
        "--config",
        'lint.isort.known-first-party = ["aiocognito"]',
    ]
    files = [str(p) for p in paths]
    _ruff(base, ["check", *isolated, *isort, "--select", "I,F401", "--fix", "--quiet", *files])
    _ruff(base, ["format", *isolated, "--quiet", *files])


def write(
    service: Service, out: Path, *, fmt: bool = True, data: ModelFiles | None = None
) -> list[Path]:
    """Write the generated modules into ``out`` (a package directory), replacing old output."""
    out.mkdir(parents=True, exist_ok=True)
    for name in GENERATED_DIRS:
        if (out / name).exists():
            shutil.rmtree(out / name)
    written: list[Path] = []
    for rel, text in render(service).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if data is not None:
        (out / "_data").mkdir(exist_ok=True)
        for name, content in (
            ("endpoint-rule-set-1.json", data.rule_set),
            ("partitions.json", data.partitions),
        ):
            path = out / "_data" / name
            path.write_text(json.dumps(content, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            written.append(path)
    init = out / "__init__.py"
    if not init.exists():
        init.write_text(
            f'"""Generated {service.full_name} package (no hand-written __init__ present)."""\n',
            encoding="utf-8",
        )
    if fmt:
        ruff_format([p for p in written if p.suffix == ".py"])
    return written
