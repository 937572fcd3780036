"""The client's runtime: signing, credentials, errors, validation, endpoints, lifecycle, logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import datetime
from typing import Any

import httpx
import pytest
import respx

import aiocognito
from aiocognito import CognitoIdentityProviderClient, RetryConfig, errors, shapes
from aiocognito._core import sending
from tests.client.support import ENDPOINT, MODEL
from tests.credentials import FakeCredentials

SECRET = "hunter2-Secret!"


def _reply(status: int, body: Any = None, **kw: Any) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {}, **kw)


# -- signing --------------------------------------------------------------------------------


async def test_signed_request_carries_a_valid_sigv4_signature(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with respx.mock() as mock:
        route = mock.post(ENDPOINT).mock(
            return_value=_reply(200, {"Username": "bob", "UserAttributes": []})
        )
        await client.admin_get_user(user_pool_id="eu-west-1_abc", username="bob")
    sent = route.calls.last.request
    auth = sent.headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/cognito-idp/aws4_request" in auth

    # Re-sign the request exactly as it went over the wire with botocore's own signer.
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    stamp = datetime.strptime(sent.headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: stamp)
    # The server checks the headers the signature lists; httpx may add others after signing.
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed)
    # Per-attempt bookkeeping travels unsigned (less work for the signer; SigV4 does not ask).
    assert not {"user-agent", "amz-sdk-invocation-id", "amz-sdk-request"} & set(signed)
    assert sent.headers["amz-sdk-request"] == "attempt=1; max=3"
    headers = {
        k: v
        for k, v in sent.headers.items()
        if k.lower() in signed and k.lower() not in ("host", "x-amz-date")
    }
    again = AWSRequest(method="POST", url=str(sent.url), data=sent.content, headers=headers)
    creds = FakeCredentials()
    botocore.auth.SigV4Auth(
        Credentials(creds.access_key, creds.secret_key), "cognito-idp", "eu-west-1"
    ).add_auth(again)
    assert again.headers["Authorization"] == auth


async def test_session_token_is_sent(no_aws_env: None) -> None:
    creds = FakeCredentials(token="session-token-value")
    async with CognitoIdentityProviderClient(region="eu-west-1", credentials=creds) as c:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(return_value=_reply(200))
            await c.admin_delete_user(user_pool_id="eu-west-1_abc", username="bob")
    assert route.calls.last.request.headers["x-amz-security-token"] == "session-token-value"


async def test_credentials_from_environment_chain(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    async with CognitoIdentityProviderClient(region="eu-west-1") as c:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(return_value=_reply(200))
            await c.admin_delete_user(user_pool_id="eu-west-1_abc", username="bob")
    assert "Credential=AKIDFROMENV/" in route.calls.last.request.headers["authorization"]


async def test_signed_operation_without_credentials_is_a_clear_error(no_aws_env: None) -> None:
    async with CognitoIdentityProviderClient(region="eu-west-1") as c:
        with respx.mock(assert_all_called=False) as mock:
            route = mock.post(ENDPOINT).mock(return_value=_reply(200))
            with pytest.raises(aiocognito.NoCredentialsError, match="credentials"):
                await c.admin_delete_user(user_pool_id="eu-west-1_abc", username="bob")
    assert not route.called


async def test_unsigned_operation_needs_no_credentials(no_aws_env: None) -> None:
    async with CognitoIdentityProviderClient(region="eu-west-1") as c:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(
                return_value=_reply(200, {"UserConfirmed": False, "UserSub": "sub-1"})
            )
            out = await c.sign_up(client_id="client", username="alice", password=SECRET)
    assert out.user_sub == "sub-1"
    assert "authorization" not in route.calls.last.request.headers


def test_unsigned_operations_never_import_botocore() -> None:
    code = """
import asyncio, sys, httpx
from aiocognito import CognitoIdentityProviderClient

def handler(request):
    return httpx.Response(200, json={"UserConfirmed": True, "UserSub": "s"})

