"""One debug record per attempt, failed ones included, and never a secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from tests.faults.scenarios import TOKEN_BODY
from tests.faults.server import FaultServer, Reset, Stall, error, ok, status
from tests.faults.support import ACCESS_TOKEN, PASSWORD, login

ATTEMPT = re.compile(
    r"^InitiateAuth attempt=(?P<attempt>\d+) status=(?P<status>\S+) "
    r"duration_ms=(?P<ms>\d+\.\d) request_id=(?P<rid>\S+)$"
)


def _attempts(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    found = []
    for record in caplog.records:
        assert record.name == "aiocognito"
        match = ATTEMPT.match(record.getMessage())
        if match:
            assert record.levelno == logging.DEBUG
            found.append(match.groupdict())
    return found


async def test_every_attempt_is_logged_and_no_secret_is(
    server: FaultServer,
    make_client: Callable[..., CognitoIdentityProviderClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiocognito")
    client = make_client(max_attempts=4)

    server.script(status(503), Reset(), Stall(), then=ok(TOKEN_BODY))
    result = await login(client)
    assert result.authentication_result.access_token == ACCESS_TOKEN
    server.script(then=error(400, "NotAuthorizedException", "Incorrect username or password."))
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)

    records = _attempts(caplog)
    assert [(r["attempt"], r["status"], r["rid"]) for r in records] == [
        ("1", "503", "req-1"),
        ("2", "ReadError", "None"),  # no answer, so no request id
        ("3", "ReadTimeout", "None"),
        ("4", "200", "req-4"),
        ("1", "400", "req-5"),
    ]
    # The stalled attempt lasted the read timeout; the others were quick.
    durations = [float(r["ms"]) for r in records]
    assert 250 <= durations[2] < 1000
    assert all(d < 1000 for d in durations)
    # Retries say why and how long they wait.
    retries = [r.getMessage() for r in caplog.records if " retry after " in r.getMessage()]
    assert [m.split(" in ")[0] for m in retries] == [
        "InitiateAuth retry after HTTP503",
        "InitiateAuth retry after TransportError",
        "InitiateAuth retry after TransportTimeoutError",
    ]

    text = (
        "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
        + f"{info.value!s} {info.value!r}"
    )
    assert PASSWORD not in text
    assert ACCESS_TOKEN not in text
    # The request carried the password (so there was something to leak), the logs do not.
    assert PASSWORD in server.requests[0].body.decode()
