"""Every workflow is a session: ``nox -l`` lists them.

``nox`` alone runs the test command of the README and of CI (lint, format check, types, tests,
regeneration check, package, docs).
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path

import nox
import nox.command

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests", "check_generated", "package", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

MODEL = "service-model/cognito-idp/2016-04-18/service-2.json"
_PROJECT = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
# What the generator needs, without installing the package: pyproject's codegen extra, and
# botocore (its name rules) at the package's own floor.
CODEGEN_DEPS = [
    *_PROJECT["optional-dependencies"]["codegen"],
    *(dep for dep in _PROJECT["dependencies"] if dep.startswith("botocore")),
]
# pyright's [nodejs] extra brings node as a PyPI wheel: nothing beyond Python and pip needed.
# FastAPI for examples/fastapi_app.py (in the test extra only, like here).
TYPECHECK_DEPS = [
    "mypy>=1.11",
    "botocore-stubs>=1.35",
    "pyright[nodejs]>=1.1.390",
    "fastapi>=0.115",
]
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
    what the checked code imports is installed (the package with its optional speedups and
    jwt extras, FastAPI for an example, stubs and the two checkers), not the whole test
    toolchain.
    """
    session.install("-e", ".[speedups,jwt]", *TYPECHECK_DEPS)
    session.run("mypy", "--strict", *TYPECHECK_PATHS)
    # pyrightconfig.json names the same paths; --pythonpath pins this venv's interpreter, and
    # the node from the [nodejs] wheel is used even where the machine has its own.
    python = str(Path(session.bin) / "python")
    session.run("pyright", "--pythonpath", python, env={"PYRIGHT_PYTHON_GLOBAL_NODE": "0"})


@nox.session
def tests(session: nox.Session) -> None:
    """The pytest suite: unit, client, auth, codegen, faults, conformance, integration (moto)."""
    _install_dev(session)
    session.run("pytest", *session.posargs)


TRANSPORT_TESTS = ["tests/client/test_sending.py", "tests/client/test_transport.py", "tests/faults"]


@nox.session(name="httpx_latest")
def httpx_latest(session: nox.Session) -> None:
    """The transport tests against the newest httpx and httpcore, past pyproject's bound.

    httpx is bounded because src/aiocognito/_core/httpx_compat.py relies on its private APIs:
    this session tells whether a new release still works (then raise the bound) or what to fix
    there. Not in the default list. ``nox -s httpx_latest -- --pre`` takes pre-releases too;
    other arguments go to pytest.
    """
    _install_dev(session)
    pre = ["--pre"] if "--pre" in session.posargs else []
    # pip warns that the installed aiocognito asks for an older httpx, and goes on.
    session.install("--upgrade", *pre, "httpx", "httpcore")
    session.run(
        "python",
        "-c",
        "import httpx, httpcore; print('httpx', httpx.__version__, 'httpcore', httpcore.__version__)",
    )
    args = [a for a in session.posargs if a != "--pre"]
    session.run("pytest", *TRANSPORT_TESTS, "-q", *args)


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


# The tests that read the model itself: the generator's, and those driving every shape,
# operation and paginator through the client. `update-model` runs them on the new model.
MODEL_TESTS = [
    "tests/codegen",
    "tests/unit/test_shapes_facade.py",
    "tests/client/test_client_operations.py",
    "tests/client/test_client_pagination.py",
]
MODEL_TEST_DEPS = [
    "pytest>=8",
    "pytest-asyncio>=0.23",
    "pytest-timeout>=2.3",
    "hypothesis>=6.100",
    "respx>=0.21",
    "mypy>=1.11",
]

_REVIEW = """\
What to review before committing the update:
  1. The API diff printed above. As changelog Markdown it is in {changelog}:
     add it to CHANGELOG.md (Unreleased, "Model update"). Each breaking change needs its own
     line and may call for a major version.
  2. Each "review by hand" line of the diff: the generator guessed it from the shapes (an
     inferred paginator); read the operation's API reference before keeping it.
  3. `git diff --stat service-model src/aiocognito`: a new module under _shapes/ per new
     class, and no surprise in existing ones.
  4. `nox` (the whole suite, docs included), then commit the model and the regenerated package
     together.
"""