async def main():
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with CognitoIdentityProviderClient(region="eu-west-1", http_client=http) as c:
        await c.sign_up(client_id="c", username="u", password="p")
        await c.initiate_auth(auth_flow="USER_PASSWORD_AUTH", client_id="c")
    await http.aclose()
    print(sorted(m for m in sys.modules if m.split(".")[0] == "botocore"))

asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout


# -- errors ---------------------------------------------------------------------------------

ERROR_SHAPES = sorted(n for n, s in MODEL["shapes"].items() if s.get("exception"))


@pytest.mark.parametrize("code", ERROR_SHAPES)
async def test_every_modeled_error_maps_to_its_class(client: Any, code: str) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=_reply(
                400,
                {"__type": code, "message": "it failed"},
                headers={"x-amzn-RequestId": "rid-42"},
            )
        )
        with pytest.raises(getattr(errors, code)) as info:
            await client.list_user_pools(max_results=1)
    exc = info.value
    assert type(exc) is getattr(errors, code)
    assert (exc.code, exc.message, exc.status_code, exc.request_id) == (
        code,
        "it failed",
        400,
        "rid-42",
    )
    assert exc.operation == "ListUserPools"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"x-amzn-ErrorType": "UserNotFoundException:http://internal.amazon.com/"}, {}),
        ({}, {"__type": "com.amazonaws.cognito#UserNotFoundException", "Message": "m"}),
        ({}, {"code": "UserNotFoundException", "message": "m"}),
        (
            {"X-Amzn-Errortype": "UserNotFoundException"},
            {"__type": "SomethingElse", "message": "m"},
        ),
    ],
    ids=["header-with-suffix", "type-with-namespace", "code-field", "header-wins"],
)
async def test_error_code_sources(client: Any, headers: dict[str, str], body: Any) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(return_value=_reply(400, body, headers=headers))
        with pytest.raises(errors.UserNotFoundException):
            await client.list_user_pools(max_results=1)


async def test_modeled_error_members(client: Any) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=_reply(
                400,
                {
                    "__type": "InvalidParameterException",
                    "message": "bad",
                    "reasonCode": "INVALID_EXTERNAL_ID",
                },
            )
        )
        with pytest.raises(errors.InvalidParameterException) as info:
            await client.list_user_pools(max_results=1)
    assert info.value.reason_code == "INVALID_EXTERNAL_ID"


async def test_unknown_error_code_is_a_service_error(client: Any) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=_reply(400, {"__type": "BrandNewException", "message": "new"})
        )
        with pytest.raises(aiocognito.ServiceError) as info:
            await client.list_user_pools(max_results=1)
    assert type(info.value) is aiocognito.ServiceError
    assert info.value.code == "BrandNewException"
    assert "BrandNewException" in str(info.value)


@pytest.mark.parametrize(
    ("status", "content", "ctype", "expect"),
    [
        (
            502,
            b"<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1></body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        (503, b"", "", "HTTP 503"),
        (500, b'{"__type": "InternalErrorExce', "application/x-amz-json-1.1", "non-JSON"),
        (403, b"Forbidden by proxy", "text/plain", "Forbidden by proxy"),
    ],
    ids=["html", "empty", "truncated-json", "plain-text"],
)
async def test_non_json_error_bodies(
    client: Any, status: int, content: bytes, ctype: str, expect: str
) -> None:
    headers = {"content-type": ctype} if ctype else {}
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=httpx.Response(status, content=content, headers=headers)
        )
        with pytest.raises(aiocognito.ServiceError) as info:
            await client.list_user_pools(max_results=1)
    exc = info.value
    assert exc.status_code == status
    assert expect in str(exc)
    assert "<h1>" not in str(exc)
    assert "style" not in str(exc)


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        (b'{"UserPools": [', "application/x-amz-json-1.1"),
        (b"<html>oops</html>", "text/html"),
        (b"[1, 2]", "application/json"),
        (b'{"UserPools": "not-a-list"}', "application/x-amz-json-1.1"),
    ],
    ids=["truncated", "html-200", "not-an-object", "wrong-type"],
)
async def test_malformed_success_body_is_a_parse_error(
    client: Any, content: bytes, ctype: str
) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=httpx.Response(200, content=content, headers={"content-type": ctype})
        )
        with pytest.raises(aiocognito.ResponseParseError, match="ListUserPools") as info:
            await client.list_user_pools(max_results=1)
    assert info.value.operation == "ListUserPools"


