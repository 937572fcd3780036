"""What the OAuth 2.0 endpoints answer, typed: tokens, userInfo claims, the openid-configuration,
and the error they raise."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from attrs import define, field

from .._core.errors import CognitoError, ResponseParseError
from .._core.protocol import loads
from .._core.types import redact

_MAX_DESCRIPTION = 300
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class OAuthError(CognitoError):
    """An OAuth 2.0 endpoint of the user pool domain refused the request.

    ``error`` is the code the endpoint sent: at the token endpoint ``invalid_request``,
    ``invalid_client``, ``invalid_grant`` (a used, expired or unknown code, a wrong PKCE
    verifier, a revoked refresh token), ``unauthorized_client``, ``unsupported_grant_type``,
    ``invalid_scope``; at the revocation endpoint also ``unsupported_token_type``; at the
    userInfo endpoint ``invalid_token``. An answer without an OAuth error (a 5xx, an HTML error
    page) gives ``HTTP<status>``, as the client's ``ServiceError`` does. Neither the message nor
    the ``repr`` ever shows the client secret, a code, a verifier or a token.
    """

    def __init__(
        self,
        error: str,
        description: str | None = None,
        *,
        status_code: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.error = error
        """The OAuth error code, e.g. ``"invalid_grant"``."""
        self.description = description
        """The endpoint's ``error_description``, when it sent one."""
        self.status_code = status_code
        self.endpoint = endpoint
        """Which endpoint answered, e.g. ``"token endpoint"``."""
        super().__init__(error)

    def __str__(self) -> str:
        where = f" at the {self.endpoint}" if self.endpoint else ""
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        description = f": {self.description}" if self.description else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{self.error}{where}{status}{description}{tries}"

    def __repr__(self) -> str:
        return (
            f"OAuthError(error={self.error!r}, description={self.description!r}, "
            f"status_code={self.status_code!r}, endpoint={self.endpoint!r})"
        )


@define(frozen=True, kw_only=True)
class OAuthTokens:
    """Tokens from the token endpoint; the ``repr`` shows which are present, never what they are.

    A refresh answers no refresh token (unless refresh-token rotation is on): ``refresh()`` then
    carries over the one it was given, which stays valid (RFC 6749 section 6).
    """

    access_token: str = field(repr=redact)
    """The access token (a JWT): the ``Authorization: Bearer`` credential for your APIs."""
    id_token: str | None = field(default=None, repr=redact)
    """The ID token (a JWT), when the ``openid`` scope was granted (never for client credentials)."""
    refresh_token: str | None = field(default=None, repr=redact)
    """The refresh token, from a code exchange (and a refresh with rotation, or carried over)."""
    token_type: str = "Bearer"
    expires_in: int
    """Lifetime of the access and ID tokens in seconds, as the endpoint said."""
    expires_at: datetime
    """When the access and ID tokens expire (aware, UTC): the answer's arrival + ``expires_in``."""
    scope: tuple[str, ...] | None = None
    """The granted scopes when the answer says, else the requested ones; ``None`` if neither."""


@define(frozen=True, kw_only=True, repr=False)
class UserInfo(Mapping[str, Any]):
    """The userInfo endpoint's claims about the user, typed where OIDC names them.

    Any claim reads as ``info["custom:tenant"]``; ``raw`` is the whole answer. Cognito sends the
    ``*_verified`` claims as the strings ``"true"``/``"false"``: they read as ``bool`` here. The
    ``repr`` shows ``sub`` and the names of the claims, not their (personal) values.
    """

    sub: str
    """The user's unique, stable identifier in the pool."""
    username: str | None = None
    """The user's name in the pool (Cognito adds it to the OIDC claims)."""
    email: str | None = None
    email_verified: bool | None = None
    phone_number: str | None = None
    phone_number_verified: bool | None = None
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    nickname: str | None = None
    preferred_username: str | None = None
    locale: str | None = None
    zoneinfo: str | None = None
    updated_at: int | None = None
    """Seconds since the epoch when the user's information last changed."""
    raw: Mapping[str, Any] = field(factory=dict[str, Any])
    """Every claim the endpoint sent, as sent."""

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"UserInfo(sub={self.sub!r}, claims={sorted(self.raw)!r})"


@define(frozen=True, kw_only=True)
class OpenIDConfiguration:
    """The user pool's OpenID Connect discovery document (``.well-known/openid-configuration``).

    Cognito publishes it at the pool's issuer,
    ``https://cognito-idp.<region>.amazonaws.com/<user pool id>``; the endpoints it names are on
    the pool's domain. Members Cognito may add later read as ``config["name"]``.
    """

    issuer: str
    """The ``iss`` claim of the pool's tokens."""
    jwks_uri: str | None = None
    """Where the pool's public signing keys are (for ``TokenVerifier``)."""
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None
    response_types_supported: tuple[str, ...] = ()
    scopes_supported: tuple[str, ...] = ()
    subject_types_supported: tuple[str, ...] = ()
    id_token_signing_alg_values_supported: tuple[str, ...] = ()
    token_endpoint_auth_methods_supported: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(factory=dict[str, Any], repr=False)
    """The whole document, as sent."""

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]


