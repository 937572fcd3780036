"""The scripts in examples/: each one runs against the session's moto server and exits 0, and
all of them pass ``mypy --strict``.

A script takes part when it accepts ``--endpoint-url`` (as every example does; ``_emulator.py``
does not). Each runs as a subprocess with dummy credentials and no AWS configuration from this
machine, exactly as a user would run it against their own emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Emulator
from tests.integration.support import REGION

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The examples the project promises; a missing one is reported as skipped, not forgotten.
PROMISED = ("quickstart.py", "admin_users.py", "errors.py", "sign_in_srp.py")


def runnable_examples() -> list[str]:
    found = {
        path.name
        for path in EXAMPLES.glob("*.py")
        if not path.name.startswith("_") and "--endpoint-url" in path.read_text(encoding="utf-8")
    }
    return sorted(found | set(PROMISED))


def isolated_environment(tmp_path: Path) -> dict[str, str]:
    """This process's environment minus anything AWS, plus dummy credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.mark.parametrize("script", runnable_examples())
def test_example_runs_against_the_emulator(script: str, emulator: Emulator, tmp_path: Path) -> None:
    path = EXAMPLES / script
    if not path.exists():
        pytest.skip(f"examples/{script} is not written yet")
    completed = subprocess.run(
        [sys.executable, str(path), "--endpoint-url", emulator.url, "--region", REGION],
        env=isolated_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    assert completed.returncode == 0, f"examples/{script} exited {completed.returncode}\n{output}"
    assert "Traceback" not in completed.stderr, output
    assert emulator.url in completed.stdout  # it used the endpoint it was given


# User code as apps write it, type-checked together with the examples. Each probe is one
# file; mypy must report exactly what its comment says.
PROBES = {
    # A deliberate type error through the package's documented import: must be reported.
    "documented_import.py": """\
from aiocognito import CognitoIdentityProviderClient


async def probe(client: CognitoIdentityProviderClient) -> None:
    await client.sign_up(client_id=1, username="alice")
""",
    # A list of enum members kept in a variable, passed where the client takes a list of
    # flows: correct code, must pass.
    "list_parameter.py": """\
from aiocognito import shapes
from aiocognito.client import CognitoIdentityProviderClient

FLOWS = [shapes.ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH]


async def probe(client: CognitoIdentityProviderClient) -> None:
    await client.create_user_pool_client(
        user_pool_id="pool", client_name="app", explicit_auth_flows=FLOWS
    )
""",
}


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One ``mypy --strict`` run over every example and every probe (a cold run takes seconds)."""
    work = tmp_path_factory.mktemp("mypy")
    probes = []
    for name, text in PROBES.items():
        (work / name).write_text(text, encoding="utf-8")
        probes.append(str(work / name))
    scripts = sorted(str(path) for path in EXAMPLES.glob("*.py"))
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(work / "cache")]
    completed = subprocess.run(
        [*command, *scripts, *probes],
        env={**os.environ, "MYPYPATH": str(ROOT / "src")},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return completed.stdout + completed.stderr


def reported(mypy_output: str, file: str) -> list[str]:
    return [line for line in mypy_output.splitlines() if file in line and ": error:" in line]


def test_examples_pass_mypy_strict(mypy_output: str) -> None:
    assert not reported(mypy_output, "examples"), mypy_output


def test_the_documented_client_import_is_typed(mypy_output: str) -> None:
    errors = reported(mypy_output, "documented_import.py")
    assert any('Argument "client_id" to "sign_up"' in line for line in errors), mypy_output


def test_a_list_of_enum_members_is_accepted(mypy_output: str) -> None:
    assert not reported(mypy_output, "list_parameter.py"), mypy_output
