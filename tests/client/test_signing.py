"""Signed calls end to end: where the keys come from, refreshing them, and what is logged.

respx stands in for Cognito here (the signature is what is checked, and botocore's own signer
recomputes it from the request as sent); the environment test runs a loopback server in a
fresh interpreter, because only a fresh process shows which modules a call imports.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from tests.client.support import ENDPOINT, run_fresh
from tests.credentials import ACCESS_KEY, SECRET_KEY, ExpiringKeys, FakeCredentials

POOL = "eu-west-1_abc"


def _key_id(request: httpx.Request) -> str:
    return request.headers["authorization"].split("Credential=")[1].split("/")[0]


def _botocore_signature(
    url: str, headers: dict[str, str], body: bytes, keys: tuple[str, str, str | None]
) -> str:
    """botocore's ``SigV4Auth`` over a request as it was sent, at the time it was signed."""
    from unittest import mock

    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    lower = {k.lower(): v for k, v in headers.items()}
    signed = lower["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    stamp = datetime.strptime(lower["x-amz-date"], "%Y%m%dT%H%M%SZ")
    again = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={k: lower[k] for k in signed if k not in ("x-amz-date", "x-amz-security-token")},
    )
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=stamp):
        botocore.auth.SigV4Auth(Credentials(*keys), "cognito-idp", "eu-west-1").add_auth(again)
    return str(again.headers["Authorization"])


# -- keys from the environment, without botocore ------------------------------------------------


def test_a_signed_call_with_environment_credentials_never_imports_botocore(
    tmp_path: Path,
) -> None:
    main = """
    async def main():
        from aiocognito import CognitoIdentityProviderClient

        server, url = await start()
        async with CognitoIdentityProviderClient(endpoint_url=url) as client:
            user = await client.admin_get_user(user_pool_id="eu-west-1_x", username="u")
        server.close()
        assert user.username == "u"
        botocore = sorted(m for m in sys.modules if m.split(".")[0] == "botocore")
        print(json.dumps({"url": url + "/", "seen": SEEN, "botocore": botocore}))

    asyncio.run(main())
    """
    result = run_fresh(
        main,
        tmp_path,
        AWS_ACCESS_KEY_ID="AKIDFROMENV",
        AWS_SECRET_ACCESS_KEY="secret-from-env",
        AWS_SESSION_TOKEN="token-from-env",
        AWS_REGION="eu-west-1",
    )
    assert result["botocore"] == []
    (request,) = result["seen"]
    head = request["head"].split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:] if line)
    assert headers["X-Amz-Security-Token"] == "token-from-env"
    assert "Credential=AKIDFROMENV/" in headers["Authorization"]
    keys = ("AKIDFROMENV", "secret-from-env", "token-from-env")
    assert headers["Authorization"] == _botocore_signature(
        result["url"], headers, request["body"].encode(), keys
    )


