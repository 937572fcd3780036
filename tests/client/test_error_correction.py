"""Client error correction end to end: answers that leave out members the model requires.

The Smithy specification lets clients fill such a member with its zero value instead of failing
(AWS's SDKs for Rust, Kotlin, Swift and Java do; boto3 returns what it got). respx answers the
first test (the client's httpx path); the loopback HTTP server of test_client_server.py, on
127.0.0.1, answers the others, so the client's own HTTP/1.1 transport and boto3 read the very
same bytes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from aiocognito import CognitoIdentityProviderClient, shapes
from tests.client.support import FakeCredentials
from tests.client.test_client_server import Server

ENDPOINT = "https://cognito-idp.eu-west-1.amazonaws.com/"
SECRET_EMAIL = "alice-secret@example.com"


async def test_sign_up_answering_an_empty_object_succeeds(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # SignUpResponse requires UserConfirmed (boolean) and UserSub (string).
    with respx.mock() as mock, caplog.at_level(logging.DEBUG, logger="aiocognito"):
        mock.post(ENDPOINT).mock(return_value=httpx.Response(200, json={}))
        out = await client.sign_up(client_id="c", username="alice", password="Secret-pw-123")
    assert out == shapes.SignUpResponse(user_confirmed=False, user_sub="")
    assert out.user_confirmed is False and out.user_sub == ""
    corrected = [r for r in caplog.records if "client error correction" in r.getMessage()]
    assert [r.levelno for r in corrected] == [logging.DEBUG, logging.DEBUG]
    assert "SignUpResponse.UserConfirmed" in corrected[0].getMessage()
    assert "SignUpResponse.UserSub" in corrected[1].getMessage()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def _boto3(url: str) -> Any:
    import boto3

    return boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


async def test_admin_get_user_without_username_succeeds_as_with_boto3(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    reply = {
        "UserAttributes": [{"Name": "email", "Value": SECRET_EMAIL}],
        "Enabled": True,
        "UserStatus": "CONFIRMED",
    }
    server.replies["AdminGetUser"] = reply
    url = f"http://127.0.0.1:{server.server_port}"
    async with CognitoIdentityProviderClient(
        region="eu-west-1", endpoint_url=url, credentials=FakeCredentials()
    ) as client:
        with caplog.at_level(logging.DEBUG, logger="aiocognito"):
            out = await client.admin_get_user(user_pool_id="eu-west-1_pool", username="alice")
    assert out.username == ""  # the typed attribute stays a str
    assert out.user_attributes == [shapes.AttributeType(name="email", value=SECRET_EMAIL)]
    assert out.enabled is True and out.user_status is shapes.UserStatusType.CONFIRMED
    corrected = [r.getMessage() for r in caplog.records if "error correction" in r.getMessage()]
    assert len(corrected) == 1 and "AdminGetUserResponse.Username" in corrected[0]
    assert all(SECRET_EMAIL not in r.getMessage() for r in caplog.records)

    # boto3 reads the same answer without complaint (it returns what it got).
    answer = _boto3(url).admin_get_user(UserPoolId="eu-west-1_pool", Username="alice")
    assert "Username" not in answer
    assert answer["UserAttributes"] == reply["UserAttributes"]


async def test_sign_up_empty_answer_on_the_clients_own_transport(server: Server) -> None:
    server.replies["SignUp"] = {}
    url = f"http://127.0.0.1:{server.server_port}"
    async with CognitoIdentityProviderClient(region="eu-west-1", endpoint_url=url) as client:
        out = await client.sign_up(client_id="c", username="alice", password="Secret-pw-123")
    assert (out.user_confirmed, out.user_sub, out.code_delivery_details) == (False, "", None)
    assert _boto3(url).sign_up(ClientId="c", Username="alice", Password="Secret-pw-123")


async def test_a_wrong_type_is_still_a_parse_error_naming_the_member(server: Server) -> None:
    import aiocognito

    server.replies["AdminGetUser"] = {"Username": 7, "UserAttributes": []}
    url = f"http://127.0.0.1:{server.server_port}"
    async with CognitoIdentityProviderClient(
        region="eu-west-1", endpoint_url=url, credentials=FakeCredentials()
    ) as client:
        with pytest.raises(aiocognito.ResponseParseError, match=r"@ response\.username"):
            await client.admin_get_user(user_pool_id="eu-west-1_pool", username="alice")