async def test_success_with_wrong_content_type_but_json_body_parses(client: Any) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=httpx.Response(
                200, content=b'{"UserPools": []}', headers={"content-type": "text/plain"}
            )
        )
        out = await client.list_user_pools(max_results=1)
    assert out.user_pools == []


async def test_parse_error_never_quotes_tokens(client: Any) -> None:
    body = b'{"AuthenticationResult": {"AccessToken": "eyJSECRETTOKEN", "ExpiresIn": "soon"}}'
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(return_value=httpx.Response(200, content=body))
        with pytest.raises(aiocognito.ResponseParseError) as info:
            await client.initiate_auth(auth_flow="USER_PASSWORD_AUTH", client_id="c")
    assert "eyJSECRETTOKEN" not in str(info.value)
    assert "authentication_result.expires_in" in str(info.value)


async def test_transport_errors_are_typed(client: Any) -> None:
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(aiocognito.TransportError, match="ListUserPools"):
            await client.list_user_pools(max_results=1)
        mock.post(ENDPOINT).mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(aiocognito.TransportTimeoutError) as info:
            await client.list_user_pools(max_results=1)
    assert isinstance(info.value, TimeoutError)  # the builtin too


# -- validation -----------------------------------------------------------------------------


async def test_validation_errors_name_the_path_and_send_nothing(client: Any) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(ENDPOINT).mock(return_value=_reply(200))
        with pytest.raises(
            aiocognito.ParamValidationError, match="user_pool_id: expected str, got int"
        ):
            await client.admin_get_user(user_pool_id=5, username="bob")
        with pytest.raises(
            aiocognito.ParamValidationError, match="missing required parameter username"
        ):
            await client.admin_get_user(user_pool_id="p", username=None)
        with pytest.raises(
            aiocognito.ParamValidationError, match=r"user_attributes\[1\]\.value: expected str"
        ) as info:
            await client.admin_update_user_attributes(
                user_pool_id="p",
                username="bob",
                user_attributes=[
                    shapes.AttributeType(name="email", value="a@example.com"),
                    shapes.AttributeType(name="custom:pin", value=1234),  # type: ignore[arg-type]
                ],
            )
        with pytest.raises(aiocognito.ParamValidationError, match=r"auth_parameters\['PASSWORD'\]"):
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH",
                client_id="c",
                auth_parameters={"USERNAME": "u", "PASSWORD": 42},  # type: ignore[dict-item]
            )
        with pytest.raises(aiocognito.ParamValidationError):
            await client.list_users(user_pool_id="p", limit=True)
    assert not route.called
    assert "1234" not in str(info.value)
    assert isinstance(info.value, ValueError)


async def test_enum_members_and_plain_strings_are_both_accepted(client: Any) -> None:
    with respx.mock() as mock:
        route = mock.post(ENDPOINT).mock(return_value=_reply(200))
        await client.initiate_auth(auth_flow=shapes.AuthFlowType.USER_SRP_AUTH, client_id="c")
        await client.initiate_auth(auth_flow="USER_SRP_AUTH", client_id="c")
    first, second = (json.loads(c.request.content) for c in route.calls)
    assert first == second == {"AuthFlow": "USER_SRP_AUTH", "ClientId": "c"}


# -- secrets stay out of logs, reprs and messages --------------------------------------------


async def test_no_secret_in_logs_or_errors(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aiocognito")
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(
            return_value=_reply(
                400,
                {"__type": "NotAuthorizedException", "message": "Incorrect username or password."},
            )
        )
        with pytest.raises(errors.NotAuthorizedException) as info:
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH",
                client_id="c",
                auth_parameters={"USERNAME": "alice", "PASSWORD": SECRET},
            )
    assert any("InitiateAuth" in r.getMessage() for r in caplog.records)
    text = "\n".join(r.getMessage() for r in caplog.records) + str(info.value) + repr(info.value)
    assert SECRET not in text
    request = shapes.InitiateAuthRequest(
        auth_flow="USER_PASSWORD_AUTH", client_id="c", auth_parameters={"PASSWORD": SECRET}
    )
    assert SECRET not in repr(request)