@pytest.fixture
def env_keys(no_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Keys in the environment, and a shared credentials file with a profile ``p``."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-from-env")
    path = tmp_path / "credentials"
    path.write_text("[p]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = secret-p\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    return path


async def _signed_call(**kwargs: Any) -> httpx.Request:
    async with CognitoIdentityProviderClient(region="eu-west-1", **kwargs) as client:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(return_value=httpx.Response(200, json={}))
            await client.admin_delete_user(user_pool_id=POOL, username="bob")
    request: httpx.Request = route.calls.last.request
    return request


async def test_environment_keys_come_first_as_in_botocore(
    env_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS_PROFILE does not hide keys in the environment (botocore: "explicit credentials
    # take precedence"); only a profile named in code does.
    monkeypatch.setenv("AWS_PROFILE", "p")
    request = await _signed_call()
    assert _key_id(request) == "AKIDFROMENV"
    assert request.headers["x-amz-security-token"] == "token-from-env"
    request = await _signed_call(profile="p")
    assert _key_id(request) == "AKIDFROMPROFILE"
    assert "x-amz-security-token" not in request.headers


async def test_keys_given_to_the_client_come_before_the_environment(env_keys: Path) -> None:
    request = await _signed_call(credentials=FakeCredentials())
    assert _key_id(request) == ACCESS_KEY
    assert "x-amz-security-token" not in request.headers
    assert request.headers["authorization"] == _botocore_signature(
        str(request.url), dict(request.headers), request.content, (ACCESS_KEY, SECRET_KEY, None)
    )


async def test_expiring_environment_keys_go_through_botocores_chain(
    env_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``AWS_CREDENTIAL_EXPIRATION`` makes botocore re-read the environment as keys expire."""
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2999-01-01T00:00:00Z")
    request = await _signed_call()
    assert _key_id(request) == "AKIDFROMENV"
    assert "botocore.credentials" in sys.modules


# -- refreshable credentials: refreshed before they expire, never on the event loop ------------


async def _until(condition: Any) -> None:
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 30 s")


async def test_credentials_near_expiry_are_refreshed_in_the_background(no_aws_env: None) -> None:
    """12 minutes left: inside botocore's advisory window (15), outside its mandatory one (10).
    The call signs with the current keys while a worker thread refreshes; the refresh blocks
    until the test lets it finish, so the call could not have waited for it."""
    keys = ExpiringKeys(lifetime=12 * 60)
    credentials = keys.credentials()
    async with CognitoIdentityProviderClient(region="eu-west-1", credentials=credentials) as c:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(return_value=httpx.Response(200, json={}))
            await c.admin_delete_user(user_pool_id=POOL, username="bob")
            await c.admin_delete_user(user_pool_id=POOL, username="bob")
            assert [_key_id(call.request) for call in route.calls] == ["AKIDGEN1", "AKIDGEN1"]
            assert len(keys.threads) == 1  # one refresh under way for both calls
            assert keys.threads[0] != threading.get_ident()
            keys.release.set()
            await _until(lambda: keys.generation == 2)
            await _until(lambda: c._signer is not None and c._signer._refreshing is None)
            await c.admin_delete_user(user_pool_id=POOL, username="bob")
    assert _key_id(route.calls.last.request) == "AKIDGEN2"
    assert route.calls.last.request.headers["x-amz-security-token"] == "token-2"


async def test_credentials_about_to_expire_are_waited_for_off_the_event_loop(
    no_aws_env: None,
) -> None:
    """5 minutes left: the call must not use them, so it waits for the refresh, while the event
    loop goes on running other tasks."""
    keys = ExpiringKeys(lifetime=5 * 60)
    credentials = keys.credentials()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async with CognitoIdentityProviderClient(region="eu-west-1", credentials=credentials) as c:
        with respx.mock() as mock:
            route = mock.post(ENDPOINT).mock(return_value=httpx.Response(200, json={}))
            call = asyncio.ensure_future(c.admin_delete_user(user_pool_id=POOL, username="bob"))
            other = asyncio.ensure_future(c.admin_delete_user(user_pool_id=POOL, username="al"))
            tick = asyncio.ensure_future(ticker())
            await _until(lambda: ticks > 20)
            assert not call.done() and not other.done() and not route.called
            assert len(keys.threads) == 1 and keys.threads[0] != threading.get_ident()
            keys.release.set()
            await asyncio.gather(call, other)
            tick.cancel()
    assert [_key_id(call.request) for call in route.calls] == ["AKIDGEN2", "AKIDGEN2"]


async def test_keys_inside_the_refresh_window_are_refreshed_on_each_call(
    no_aws_env: None,
) -> None:
    keys = ExpiringKeys(lifetime=60)  # every refresh leaves the keys inside the window
    keys.release.set()
    credentials = keys.credentials()
    request = await _signed_call(credentials=credentials)
    assert _key_id(request) == "AKIDGEN2"
    request = await _signed_call(credentials=credentials)
    assert _key_id(request) == "AKIDGEN3"
    assert keys.threads and threading.get_ident() not in keys.threads


# -- nothing secret in the log ----------------------------------------------------------------


async def test_no_log_line_of_a_signed_call_shows_the_secret_or_the_token(
    env_keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG (botocore's signer printed the canonical request, token
    included), through each source of keys: given, environment, botocore's chain."""
    caplog.set_level(logging.DEBUG)
    secrets = ["secret-from-env", "token-from-env", "secret-p", SECRET_KEY, "given-token"]
    await _signed_call(credentials=FakeCredentials(token="given-token"))
    await _signed_call()
    await _signed_call(profile="p")
    keys = ExpiringKeys(lifetime=60)
    keys.release.set()
    await _signed_call(credentials=keys.credentials())
    secrets += ["secret-1", "token-1", "secret-2", "token-2"]
    assert caplog.records, "DEBUG records were captured"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{record.name}: {text[:300]}"


def test_credentials_repr_hides_the_keys() -> None:
    from aiocognito._core.signing import Frozen

    text = repr(Frozen(ACCESS_KEY, SECRET_KEY, "a-token"))
    assert SECRET_KEY not in text and "a-token" not in text


# -- keys an HTTP header cannot carry -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "token", "access_key"),
    [
        ("given", "SECRET-TOKEN-with-a-newline\n", ACCESS_KEY),
        ("given", "SECRET-TOKEN\r\nX-Forged: 1", ACCESS_KEY),
        ("given", None, "AKIDWITHANEWLINE\n"),
        ("environment", "SECRET-TOKEN-from-a-file\n", "AKIDFROMENV"),
    ],
)
async def test_keys_with_a_control_character_are_refused_before_sending(
    no_aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    token: str | None,
    access_key: str,
) -> None:
    """Refused with a ConfigurationError naming the key, never quoting it: on the h11 and
    httpx paths the HTTP layer's own error quoted the header value, the session token."""
    kwargs: dict[str, Any] = {}
    if source == "given":
        kwargs["credentials"] = FakeCredentials(access_key=access_key, token=token)
    else:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
        monkeypatch.setenv("AWS_SESSION_TOKEN", token or "")
    async with CognitoIdentityProviderClient(region="eu-west-1", **kwargs) as client:
        with respx.mock(assert_all_called=False) as mock:
            route = mock.post(ENDPOINT).mock(return_value=httpx.Response(200, json={}))
            with pytest.raises(aiocognito.ConfigurationError) as info:
                await client.admin_delete_user(user_pool_id=POOL, username="bob")
    assert not route.called
    text = str(info.value) + repr(info.value)
    assert ("session token" if token else "access key id") in text
    assert "SECRET-TOKEN" not in text and "X-Forged" not in text and "AKIDWITH" not in text
    assert info.value.__context__ is None and info.value.__cause__ is None
