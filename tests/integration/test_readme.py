"""The README's promises: it opens with the two commands, and its example runs.

The example is the ```python block right after the ``<!-- readme-example ... -->`` marker. It
runs as a script in a subprocess, as a reader would run it, against the session's moto server
(``COGNITO_ENDPOINT_URL``) with dummy credentials and no AWS configuration from this machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aiocognito import CognitoIdentityProviderClient, shapes
from tests.integration.conftest import Emulator

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

OPENING = """\
# aiocognito

```bash
python3 -m pip install -q nox && python3 -m nox -s demo   # run the demo
python3 -m pip install -q nox && python3 -m nox           # run the whole test suite
```
"""
PASSWORD = "Corr3ct-horse-battery!"
EXAMPLE = re.compile(r"<!-- readme-example\b[^>]*-->\n```python\n(?P<code>.*?)^```", re.S | re.M)


def readme_example() -> str:
    found = EXAMPLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no ```python block after a <!-- readme-example --> marker"
    return found.group("code")


def test_readme_opens_with_the_two_commands() -> None:
    assert README.read_text(encoding="utf-8").startswith(OPENING)


async def _pool_with_alice(client: CognitoIdentityProviderClient) -> str:
    """An app client of a new pool, and a confirmed user alice: what the example expects."""
    pool = (await client.create_user_pool(pool_name="readme")).user_pool
    assert pool and pool.id
    app = (
        await client.create_user_pool_client(
            user_pool_id=pool.id,
            client_name="web",
            explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
    ).user_pool_client
    assert app and app.client_id
    await client.sign_up(
        client_id=app.client_id,
        username="alice",
        password=PASSWORD,
        user_attributes=[shapes.AttributeType(name="email", value="alice@example.com")],
    )
    await client.admin_confirm_sign_up(user_pool_id=pool.id, username="alice")
    return app.client_id


async def run_example(
    emulator: Emulator, client: CognitoIdentityProviderClient, tmp_path: Path, password: str
) -> subprocess.CompletedProcess[str]:
    """The example run as a script, signing alice in with ``password``."""
    client_id = await _pool_with_alice(client)
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        # No credentials at all: sign-in and GetUser are unsigned.
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        COGNITO_ENDPOINT_URL=emulator.url,
        PYTHONUNBUFFERED="1",
        COGNITO_CLIENT_ID=client_id,
        COGNITO_USERNAME="alice",
        COGNITO_PASSWORD=password,
    )
    return subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_readme_example_runs_against_the_emulator(
    emulator: Emulator, client: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    completed = await run_example(emulator, client, tmp_path, PASSWORD)
    output = f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    assert completed.returncode == 0, output
    # What the example says it shows: tokens with their values redacted, then the user.
    assert "AuthenticationResultType(access_token=<redacted>" in completed.stdout, output
    assert "id_token=<redacted>" in completed.stdout, output
    assert "alice {" in completed.stdout and "'email': 'alice@example.com'" in completed.stdout
    assert PASSWORD not in completed.stdout + completed.stderr


async def test_readme_example_reports_a_wrong_password(
    emulator: Emulator, client: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    completed = await run_example(emulator, client, tmp_path, "Wr0ng-password!")
    assert completed.returncode == 1
    assert completed.stderr.startswith("refused: "), completed.stderr
