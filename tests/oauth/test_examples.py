"""examples/oauth_login.py and examples/machine_to_machine.py run against the OAuth stand-in
(served by this test process on 127.0.0.1), as subprocesses, exactly as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.oauth.standin import OAuthStandIn
from tests.oauth.support import PASSWORD, secrets_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(script: str, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    assert completed.returncode == 0, output
    assert "Traceback" not in completed.stderr, output
    return completed.stdout


def test_oauth_login(standin: OAuthStandIn) -> None:
    secret = standin.clients["webapp"].secret
    assert secret
    out = run(
        "oauth_login.py",
        *("--domain", standin.base, "--client-id", "webapp", "--client-secret", secret),
        *("--username", "alice", "--password", PASSWORD),
    )
    assert standin.base in out
    assert "Signed in as alice@example.com" in out and "Not signed in" in out
    grants = [r.form.get("grant_type") for r in standin.token_requests()]
    assert grants == ["authorization_code"]
    (exchange,) = standin.token_requests()
    assert "code_verifier" in exchange.form
    assert [r.path for r in standin.requests if r.path.startswith("/oauth2/")] == [
        "/oauth2/authorize",
        "/oauth2/token",
        "/oauth2/userInfo",
        "/oauth2/revoke",
    ]
    assert all(grant.revoked for grant in standin.grants.values())
    for value in secrets_of(standin):
        assert value not in out


def test_machine_to_machine(standin: OAuthStandIn) -> None:
    secret = standin.clients["machine"].secret
    assert secret
    out = run(
        "machine_to_machine.py",
        *("--domain", standin.base, "--client-id", "machine", "--client-secret", secret),
        *("--scope", "orders/read"),
    )
    assert standin.base in out and "20 concurrent requests used 1 access token(s)" in out
    assert "scopes: orders/read" in out and "access_token=<redacted>" in out
    assert len(standin.token_requests()) == 1
    assert secret not in out