# -- endpoints, region, lifecycle ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({"region": "eu-west-1"}, "https://cognito-idp.eu-west-1.amazonaws.com"),
        (
            {"region": "us-east-1", "use_fips": True},
            "https://cognito-idp-fips.us-east-1.amazonaws.com",
        ),
        (
            {"region": "eu-west-1", "use_dualstack": True},
            "https://cognito-idp.eu-west-1.amazonaws.com",
        ),
        (
            {"region": "us-east-1", "use_fips": True, "use_dualstack": True},
            "https://cognito-idp-fips.us-east-1.amazonaws.com",
        ),
        (
            {"region": "ca-central-1", "use_fips": True, "use_dualstack": True},
            "https://cognito-idp-fips.ca-central-1.api.aws",
        ),
        ({"region": "cn-north-1"}, "https://cognito-idp.cn-north-1.amazonaws.com.cn"),
        (
            {"region": "cn-north-1", "use_dualstack": True},
            "https://cognito-idp.cn-north-1.api.amazonwebservices.com.cn",
        ),
        (
            {"region": "us-gov-west-1", "use_fips": True},
            "https://cognito-idp-fips.us-gov-west-1.amazonaws.com",
        ),
        ({"region": "mars-east-1"}, "https://cognito-idp.mars-east-1.amazonaws.com"),
        (
            {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:5000"},
            "http://127.0.0.1:5000",
        ),
        ({"endpoint_url": "http://localhost:9229/"}, "http://localhost:9229/"),
    ],
)
def test_endpoint_resolution(no_aws_env: None, kwargs: dict[str, Any], url: str) -> None:
    assert CognitoIdentityProviderClient(**kwargs).endpoint_url == url


def test_endpoint_resolution_agrees_with_botocore(no_aws_env: None) -> None:
    """botocore's own rule-set engine, on the same rule set and partitions, agrees with ours."""
    from botocore.endpoint_provider import EndpointProvider

    from tests.client.support import ROOT

    rule_set = json.loads(
        (ROOT / "service-model/cognito-idp/2016-04-18/endpoint-rule-set-1.json").read_text()
    )
    partitions = json.loads((ROOT / "service-model/partitions.json").read_text())
    provider = EndpointProvider(rule_set, partitions)
    regions = [
        "eu-west-1",
        "us-east-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "ap-southeast-5",
        "xx-new-9",
    ]
    for region in regions:
        for fips in (False, True):
            for dual in (False, True):
                try:
                    ours = CognitoIdentityProviderClient(
                        region=region, use_fips=fips, use_dualstack=dual
                    ).endpoint_url
                except aiocognito.ConfigurationError:
                    ours = "error"
                try:
                    theirs = provider.resolve_endpoint(
                        Region=region, UseFIPS=fips, UseDualStack=dual
                    ).url
                except Exception:
                    theirs = "error"
                assert ours == theirs, (region, fips, dual)


@pytest.mark.parametrize("flag", ["use_fips", "use_dualstack"])
def test_custom_endpoint_with_fips_or_dualstack_is_rejected(no_aws_env: None, flag: str) -> None:
    with pytest.raises(aiocognito.ConfigurationError, match="custom endpoint"):
        CognitoIdentityProviderClient(region="eu-west-1", endpoint_url="http://x", **{flag: True})


