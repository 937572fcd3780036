"""The URLs the browser goes to (authorize, logout) and the domain checks: no HTTP needed."""

from __future__ import annotations

import urllib.parse

import pytest

from aiocognito import ConfigurationError, ParamValidationError
from aiocognito.oauth import OAuth2Client, new_pkce

DOMAIN = "https://auth.example.com"


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, strict_parsing=True))


def test_authorize_url_carries_every_parameter() -> None:
    oauth = OAuth2Client(DOMAIN, "client-1")
    pkce = new_pkce()
    url = oauth.authorize_url(
        redirect_uri="https://app.example.com/callback?x=1",
        scopes=["openid", "email", "openid", "orders/read"],
        state="st&te=1",
        pkce=pkce,
        identity_provider="Google",
        nonce="n-1",
        prompt=["login", "consent"],
    )
    assert url.startswith("https://auth.example.com/oauth2/authorize?")
    assert query(url) == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "https://app.example.com/callback?x=1",
        "scope": "openid email orders/read",
        "state": "st&te=1",
        "identity_provider": "Google",
        "nonce": "n-1",
        "prompt": "login consent",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    assert pkce.verifier not in url


def test_authorize_url_minimal() -> None:
    url = OAuth2Client("mydomain.auth.us-east-1.amazoncognito.com/", "c").authorize_url(
        redirect_uri="myapp://callback", prompt="none"
    )
    assert url.startswith("https://mydomain.auth.us-east-1.amazoncognito.com/oauth2/authorize?")
    assert query(url) == {
        "response_type": "code",
        "client_id": "c",
        "redirect_uri": "myapp://callback",
        "prompt": "none",
    }


def test_logout_url() -> None:
    url = OAuth2Client(DOMAIN, "client-1").logout_url("https://app.example.com/signed-out")
    assert url.startswith("https://auth.example.com/logout?")
    assert query(url) == {
        "client_id": "client-1",
        "logout_uri": "https://app.example.com/signed-out",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"redirect_uri": "/callback"}, "absolute URI"),
        ({"redirect_uri": "https://a.example/cb#frag"}, "fragment"),
        ({"redirect_uri": ""}, "non-empty"),
        ({"redirect_uri": "https://a.example/cb", "scopes": "openid email"}, "not a string"),
        ({"redirect_uri": "https://a.example/cb", "scopes": ["openid email"]}, "without spaces"),
        ({"redirect_uri": "https://a.example/cb", "scopes": [""]}, "non-empty"),
        ({"redirect_uri": "https://a.example/cb", "state": ""}, "state"),
        ({"redirect_uri": "https://a.example/cb", "pkce": "challenge"}, "new_pkce"),
    ],
)
def test_authorize_url_refusals(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParamValidationError, match=message):
        OAuth2Client(DOMAIN, "c").authorize_url(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("auth.example.com", "https://auth.example.com"),
        ("https://auth.example.com/", "https://auth.example.com"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://localhost:9000/base/", "http://localhost:9000/base"),
    ],
)
def test_domains(domain: str, expected: str) -> None:
    url = OAuth2Client(domain, "c").logout_url("https://a.example/")
    assert url.startswith(f"{expected}/logout?")


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("http://auth.example.com", "plain http"),
        ("ftp://auth.example.com", "not an https URL"),
        ("https://auth.example.com/?x=1", "query"),
        ("https://user:pw@auth.example.com", "credentials"),
        ("", "domain"),
    ],
)
def test_bad_domains_are_refused(domain: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        OAuth2Client(domain, "c")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ParamValidationError, match="client_id"):
        OAuth2Client(DOMAIN, "")
    with pytest.raises(ParamValidationError, match="client_secret"):
        OAuth2Client(DOMAIN, "c", "")
    with pytest.raises(ConfigurationError, match="timeout"):
        OAuth2Client(DOMAIN, "c", timeout=0)


def test_repr_shows_no_secret() -> None:
    oauth = OAuth2Client(DOMAIN, "client-1", "very-secret-value")
    assert "very-secret-value" not in repr(oauth)
    assert (
        repr(oauth)
        == "OAuth2Client('https://auth.example.com', client_id='client-1', confidential)"
    )
