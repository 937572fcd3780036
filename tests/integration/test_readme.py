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
EXAMPLE = re.compile(r"<!-- readme-example\b[^>]*-->\n```python\n(?P<code>.*?)^```", re.S | re.M)


def readme_example() -> str:
    found = EXAMPLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no ```python block after a <!-- readme-example --> marker"
    return found.group("code")


def test_readme_opens_with_the_two_commands() -> None:
    assert README.read_text(encoding="utf-8").startswith(OPENING)


def test_readme_example_runs_against_the_emulator(emulator: Emulator, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        COGNITO_ENDPOINT_URL=emulator.url,
        PYTHONUNBUFFERED="1",
    )
    completed = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    assert completed.returncode == 0, output
    # What the example says it shows: the typed error, then tokens with their values redacted.
    assert "not yet: UserNotConfirmedException 400" in completed.stdout, output
    assert "AuthenticationResultType(access_token=<redacted>" in completed.stdout, output
    assert "id_token=<redacted>" in completed.stdout, output