def clean_error_code(value: object, status: int) -> str:
    """The ``error`` member as a safe short code, or ``HTTP<status>`` when there is none."""
    if isinstance(value, str) and _ERROR_CODE.fullmatch(value):
        return value
    return f"HTTP{status}"


def clean_description(value: object, secrets: Iterable[str]) -> str | None:
    """A server's free text made fit for a message: one line, bounded, no secret of ours.

    A hostile or buggy server could echo what it was sent; whatever of the request's secrets
    (client secret, code, verifier, tokens) appears in the text is cut out.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = _UNPRINTABLE.sub(" ", text).strip()
    if len(text) > _MAX_DESCRIPTION:
        text = text[: _MAX_DESCRIPTION - 1] + "…"
    return text


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))  # pyright: ignore[reportUnknownVariableType]
    return ()


def _jwt_exp(token: str) -> int | None:
    """The ``exp`` claim of a JWT, read without checking anything (only to fill a missing
    ``expires_in``; verifying tokens is ``TokenVerifier``'s job)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):  # JSONNestingError included
        return None
    if not isinstance(payload, dict):
        return None
    return _int(cast("dict[str, object]", payload).get("exp"))


def tokens_from_answer(
    data: Mapping[str, Any],
    *,
    received_at: float,
    requested_scopes: tuple[str, ...] | None,
    refresh_token: str | None = None,
) -> OAuthTokens:
    """``OAuthTokens`` from the token endpoint's JSON object.

    Only ``access_token`` is required; a missing ``expires_in`` is taken from the access token's
    ``exp``; a missing ``token_type`` is ``Bearer``. ``refresh_token`` is used when the answer
    has none (a refresh without rotation).
    """
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ResponseParseError("the token endpoint's answer has no access_token")
    expires_in = _int(data.get("expires_in"))
    if expires_in is None:
        exp = _jwt_exp(access_token)
        if exp is None:
            raise ResponseParseError(
                "the token endpoint's answer has no expires_in, and the access token no exp"
            )
        expires_in = exp - int(received_at)
    expires_in = max(expires_in, 0)
    scope = data.get("scope")
    granted = tuple(scope.split()) if isinstance(scope, str) else requested_scopes
    return OAuthTokens(
        access_token=access_token,
        id_token=_str(data.get("id_token")) or None,
        refresh_token=_str(data.get("refresh_token")) or refresh_token,
        token_type=_str(data.get("token_type")) or "Bearer",
        expires_in=expires_in,
        expires_at=datetime.fromtimestamp(received_at + expires_in, UTC),
        scope=granted,
    )


def userinfo_from_answer(data: Mapping[str, Any]) -> UserInfo:
    """``UserInfo`` from the userInfo endpoint's JSON object; ``sub`` is required (OIDC)."""
    sub = data.get("sub")
    if not isinstance(sub, str) or not sub:
        raise ResponseParseError("the userInfo endpoint's answer has no sub claim")
    return UserInfo(
        sub=sub,
        username=_str(data.get("username")),
        email=_str(data.get("email")),
        email_verified=_bool(data.get("email_verified")),
        phone_number=_str(data.get("phone_number")),
        phone_number_verified=_bool(data.get("phone_number_verified")),
        name=_str(data.get("name")),
        given_name=_str(data.get("given_name")),
        family_name=_str(data.get("family_name")),
        middle_name=_str(data.get("middle_name")),
        nickname=_str(data.get("nickname")),
        preferred_username=_str(data.get("preferred_username")),
        locale=_str(data.get("locale")),
        zoneinfo=_str(data.get("zoneinfo")),
        updated_at=_int(data.get("updated_at")),
        raw=dict(data),
    )


def configuration_from_answer(data: Mapping[str, Any]) -> OpenIDConfiguration:
    """``OpenIDConfiguration`` from the discovery document; ``issuer`` is required."""
    issuer = data.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise ResponseParseError("the openid-configuration has no issuer")
    return OpenIDConfiguration(
        issuer=issuer,
        jwks_uri=_str(data.get("jwks_uri")),
        authorization_endpoint=_str(data.get("authorization_endpoint")),
        token_endpoint=_str(data.get("token_endpoint")),
        userinfo_endpoint=_str(data.get("userinfo_endpoint")),
        revocation_endpoint=_str(data.get("revocation_endpoint")),
        end_session_endpoint=_str(data.get("end_session_endpoint")),
        response_types_supported=_strings(data.get("response_types_supported")),
        scopes_supported=_strings(data.get("scopes_supported")),
        subject_types_supported=_strings(data.get("subject_types_supported")),
        id_token_signing_alg_values_supported=_strings(
            data.get("id_token_signing_alg_values_supported")
        ),
        token_endpoint_auth_methods_supported=_strings(
            data.get("token_endpoint_auth_methods_supported")
        ),
        raw=dict(data),
    )