@nox.session(name="update-model")
def update_model(session: nox.Session) -> None:
    """Move to the newest botocore's model, regenerate, run the model tests, say what to review.

    Not part of the default run: it needs the newest botocore, and it rewrites
    service-model/ and src/aiocognito/ (docs/guide/regenerate.md walks through one update).
    """
    session.install("-e", ".", *CODEGEN_DEPS, *MODEL_TEST_DEPS)
    session.install("--upgrade", "botocore")
    changelog = Path(session.create_tmp()).resolve() / "api-diff.md"
    session.run("python", "-m", "codegen.update_model", "--changelog", str(changelog))
    session.run("python", "-m", "codegen", "--model", MODEL, "--out", "src/aiocognito")
    failed = False
    try:
        session.run("pytest", "-q", "-p", "no:cacheprovider", *MODEL_TESTS)
    except nox.command.CommandFailed:
        failed = True
    session.log(_REVIEW.format(changelog=changelog))
    if failed:
        session.error("the model tests fail on the new model: fix the generator, not the output")


@nox.session(name="model-drift")
def model_drift(session: nox.Session) -> None:
    """How far the pinned model is behind the newest botocore's, in operations and members.

    Writes nothing; fails when the pinned model is behind. Not part of the default run, since it
    needs the newest botocore from PyPI.
    """
    session.install("--upgrade", "botocore")
    session.run("python", "-m", "codegen.update_model", "--drift")


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
def bench_tokens(session: nox.Session) -> None:
    """CPU per token verification: TokenVerifier beside PyJWT alone and pycognito.

    Runs ``benchmarks/verify_cpu.py`` (arguments after ``--`` go to it) and prints a markdown
    table; benchmarks/README.md keeps the latest figures.
    """
    session.install("-e", ".[jwt]", "pycognito")
    session.run("python", "benchmarks/verify_cpu.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The README's first command: run the main example against a local moto server.

    Arguments after ``--`` go to the example, e.g. ``nox -s demo -- --endpoint-url URL`` to use
    an emulator you run yourself (the example starts moto only when no endpoint is configured).
    """
    session.install("-e", ".", "moto[server]>=5")
    session.run("python", "examples/quickstart.py", "--emulator", *session.posargs)


DOCS_DEPS = [
    "mkdocs>=1.6,<2",
    "mkdocs-material>=9.5,<10",
    "mkdocstrings>=1.0",
    "mkdocstrings-python>=2.0",
    "black>=24.1",
]


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site (mkdocs.yml) into site/, warnings as errors.

    mkdocstrings reads src/ without importing it, so the package is not installed. Black is
    there to format the rendered signatures in-process (mkdocstrings would otherwise run ruff
    once per signature, which doubles the build time). ``nox -s docs -- serve`` serves the
    site with live reload instead.
    """
    session.install(*DOCS_DEPS)
    env = {"NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2.0, on every build
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:], env=env)
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs, env=env)


# What the wheel must hold, and what must never be shipped in it.
WHEEL_REQUIRED = [
    "aiocognito/__init__.py",
    "aiocognito/_version.py",
    "aiocognito/py.typed",
    "aiocognito/client.py",
    "aiocognito/shapes.py",
    "aiocognito/errors.py",
    "aiocognito/auth/__init__.py",
    "aiocognito/_data/endpoint-rule-set-1.json",
    "aiocognito/_data/partitions.json",
]
SDIST_REQUIRED = [
    "PKG-INFO",
    "pyproject.toml",
    "README.md",
    "CHANGELOG.md",
    "src/aiocognito/__init__.py",
    "src/aiocognito/py.typed",
]
NOT_SHIPPED = ("codegen/", "tests/", "service-model/", "benchmarks/", "examples/", "docs/")


