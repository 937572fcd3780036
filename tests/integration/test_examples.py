"""The scripts in examples/: each one runs against the session's moto server and exits 0, and
all of them pass ``mypy --strict``.

A script takes part when it accepts ``--endpoint-url`` (as every example does; ``_emulator.py``
does not). Each runs as a subprocess with dummy credentials and no AWS configuration from this
machine, exactly as a user would run it against their own emulator. Scripts for what moto does
not implement (choice-based sign-in, passkeys) run against the tests' own Cognito stand-in
(``tests/auth/fake_cognito.py``) instead, served on 127.0.0.1 by this process.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiocognito import CognitoIdentityProviderClient
from aiocognito.auth import SignedIn, UserPoolAuth
from tests.auth.fake_cognito import CLIENT_SECRET, ORIGIN, POOL_ID, FakeCognito, serve
from tests.auth.webauthn import SoftwareAuthenticator
from tests.integration.conftest import Emulator
from tests.integration.support import REGION

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The examples the project promises; a missing one is reported as skipped, not forgotten.
PROMISED = ("quickstart.py", "admin_users.py", "errors.py", "sign_in_srp.py")
# Examples of what no emulator implements: they run against the tests' Cognito stand-in.
STAND_IN = ("sign_in_passwordless.py",)


def runnable_examples() -> list[str]:
    found = {
        path.name
        for path in EXAMPLES.glob("*.py")
        if not path.name.startswith("_") and "--endpoint-url" in path.read_text(encoding="utf-8")
    }
    return sorted((found | set(PROMISED)) - set(STAND_IN))


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


PASSWORD = "Correct-Horse-42"


def _stand_in_user(fake: FakeCognito) -> None:
    fake.add_user(
        "alice-0001",
        PASSWORD,
        aliases=("alice@example.com",),
        attributes={"email": "alice@example.com"},
        codes={"EMAIL_OTP": "802417"},
    )


def _passwordless_command(url: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(EXAMPLES / "sign_in_passwordless.py"),
        "--endpoint-url",
        url,
        "--region",
        "eu-west-1",
        "--user-pool-id",
        POOL_ID,
        "--client-id",
        "secret-client",
        "--client-secret",
        CLIENT_SECRET,
        "--username",
        "alice@example.com",
        *extra,
    ]


@pytest.mark.parametrize(
    ("extra", "typed"),
    [((), "EMAIL_OTP\n802417\n"), (("--preferred", "EMAIL_OTP"), "802417\n")],
    ids=["choice", "preferred"],
)
def test_passwordless_example_against_the_stand_in(
    tmp_path: Path, extra: tuple[str, ...], typed: str
) -> None:
    fake = FakeCognito()
    _stand_in_user(fake)
    with serve(fake) as url:
        completed = subprocess.run(
            _passwordless_command(url, *extra),
            env=isolated_environment(tmp_path),
            cwd=tmp_path,
            input=typed,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    output = f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    assert completed.returncode == 0, output
    assert url in completed.stdout
    assert "signed in as alice-0001" in completed.stdout, output
    assert "passkeys: 0" in completed.stdout, output
    if not extra:
        assert "ways to sign in: PASSWORD, PASSWORD_SRP, EMAIL_OTP" in completed.stdout
    assert "802417" not in completed.stdout and CLIENT_SECRET not in completed.stdout
    assert [op for op, _ in fake.requests][-1] == "ListWebAuthnCredentials"


def test_passwordless_example_signs_in_with_a_passkey(tmp_path: Path) -> None:
    fake = FakeCognito()
    _stand_in_user(fake)
    authenticator = SoftwareAuthenticator(ORIGIN)
    with serve(fake) as url:

        async def register() -> None:
            async with CognitoIdentityProviderClient("eu-west-1", endpoint_url=url) as client:
                auth = UserPoolAuth(client, POOL_ID, "public-client")
                signed_in = await auth.sign_in_password("alice-0001", PASSWORD)
                assert isinstance(signed_in, SignedIn)
                options = await auth.start_passkey_registration(signed_in.access_token)
                await auth.complete_passkey_registration(
                    signed_in.access_token, authenticator.create(options)
                )

        asyncio.run(register())
        # The example prints the request options for a browser and reads its answer back:
        # the software authenticator plays the browser.
        with subprocess.Popen(
            _passwordless_command(url, "--preferred", "WEB_AUTHN"),
            env=isolated_environment(tmp_path),
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdin is not None and process.stdout is not None
            seen: list[str] = []
            for line in process.stdout:
                seen.append(line)
                if line.startswith("CREDENTIAL_REQUEST_OPTIONS "):
                    options = json.loads(line.removeprefix("CREDENTIAL_REQUEST_OPTIONS "))
                    process.stdin.write(json.dumps(authenticator.get(options)) + "\n")
                    process.stdin.flush()
                    break
            rest, errors = process.communicate(timeout=120)
    output = "".join(seen) + rest
    assert process.returncode == 0, f"{output}\n--- stderr ---\n{errors}"
    assert "signed in as alice-0001" in output
    assert "passkeys: 1" in output
    assert fake.requests[-2][1]["ChallengeName"] == "WEB_AUTHN"


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
