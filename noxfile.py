"""Every workflow is a session: ``nox -l`` lists them.

``nox`` alone runs the test command of the README (lint, format check, types, tests,
regeneration check).
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests", "check_generated"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

MODEL = "service-model/cognito-idp/2016-04-18/service-2.json"
CODEGEN_DEPS = ["jinja2>=3.1", "html2text>=2024.2.26", "ruff>=0.6", "botocore>=1.35"]
# pyright's [nodejs] extra brings node as a PyPI wheel: nothing beyond Python and pip needed.
TYPECHECK_DEPS = ["mypy>=1.11", "botocore-stubs>=1.35", "pyright[nodejs]>=1.1.390"]
TYPECHECK_PATHS = ["src/aiocognito", "examples", "tests/typing"]


def _install_dev(session: nox.Session) -> None:
    session.install("-e", ".[test]")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict and pyright (strict) on the package, the examples and tests/typing.

    tests/typing holds usage snippets with ``assert_type`` and deliberate errors marked
    ``# type: ignore[code]``; both checkers fail when such a line stops being an error. Only
    what the checked code imports is installed (the package with its optional speedups, stubs
    and the two checkers), not the whole test toolchain.
    """
    session.install("-e", ".[speedups]", *TYPECHECK_DEPS)
    session.run("mypy", "--strict", *TYPECHECK_PATHS)
    # pyrightconfig.json names the same paths; --pythonpath pins this venv's interpreter, and
    # the node from the [nodejs] wheel is used even where the machine has its own.
    python = str(Path(session.bin) / "python")
    session.run("pyright", "--pythonpath", python, env={"PYRIGHT_PYTHON_GLOBAL_NODE": "0"})


@nox.session
def tests(session: nox.Session) -> None:
    """The pytest suite (unit, codegen)."""
    _install_dev(session)
    session.run("pytest", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """AWS's JSON protocol conformance cases through clients our generator builds."""
    _install_dev(session)
    session.run("pytest", "tests/conformance", "-q", *session.posargs)


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate src/aiocognito/ from service-model/."""
    session.install(*CODEGEN_DEPS)
    session.run("python", "-m", "codegen", "--model", MODEL, "--out", "src/aiocognito")


@nox.session
def check_generated(session: nox.Session) -> None:
    """Fail when regenerating would change committed files."""
    generate(session)
    out = session.run(
        "git",
        "status",
        "--porcelain",
        "--untracked-files=all",
        "src/aiocognito",
        external=True,
        silent=True,
    )
    if out and str(out).strip():
        session.run("git", "diff", "--stat", "src/aiocognito", external=True)
        session.log(str(out))
        session.error("generated code is out of date: run `nox -s generate` and commit the result")


@nox.session(name="update-model")
def update_model(session: nox.Session) -> None:
    """Copy the newest model from the latest botocore, regenerate, print the API diff."""
    session.install(*CODEGEN_DEPS)
    session.install("--upgrade", "botocore")
    session.run("python", "-m", "codegen.update_model")
    session.run("python", "-m", "codegen", "--model", MODEL, "--out", "src/aiocognito")


@nox.session
def golden(session: nox.Session) -> None:
    """Regenerate the golden files of the generator tests (review the diff before committing)."""
    session.install(*CODEGEN_DEPS)
    session.run(
        "python",
        "-m",
        "codegen",
        "--model",
        "tests/codegen/golden/service-2.json",
        "--out",
        "tests/codegen/golden/expected",
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark of benchmarks/README.md: aiocognito beside aiobotocore, capo and raw httpx.

    Prints a markdown table and writes benchmarks/RESULTS.md; arguments after ``--`` go to
    ``benchmarks/run.py`` (e.g. ``nox -s bench -- --quick`` for a smoke run that writes
    nothing). aiobotocore pins botocore to a narrow range, which is fine in this venv.
    """
    session.install(
        "-e",
        ".[speedups]",
        "aiobotocore",
        "capo-cognito-identity-provider",
        "httpx-aiohttp",
        "pycognito",
    )
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The README's first command: run the main example against a local moto server.

    Arguments after ``--`` go to the example, e.g. ``nox -s demo -- --endpoint-url URL`` to use
    an emulator you run yourself (the example starts moto only when no endpoint is configured).
    """
    session.install("-e", ".", "moto[server]>=5")
    session.run("python", "examples/quickstart.py", "--emulator", *session.posargs)