# Run by the clean venv's interpreter: the package comes from the installed wheel, whole.
_CHECK_INSTALLED = """\
import sys
from pathlib import Path

import aiocognito
import aiocognito.auth
import aiocognito.errors
import aiocognito.shapes
from aiocognito import CognitoIdentityProviderClient

where = Path(aiocognito.__file__).resolve().parent
assert where.is_relative_to(Path(sys.prefix).resolve()), f"imported from {{where}}"
assert aiocognito.__version__ == "{version}", aiocognito.__version__
assert (where / "py.typed").is_file()
assert CognitoIdentityProviderClient.initiate_auth.__doc__
print("aiocognito", aiocognito.__version__, "installed at", where)
"""


def _version() -> str:
    namespace: dict[str, str] = {}
    exec(Path("src/aiocognito/_version.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


def _check_wheel(session: nox.Session, wheel: Path, version: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    dist_info = f"aiocognito-{version}.dist-info/"
    missing = [name for name in WHEEL_REQUIRED if name not in names]
    stray = [n for n in names if not n.startswith(("aiocognito/", dist_info))]
    unwanted = [n for n in names if n.startswith(NOT_SHIPPED) or "__pycache__" in n]
    unwanted += [n for n in names if n.endswith((".pyc", ".pyo"))]
    if missing or stray or unwanted:
        session.error(f"wheel {wheel.name}: missing {missing}, stray {stray}, unwanted {unwanted}")
    session.log(f"wheel {wheel.name}: {len(names)} files, py.typed included, nothing extra")


def _check_sdist(session: nox.Session, sdist: Path, version: str) -> None:
    root = f"aiocognito-{version}/"
    with tarfile.open(sdist) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
    inside = [n.removeprefix(root) for n in names]
    missing = [name for name in SDIST_REQUIRED if name not in inside]
    stray = [n for n in names if not n.startswith(root)]
    unwanted = [n for n in inside if n.startswith(NOT_SHIPPED) or "__pycache__" in n]
    if missing or stray or unwanted:
        session.error(f"sdist {sdist.name}: missing {missing}, stray {stray}, unwanted {unwanted}")
    session.log(f"sdist {sdist.name}: {len(names)} files")


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel, check what they hold, and use the wheel from a clean venv.

    ``python -m build`` makes the sdist and then the wheel from the sdist (so the sdist is
    complete enough to build from). The wheel is installed (not editable) into a new venv
    outside the source tree with ``moto[server]``, and examples/quickstart.py runs from a
    temporary folder against a local moto server: it must import the installed package.
    """
    session.install("build>=1.2")
    version = _version()
    with tempfile.TemporaryDirectory(prefix="aiocognito-package-") as tmp:
        work = Path(tmp)
        dist = work / "dist"
        session.run("python", "-m", "build", "--outdir", str(dist), ".")
        wheel = dist / f"aiocognito-{version}-py3-none-any.whl"
        sdist = dist / f"aiocognito-{version}.tar.gz"
        if sorted(os.listdir(dist)) != sorted([wheel.name, sdist.name]):
            session.error(f"expected {wheel.name} and {sdist.name}, got {os.listdir(dist)}")
        _check_wheel(session, wheel, version)
        _check_sdist(session, sdist, version)

        venv = work / "venv"
        session.run("python", "-m", "venv", str(venv))
        python = str(venv / "bin" / "python")
        session.run(
            python, "-m", "pip", "install", "-q", str(wheel), "moto[server]>=5", external=True
        )
        session.run(python, "-m", "pip", "check", external=True)
        run_dir = work / "run"
        run_dir.mkdir()
        for name in ("quickstart.py", "_emulator.py"):
            shutil.copy(Path("examples") / name, run_dir / name)
        (run_dir / "check_installed.py").write_text(
            _CHECK_INSTALLED.format(version=version), encoding="utf-8"
        )
        clean_env = {
            "PYTHONPATH": "",
            "AWS_ENDPOINT_URL": "",
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "",
        }
        with session.chdir(run_dir):
            session.run(python, "check_installed.py", external=True, env=clean_env)
            session.run(python, "quickstart.py", "--emulator", external=True, env=clean_env)