def test_region_from_environment(no_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert CognitoIdentityProviderClient().region == "ap-south-1"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert CognitoIdentityProviderClient().region == "eu-north-1"


def test_region_from_profile(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = sa-east-1\n[profile other]\nregion = me-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert CognitoIdentityProviderClient().region == "sa-east-1"
    assert CognitoIdentityProviderClient(profile="other").region == "me-south-1"


def _retries(client: CognitoIdentityProviderClient) -> tuple[int, str, bool]:
    """Attempts, mode, and whether the adaptive rate limiter is there."""
    policy = client._retry
    return policy.max_attempts, client.retry.mode, policy.limiter is not None


def test_retry_settings_from_the_environment(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE``, as botocore reads them; arguments win."""
    assert _retries(CognitoIdentityProviderClient("eu-west-1")) == (3, "standard", False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    assert _retries(CognitoIdentityProviderClient("eu-west-1")) == (7, "adaptive", True)
    explicit = CognitoIdentityProviderClient(
        "eu-west-1", max_attempts=2, retry=RetryConfig(mode="standard")
    )
    assert _retries(explicit) == (2, "standard", False)
    # A RetryConfig is used as given: its mode (standard unless it says) wins too.
    assert _retries(CognitoIdentityProviderClient("eu-west-1", retry=RetryConfig()))[1:] == (
        "standard",
        False,
    )
    monkeypatch.setenv("AWS_RETRY_MODE", " Legacy ")  # botocore's old mode: standard here
    assert _retries(CognitoIdentityProviderClient("eu-west-1"))[1] == "standard"


def test_retry_settings_from_the_profile(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[default]\nmax_attempts = 2\n[profile bulk]\nretry_mode = adaptive\nmax_attempts = 4\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert _retries(CognitoIdentityProviderClient("eu-west-1")) == (2, "standard", False)
    assert _retries(CognitoIdentityProviderClient("eu-west-1", profile="bulk")) == (
        4,
        "adaptive",
        True,
    )
    monkeypatch.setenv("AWS_PROFILE", "bulk")
    assert _retries(CognitoIdentityProviderClient("eu-west-1"))[:2] == (4, "adaptive")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "6")  # the environment before the profile
    assert _retries(CognitoIdentityProviderClient("eu-west-1"))[:2] == (6, "adaptive")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AWS_MAX_ATTEMPTS", "three"),
        ("AWS_MAX_ATTEMPTS", "0"),
        ("AWS_MAX_ATTEMPTS", "-1"),
        ("AWS_MAX_ATTEMPTS", "2.5"),
        ("AWS_RETRY_MODE", "fast"),
        ("AWS_RETRY_MODE", "x" * 500),
    ],
)
def test_unusable_retry_settings_say_where_they_came_from(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(aiocognito.ConfigurationError) as info:
        CognitoIdentityProviderClient("eu-west-1")
    text = str(info.value)
    assert f"from {variable}" in text
    assert len(text) < 300  # a long value is cut short


def test_unusable_retry_mode_in_a_profile_names_the_profile(
    no_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile bulk]\nretry_mode = turbo\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with pytest.raises(aiocognito.ConfigurationError, match=r"the profile's retry_mode \(bulk\)"):
        CognitoIdentityProviderClient("eu-west-1", profile="bulk")


def test_missing_region_is_a_clear_error(no_aws_env: None) -> None:
    with pytest.raises(aiocognito.NoRegionError, match="AWS_REGION"):
        CognitoIdentityProviderClient()


async def test_closed_client_cannot_be_reused(no_aws_env: None) -> None:
    c = CognitoIdentityProviderClient(region="eu-west-1")
    async with c:
        pass
    with pytest.raises(aiocognito.ClientClosedError):
        await c.sign_up(client_id="c", username="u", password="p")


async def test_caller_owned_http_client_stays_open(no_aws_env: None) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    async with CognitoIdentityProviderClient(region="eu-west-1", http_client=http) as c:
        await c.global_sign_out(access_token="t")
    assert not http.is_closed
    await http.aclose()


async def test_owned_connections_are_closed(no_aws_env: None) -> None:
    c = CognitoIdentityProviderClient(region="eu-west-1")
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(return_value=_reply(200))
        await c.global_sign_out(access_token="t")
    sender = c._sender  # under respx: httpx's default transport, which the client owns
    assert isinstance(sender, sending._TransportSender)
    transport = sender.transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    closed: list[bool] = []
    original = transport.aclose

    async def aclose() -> None:
        closed.append(True)
        await original()

    transport.aclose = aclose  # type: ignore[method-assign]
    await c.close()
    assert closed == [True]
    await c.close()  # idempotent
