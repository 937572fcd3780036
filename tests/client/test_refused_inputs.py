"""What the client refuses to send (a region that is not a host label), and how it sends a
lone surrogate.

A region becomes part of the endpoint's host name: ``x@HOST:PORT#`` makes it
``https://cognito-idp.x@HOST:PORT#.amazonaws.com``, which sends every request (a password, a
session token) to HOST. A loopback server plays that HOST here, recording every connection,
so the tests show that nothing reaches it. The surrogate tests send to the fault suite's
loopback server, which records the body it received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from tests.credentials import FakeCredentials
from tests.faults.server import FaultServer

PASSWORD = "Pa55word-for-the-real-service!"


class Attacker:
    """A TCP listener on 127.0.0.1 that counts connections and keeps what they send."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = b""
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(TimeoutError):
            self.received += await asyncio.wait_for(reader.read(65536), 1.0)
        writer.close()

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def attacker() -> AsyncIterator[Attacker]:
    server = Attacker()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


HOSTILE = [
    "x@127.0.0.1:{port}#",
    "x@127.0.0.1:{port}/",
    "127.0.0.1:{port}#",
    "eu-west-1.127.0.0.1:{port}#",
]


async def _sign_in(**kwargs: Any) -> BaseException | None:
    """Construct a client and call InitiateAuth with a password; what was raised, if anything."""
    try:
        async with CognitoIdentityProviderClient(
            credentials=FakeCredentials(), timeout=1.0, max_attempts=1, **kwargs
        ) as client:
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH",
                client_id="app",
                auth_parameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
            )
            await client.list_user_pools(max_results=1)  # signed: the session token
    except Exception as exc:
        return exc
    return None


@pytest.mark.usefixtures("no_aws_env")
@pytest.mark.parametrize("template", HOSTILE)
@pytest.mark.parametrize("source", ["argument", "AWS_REGION", "AWS_DEFAULT_REGION", "profile"])
async def test_a_region_that_is_not_a_host_label_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    attacker: Attacker,
    template: str,
    source: str,
) -> None:
    region = template.format(port=attacker.port)
    kwargs: dict[str, Any] = {}
    if source == "argument":
        kwargs["region"] = region
    elif source == "profile":
        config = tmp_path / "config"
        config.write_text(f"[profile hostile]\nregion = {region}\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        kwargs["profile"] = "hostile"
    else:
        monkeypatch.setenv(source, region)
    raised = await _sign_in(**kwargs)
    await asyncio.sleep(0.05)  # a connection the client opened would have arrived by now
    assert attacker.connections == 0 and attacker.received == b""
    assert isinstance(raised, aiocognito.InvalidRegionError), repr(raised)
    assert isinstance(raised, aiocognito.ConfigurationError) and isinstance(raised, ValueError)
    text = str(raised)
    assert repr(region) in text
    assert ("from region" if source == "argument" else f"from {source}") in text.replace(
        "the AWS profile", "profile"
    )
    assert PASSWORD not in text + repr(raised)


@pytest.mark.parametrize(
    "region",
    [
        "",
        "eu-west-1.",
        "eu_west_1",
        "eu west 1",
        "-eu-west-1",
        "eu-west-1-",
        "123",
        "a" * 64,
        "eu-west-1\n",
        "ëu-west-1",
        "eu-west-1/x",
    ],
)
def test_invalid_regions_are_refused_as_botocore_does(no_aws_env: None, region: str) -> None:
    """Each is refused by botocore's ``validate_region_name`` too (checked below), but for a
    trailing newline, which its ``$`` lets through."""
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name

    if region == "":  # empty means "not given", for botocore as for us
        with pytest.raises(aiocognito.NoRegionError):
            CognitoIdentityProviderClient(region=region)
        return
    if not region.endswith("\n"):
        with pytest.raises(InvalidRegionError):
            validate_region_name(region)
    with pytest.raises(aiocognito.InvalidRegionError):
        CognitoIdentityProviderClient(region=region)
    with pytest.raises(aiocognito.InvalidRegionError):  # with a custom endpoint too (signing)
        CognitoIdentityProviderClient(region=region, endpoint_url="http://127.0.0.1:9")


@pytest.mark.parametrize(
    "region", ["eu-west-1", "us-gov-west-1", "cn-north-1", "aws-global", "local", "a" * 63]
)
def test_valid_regions_are_accepted(no_aws_env: None, region: str) -> None:
    assert CognitoIdentityProviderClient(region=region).region == region


# -- lone surrogates ------------------------------------------------------------------------

SURROGATE_NAME = "al\ud83dice"
"""Half of an emoji: what a web form can pass on, and what has no UTF-8 form."""


def _botocore_body(params: dict[str, Any]) -> bytes:
    """The body botocore's own serializer writes for InitiateAuth with ``params``."""
    import botocore.session
    from botocore.serialize import create_serializer

    model = botocore.session.get_session().get_service_model("cognito-idp")
    request = create_serializer("json").serialize_to_request(
        params, model.operation_model("InitiateAuth")
    )
    body: bytes = request["body"]
    return body


async def test_a_lone_surrogate_is_escaped_as_botocore_does() -> None:
    params = {"USERNAME": SURROGATE_NAME, "PASSWORD": PASSWORD + " é"}
    with FaultServer() as server:
        async with CognitoIdentityProviderClient(
            "eu-west-1", endpoint_url=server.url, max_attempts=1
        ) as client:
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH", client_id="app", auth_parameters=params
            )
        sent = server.requests[0].body
    assert b"\\ud83d" in sent and sent.isascii()  # escaped, as JSON allows
    expected = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "app", "AuthParameters": params}
    assert json.loads(sent) == expected == json.loads(_botocore_body(expected))


async def test_a_lone_surrogate_never_reaches_an_exception_with_the_body() -> None:
    """An app client with a secret must hash the username as UTF-8, which it has none of: a
    ``ParamValidationError`` naming the field, nothing else; nothing sent."""
    from aiocognito.auth import UserPoolAuth

    with FaultServer() as server:
        async with CognitoIdentityProviderClient(
            "eu-west-1", endpoint_url=server.url, max_attempts=1
        ) as client:
            auth = UserPoolAuth(client, "eu-west-1_Pool", "app", "client-s3cret")
            with pytest.raises(aiocognito.ParamValidationError) as info:
                await auth.sign_in_password(SURROGATE_NAME, PASSWORD)
        assert server.count == 0
    exc = info.value
    assert exc.path == "username"
    assert exc.__context__ is None and exc.__cause__ is None
    shown = str(exc) + repr(exc)
    assert PASSWORD not in shown and "client-s3cret" not in shown and SURROGATE_NAME not in shown
