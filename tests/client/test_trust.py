"""TLS trust roots as users configure them: ``verify=``, the AWS and OpenSSL variables, the
profile's ``ca_bundle``, and a caller's transport beside ``HTTPS_PROXY``.

A TLS server on 127.0.0.1 with a certificate from a throwaway CA (trustme), so a client
trusts it only when told to: certifi's bundle (the default) does not know that CA.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from aiocognito._core import config, sending
from tests.client.test_transport import RawServer, sign_in

trustme = pytest.importorskip("trustme")


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: Any, tmp_path: Path) -> str:
    path = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def other_ca_file(tmp_path: Path) -> str:
    """A CA bundle that does not know the server's CA."""
    path = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
async def tls_url(ca: Any) -> AsyncIterator[str]:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    server = RawServer()
    await server.start(tls=server_ctx)
    yield server.url
    await server.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No trust or proxy variable and no AWS profile but the ones a test sets."""
    for var in (*config.TRUST_VARIABLES, "AWS_PROFILE", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    yield


def client_for(url: str, **kwargs: Any) -> CognitoIdentityProviderClient:
    return CognitoIdentityProviderClient(
        region="eu-west-1", endpoint_url=url, max_attempts=1, **kwargs
    )


async def works(url: str, **kwargs: Any) -> bool:
    """Whether a call verifies the server; a verification failure is the only other outcome."""
    async with client_for(url, **kwargs) as client:
        try:
            result = await sign_in(client)
        except aiocognito.TransportError as exc:
            assert "CERTIFICATE_VERIFY_FAILED" in str(exc), exc
            return False
    assert result.authentication_result is not None
    return True


async def test_certifi_alone_does_not_trust_the_server(tls_url: str) -> None:
    assert not await works(tls_url)


async def test_verify_takes_a_ca_bundle_path(tls_url: str, ca_file: str) -> None:
    assert await works(tls_url, verify=ca_file)
    assert await works(tls_url, verify=Path(ca_file))


async def test_verify_takes_an_ssl_context(tls_url: str, ca: Any) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    assert await works(tls_url, verify=context)


@pytest.mark.parametrize("variable", ["AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
async def test_each_variable_is_honoured(
    tls_url: str, ca_file: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, ca_file)
    assert await works(tls_url)


async def test_ssl_cert_dir_is_honoured(
    tls_url: str, ca_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to hash the directory")
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(ca_file, certs / "corporate-ca.pem")
    subprocess.run(["openssl", "rehash", str(certs)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_DIR", str(certs))
    assert await works(tls_url)
    assert await works(tls_url, verify=str(certs))  # a directory as verify= too


def _profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ca_bundle: str) -> None:
    config_file = tmp_path / "aws-config"
    config_file.write_text(
        f"[default]\nregion = eu-west-1\n\n[profile corp]\nca_bundle = {ca_bundle}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))


async def test_the_profiles_ca_bundle_is_honoured(
    tls_url: str, ca_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(tmp_path, monkeypatch, ca_file)
    assert await works(tls_url, profile="corp")
    assert not await works(tls_url)  # the default profile names no bundle
    monkeypatch.setenv("AWS_PROFILE", "corp")
    assert await works(tls_url)


@pytest.mark.parametrize(
    ("winner", "loser"),
    [
        ("AWS_CA_BUNDLE", "profile"),
        ("profile", "REQUESTS_CA_BUNDLE"),
        ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"),
        ("SSL_CERT_FILE", "SSL_CERT_DIR"),
        ("verify=", "AWS_CA_BUNDLE"),
    ],
)
async def test_the_order_is_botocores_then_openssls(
    *,
    tls_url: str,
    ca_file: str,
    other_ca_file: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    winner: str,
    loser: str,
) -> None:
    """The first source set wins, whatever the later ones say: with the right CA in the winner
    and a wrong one in the loser the call works, and the other way round it fails."""

    async def outcome(right: str, wrong: str) -> bool:
        kwargs: dict[str, Any] = {}
        for source, path in ((right, ca_file), (wrong, other_ca_file)):
            if source == "verify=":
                kwargs["verify"] = path
            elif source == "profile":
                _profile(tmp_path, monkeypatch, path)
                kwargs["profile"] = "corp"
            else:
                monkeypatch.setenv(source, path)
        return await works(tls_url, **kwargs)

    assert await outcome(winner, loser)
    assert not await outcome(loser, winner)


def test_the_environment_says_where_a_bundle_came_from(
    ca_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.trust_from_environment() is None
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")
    assert config.trust_from_environment() == ("/etc/ssl/certs", "SSL_CERT_DIR")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")  # empty counts as unset
    assert config.trust_from_environment() == ("/etc/ssl/certs", "SSL_CERT_DIR")
    _profile(tmp_path, monkeypatch, ca_file)
    assert config.trust_from_environment("corp") == (ca_file, "the profile's ca_bundle (corp)")


async def test_an_unreadable_bundle_is_a_configuration_error(
    tls_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "nowhere.pem")
    monkeypatch.setenv("AWS_CA_BUNDLE", missing)
    async with client_for(tls_url) as client:
        with pytest.raises(
            aiocognito.ConfigurationError, match=r"from AWS_CA_BUNDLE cannot be used"
        ):
            await sign_in(client)
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello", encoding="utf-8")
    async with client_for(tls_url, verify=str(not_pem)) as client:
        with pytest.raises(aiocognito.ConfigurationError, match=r"from verify= cannot be used"):
            await sign_in(client)


def test_verify_is_a_path_or_a_context() -> None:
    with pytest.raises(TypeError, match="there is no verify=False"):
        client_for("https://localhost:1", verify=False)
    with pytest.raises(aiocognito.ConfigurationError, match="verify= applies"):
        client_for("https://localhost:1", verify="/ca.pem", transport=httpx.AsyncHTTPTransport())


async def test_a_callers_transport_wins_over_https_proxy(
    tls_url: str, ca: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTPS_PROXY set, a caller's transport (and its own trust roots) still sends, as in
    httpx: the proxy, which does not exist, is never contacted."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    context = ssl.create_default_context()
    ca.configure_trust(context)
    assert await works(tls_url, transport=httpx.AsyncHTTPTransport(verify=context))
    # Without a transport of its own the client does go through the proxy (and fails).
    async with client_for(tls_url) as client:
        with pytest.raises(aiocognito.TransportError, match="ConnectError"):
            await sign_in(client)


async def test_the_seam_uses_the_same_trust(tls_url: str, ca_file: str) -> None:
    """The JWKS and OAuth helpers send through ``open_sender``: same trust roots there."""
    sender = sending.open_sender(verify=ca_file)
    try:
        assert (await sender.send("GET", tls_url + "/")).status == 200
    finally:
        await sender.aclose()


async def test_truststore_as_an_opt_in(
    tls_url: str, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """truststore verifies with the operating system's store; on Linux that is OpenSSL's
    default paths, which SSL_CERT_FILE points at the test CA here."""
    truststore = pytest.importorskip("truststore")
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    assert await works(tls_url, verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
