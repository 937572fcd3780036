"""Verify the ID and access tokens of a user pool: ``TokenVerifier`` and its typed claims.

```python
verifier = TokenVerifier("us-east-1_Ab3dEf", client_id="app-client-id", token_use="access")
claims = await verifier.verify(token)      # TokenError when refused
claims.sub, claims.username, claims.groups, claims.scopes, claims.expires_at
```

What is checked, in this order (aws-jwt-verify's checks, plus a few of its own): the token's
size and shape; the header (``alg`` is RS256; no ``jku``/``x5u``/``x5c``/``jwk`` pointing
elsewhere, no ``crit``; a ``kid``); the key (from the pool's JWKS, cached); the signature,
``exp``, ``iat`` and ``nbf`` (with ``leeway``) and ``iss`` (by PyJWT); then ``token_use``,
the app client (``client_id`` of an access token, ``aud`` of an ID token), the groups and
the scopes.

Errors, under the package's tree:

```
CognitoError
├── TokenError                the token is refused (also ValueError): answer 401
│   ├── TokenMalformedError   not a JWT we can read: size, shape, base64, JSON, nesting
│   ├── TokenSignatureError   wrong or `none` alg, unknown kid, unfit key, bad signature
│   ├── TokenExpiredError     exp is past (beyond the leeway)
│   └── TokenClaimError       issuer, token_use, client, groups, scopes, missing claims
│       └── TokenNotYetValidError   iat or nbf in the future (beyond the leeway)
└── JwksError                 the keys could not be fetched or read: answer 503
```

Messages name the check that failed and never contain the token.

PyJWT (with ``cryptography``) does the signature and the registered claims; it is the
``jwt`` extra: ``pip install 'aiocognito[jwt]'``. Without it this module still imports, and
``TokenVerifier`` raises ``ConfigurationError`` naming the extra.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self, cast

from .._core.errors import CognitoError, ConfigurationError, ParamValidationError
from .._core.loop_senders import LoopSenders
from .._core.protocol import JSONNestingError, loads
from . import _jwks
from ._jwks import JwksError, RSAKey, UnfitKey

if TYPE_CHECKING:
    import httpx

__all__ = [
    "JwksError",
    "TokenClaimError",
    "TokenClaims",
    "TokenError",
    "TokenExpiredError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenSignatureError",
    "TokenVerifier",
]

TokenUse = Literal["access", "id"]

MAX_TOKEN_CHARS: Final = 64 * 1024
"""A token longer than this is refused unread (Cognito's are a few KB; HTTP servers commonly
cap a whole header block at 8-16 KB)."""

# The signature may be empty here so that an ``alg: none`` token is refused for its alg.
_JWT_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_USER_POOL_ID: Final = re.compile(r"(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)_[A-Za-z0-9]+")
_ALGORITHMS: Final = ["RS256"]
_REQUIRED: Final = ["exp", "iat", "iss", "sub"]
# Headers that name a key or a key source of the token's own choosing. Cognito sends none;
# honouring any would let the token pick the key it is checked with.
_KEY_SOURCE_HEADERS: Final = ("x5u", "x5c", "jwk")
_HEADER_CACHE_SIZE: Final = 64


# -- errors -----------------------------------------------------------------------------------


class TokenError(CognitoError, ValueError):
    """The token is refused. The message names the check that failed, never the token."""


class TokenMalformedError(TokenError):
    """Not a JWT this verifier can read: too long, not three base64url parts, not JSON
    objects, or nested too deeply."""


class TokenSignatureError(TokenError):
    """The signature cannot be trusted: an ``alg`` other than RS256 (``none`` and HS256
    included), a ``kid`` the JWKS does not have (after a refetch), a key unfit for RS256, a
    header naming another key source, or a signature that does not verify."""


class TokenExpiredError(TokenError):
    """The token's ``exp`` is past, beyond the leeway."""

    def __init__(self, message: str, *, expired_at: datetime | None = None) -> None:
        super().__init__(message)
        self.expired_at = expired_at
        """When the token expired (its ``exp``), when it could be read."""


class TokenClaimError(TokenError):
    """A claim does not fit: issuer, ``token_use``, app client, groups, scopes, or a claim
    the token must carry is missing or of the wrong type."""


class TokenNotYetValidError(TokenClaimError):
    """The token's ``iat`` or ``nbf`` is in the future, beyond the leeway."""


# -- claims -----------------------------------------------------------------------------------


def _when(value: object) -> datetime:
    return datetime.fromtimestamp(cast("float", value), UTC)


class TokenClaims(Mapping[str, object]):
    """The payload of a verified token: typed properties, and every claim by name.

    ``claims["custom:tenant"]`` reads any claim (``KeyError`` when absent, ``claims.get``
    for a default); ``claims.raw`` is the whole payload, read-only. The typed properties
    were checked during verification, so they cannot fail.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = raw

    @property
    def raw(self) -> Mapping[str, object]:
        """The whole payload, as JSON decoded it (read-only)."""
        return MappingProxyType(cast("dict[str, object]", self._raw))

    def __getitem__(self, name: str) -> object:
        return self._raw[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        # Claims are personal data (email, phone, name), not secrets: kept out all the same.
        return (
            f"TokenClaims(token_use={self.token_use!r}, sub={self.sub!r}, "
            f"expires_at={self.expires_at.isoformat()!r})"
        )

    @property
    def sub(self) -> str:
        """The user's (or, for client credentials, the app client's) unique id."""
        return cast("str", self._raw["sub"])

    @property
    def token_use(self) -> TokenUse:
        """``"access"`` or ``"id"``."""
        return cast("TokenUse", self._raw["token_use"])

    @property
    def client_id(self) -> str:
        """The app client the token was issued to (``client_id``, or ``aud`` of an ID token)."""
        name = "client_id" if self._raw["token_use"] == "access" else "aud"
        return cast("str", self._raw[name])

    @property
    def username(self) -> str | None:
        """``username`` (access) or ``cognito:username`` (ID); ``None`` for tokens that belong
        to no user (client credentials)."""
        name = "username" if self._raw["token_use"] == "access" else "cognito:username"
        value = self._raw.get(name)
        return value if isinstance(value, str) else None

    @property
    def groups(self) -> tuple[str, ...]:
        """``cognito:groups``: the user's groups (empty when in none)."""
        return tuple(cast("list[str]", self._raw.get("cognito:groups", ())))

    @property
    def scopes(self) -> tuple[str, ...]:
        """The access token's ``scope``, split (empty for ID tokens)."""
        scope = self._raw.get("scope")
        return tuple(scope.split()) if isinstance(scope, str) else ()

    @property
    def issuer(self) -> str:
        """``iss``: the user pool's URL."""
        return cast("str", self._raw["iss"])

    @property
    def expires_at(self) -> datetime:
        """``exp`` as an aware datetime (UTC)."""
        return _when(self._raw["exp"])

    @property
    def issued_at(self) -> datetime:
        """``iat`` as an aware datetime (UTC)."""
        return _when(self._raw["iat"])

    @property
    def auth_time(self) -> datetime | None:
        """``auth_time``: when the user signed in (refreshes keep it), if present."""
        value = self._raw.get("auth_time")
        return _when(value) if _is_timestamp(value) else None

    @property
    def jti(self) -> str | None:
        """``jti``: this token's unique id, if present."""
        value = self._raw.get("jti")
        return value if isinstance(value, str) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_LAST_SECOND: Final = 253402300799  # 9999-12-31T23:59:59Z, the last second datetime has


def _is_timestamp(value: object) -> bool:
    """A NumericDate a ``datetime`` can hold (PyJWT compares any int; we convert)."""
    return _is_number(value) and 0 <= cast("float", value) <= _LAST_SECOND


# -- reading the unverified parts -------------------------------------------------------------


def _b64_json(part: str, what: str) -> dict[str, object]:
    # Every refusal is raised outside the handlers, so that it carries no ``__context__``: a
    # JSONDecodeError's ``.doc`` would hold this part of the token.
    problem = ""
    value: object = None
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        problem = "is not base64url"
    else:
        try:
            value = loads(data)
        except JSONNestingError:
            problem = "is nested too deeply"
        except ValueError:
            problem = "is not JSON"
    if problem:
        raise TokenMalformedError(f"the token's {what} {problem}")
    if not isinstance(value, dict):
        raise TokenMalformedError(f"the token's {what} is not a JSON object")
    return cast("dict[str, object]", value)


def _canonical_b64(part: str) -> bool:
    """``part`` is base64url as an encoder writes it (PyJWT refuses any other spelling)."""
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return False
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode() == part


def _header_part(token: object) -> str:
    """The header part of a token of the right type and size (its shape: ``_check_shape``)."""
    if not isinstance(token, str):
        raise TokenMalformedError(f"the token is a {type(token).__name__}, not a str")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenMalformedError(
            f"the token is {len(token):,} characters long, more than the {MAX_TOKEN_CHARS:,} "
            "accepted"
        )
    return token[: token.find(".")]


def _check_shape(token: str) -> None:
    # Scanning a whole token costs more than the rest of our own checks together, so it runs
    # for a header not seen before and when PyJWT cannot decode a token, not on every call
    # (PyJWT checks the parts of every token anyway).
    if not _JWT_SHAPE.fullmatch(token):
        raise TokenMalformedError(
            "the token is not a JWS in compact form (three base64url parts separated by dots)"
        )


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_header(header: Mapping[str, object], jwks_url: str) -> str:
    """The ``kid`` of a header that passes; ``TokenSignatureError`` otherwise."""
    alg = header.get("alg")
    if alg != "RS256":
        raise TokenSignatureError(
            f"the token's alg is {_describe(alg)}: only RS256 (what Cognito signs with) is accepted"
        )
    for name in _KEY_SOURCE_HEADERS:
        if name in header:
            raise TokenSignatureError(
                f"the token's header has {name!r}: keys come only from the configured JWKS"
            )
    if "jku" in header and header["jku"] != jwks_url:
        raise TokenSignatureError(
            "the token's header has a jku other than the configured JWKS URL: keys come only "
            "from there"
        )
    if "crit" in header:
        raise TokenSignatureError("the token's header has crit: no extension is understood")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenSignatureError("the token's header has no kid naming its key")
    return kid


# -- the verifier -----------------------------------------------------------------------------


def _require_pyjwt() -> None:
    try:
        import cryptography  # noqa: F401  # pyright: ignore[reportUnusedImport]
        import jwt  # noqa: F401  # pyright: ignore[reportUnusedImport]
    except ImportError as exc:
        raise ConfigurationError(
            "TokenVerifier needs PyJWT and cryptography: pip install 'aiocognito[jwt]'"
        ) from exc


def _names(value: str | Sequence[str] | None, what: str) -> frozenset[str] | None:
    if value is None:
        return None
    # Callers without a type checker may pass anything: each name is checked.
    items = cast("tuple[object, ...]", (value,) if isinstance(value, str) else tuple(value))
    if not items or not all(isinstance(name, str) and name for name in items):
        raise ParamValidationError(
            f"{what} must be a non-empty string, a sequence of them, or None", path=what
        )
    return frozenset(cast("tuple[str, ...]", items))


class TokenVerifier:
    """Verifies the ID or access tokens of one user pool (and app client).

    Args:
        user_pool_id: the pool id, ``REGION_NAME``: the issuer and the JWKS URL come from it.
        client_id: the app client id the token must be issued to, a sequence of them (any
            of), or ``None`` to skip the check on purpose. Checked against ``client_id`` of an
            access token and ``aud`` of an ID token.
        token_use: ``"access"``, ``"id"``, or ``None`` to accept either.
        groups: ``cognito:groups`` entries of which the user must be in at least one.
        scopes: ``scope`` entries of which the access token must have at least one.
        issuer: the expected ``iss`` (default ``https://cognito-idp.REGION.amazonaws.com/ID``):
            for emulators and tests.
        jwks_url: where the keys are (default ``ISSUER/.well-known/jwks.json``): for emulators
            and tests. ``https://``, or ``http://`` when you say so here.
        leeway: seconds of clock skew allowed on ``exp``, ``iat`` and ``nbf``.
        transport: an httpx transport for the JWKS fetch, as the client's ``transport=``;
            default the SDK's own HTTP/1.1 pool.

    Keys are cached per JWKS URL and shared by every verifier in the process; see
    ``verify`` for when they are fetched. ``async with`` (or ``aclose()``) releases the
    connections of the JWKS fetch.

    Raises:
        ConfigurationError: the ``jwt`` extra (PyJWT, cryptography) is not installed.
        ParamValidationError: a malformed pool id, URL or option.
    """

    __slots__ = (
        "_client_ids",
        "_decode",
        "_groups",
        "_header_cache",
        "_issuer",
        "_jwks_url",
        "_key_set",
        "_leeway",
        "_options",
        "_pyjwt_error",
        "_scopes",
        "_senders",
        "_token_use",
        "_user_pool_id",
    )

    def __init__(
        self,
        user_pool_id: str,
        client_id: str | Sequence[str] | None,
        token_use: TokenUse | None = "access",
        *,
        groups: str | Sequence[str] | None = None,
        scopes: str | Sequence[str] | None = None,
        issuer: str | None = None,
        jwks_url: str | None = None,
        leeway: float = 0.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        _require_pyjwt()
        pool_id = cast("object", user_pool_id)  # checked: callers may pass anything
        match = _USER_POOL_ID.fullmatch(pool_id) if isinstance(pool_id, str) else None
        if match is None:
            raise ParamValidationError(
                "user_pool_id must look like REGION_NAME (e.g. us-east-1_Ab3dEf)",
                path="user_pool_id",
            )
        if token_use not in ("access", "id", None):
            raise ParamValidationError("token_use must be 'access', 'id' or None", path="token_use")
        if not _is_number(leeway) or not 0 <= leeway <= 600:
            raise ParamValidationError(
                "leeway must be a number of seconds from 0 to 600", path="leeway"
            )
        self._user_pool_id = user_pool_id
        self._client_ids = _names(client_id, "client_id")
        self._token_use = token_use
        self._groups = _names(groups, "groups")
        self._scopes = _names(scopes, "scopes")
        region = match["region"]
        self._issuer = issuer or f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        url = jwks_url or f"{self._issuer}/.well-known/jwks.json"
        if not url.startswith("https://") and not (jwks_url and url.startswith("http://")):
            raise ParamValidationError(
                "the JWKS URL must be https:// (http:// only as an explicit jwks_url)",
                path="jwks_url",
            )
        self._jwks_url = url
        self._leeway = float(leeway)
        self._key_set = _jwks.key_set(url)
        self._senders = LoopSenders(
            transport=transport,
            timeouts=_jwks.FETCH_TIMEOUTS,
            max_response_bytes=_jwks.MAX_JWKS_BYTES,  # enforced while the answer arrives
        )
        self._header_cache: dict[str, str] = {}
        self._options: dict[str, Any] = {"require": _REQUIRED, "verify_aud": False}
        import jwt

        self._decode = jwt.decode
        self._pyjwt_error = jwt.PyJWTError

    def __repr__(self) -> str:
        return (
            f"TokenVerifier(user_pool_id={self._user_pool_id!r}, token_use={self._token_use!r}, "
            f"jwks_url={self._jwks_url!r})"
        )

    @property
    def issuer(self) -> str:
        """The ``iss`` tokens must carry."""
        return self._issuer

    @property
    def jwks_url(self) -> str:
        """Where the keys come from."""
        return self._jwks_url

    # -- keys ---------------------------------------------------------------------------------

    async def load_keys(self) -> None:
        """Fetch the JWKS now (again, if cached), e.g. at start-up before ``verify_sync``.

        Raises:
            JwksError: the JWKS could not be fetched or read.
        """
        await self._key_set.load(await self._senders.get())

    async def aclose(self) -> None:
        """Close the connections of the JWKS fetch (the shared key cache stays).

        Those of an event loop that has ended were closed with it (``asyncio.run`` closes
        them): a verifier made once may serve one ``asyncio.run`` after another.
        """
        await self._senders.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- verifying ----------------------------------------------------------------------------

    def _kid(self, token: object) -> str:
        header_part = _header_part(token)
        kid = self._header_cache.get(header_part)
        if kid is None:
            _check_shape(cast("str", token))
            kid = _check_header(_b64_json(header_part, "header"), self._jwks_url)
            if len(self._header_cache) >= _HEADER_CACHE_SIZE:
                self._header_cache.clear()
            self._header_cache[header_part] = kid
        return kid

    def _key(self, kid: str, found: RSAKey | UnfitKey | None, *, fetched: bool) -> RSAKey:
        if isinstance(found, RSAKey):
            return found
        if isinstance(found, UnfitKey):
            raise TokenSignatureError(
                f"the key {_describe(kid)} is unfit for RS256: {found.reason}"
            )
        if fetched:
            raise TokenSignatureError(
                f"the JWKS has no key {_describe(kid)} (refetched at most every "
                f"{_jwks.PENALTY_SECONDS:g} s for unknown kids)"
            )
        raise TokenSignatureError(
            f"the loaded keys have no key {_describe(kid)}: a key added since load_keys() is "
            "picked up by verify() or another load_keys()"
        )

    async def verify(self, token: str) -> TokenClaims:
        """Verify ``token``; its claims when every check passes.

        The keys are fetched on first use and again when a token names a ``kid`` they do not
        have (key rotation), at most once per 10 s for kids the JWKS does not have; concurrent
        calls share one fetch.

        Raises:
            TokenError: the token is refused (a subclass says which check failed).
            JwksError: the keys could not be fetched or read.
        """
        kid = self._kid(token)
        found = self._key_set.cached(kid)
        if not isinstance(found, RSAKey):
            found = await self._key_set.get(kid, await self._senders.get())
        return self._check(token, self._key(kid, found, fetched=True))

    def verify_sync(self, token: str) -> TokenClaims:
        """Verify ``token`` with the keys already loaded, without I/O.

        For code that cannot await: call ``await verifier.load_keys()`` (or ``verify``) first.
        A ``kid`` not among the loaded keys is refused here, where ``verify`` would refetch.

        Raises:
            TokenError: the token is refused.
            JwksError: no keys were ever loaded for this JWKS URL.
        """
        kid = self._kid(token)
        if self._key_set.keys is None:
            raise JwksError(
                f"no keys are loaded from {self._jwks_url}: await load_keys() (or verify()) "
                "before verify_sync()"
            )
        return self._check(token, self._key(kid, self._key_set.cached(kid), fetched=False))

    def _check(self, token: str, key: RSAKey) -> TokenClaims:
        try:
            payload: dict[str, object] = self._decode(
                token,
                key.public_key,
                algorithms=_ALGORITHMS,
                issuer=self._issuer,
                leeway=self._leeway,
                options=self._options,  # type: ignore[arg-type]  # PyJWT's TypedDict
            )
        except self._pyjwt_error as exc:
            refused = exc
        except RecursionError:
            refused = None
        else:
            return self._check_claims(payload)
        # Raised out of the handler: PyJWT's exception (and the JSONDecodeError under it,
        # whose ``.doc`` is the payload) must not ride along as ``__context__``.
        if refused is None:
            raise TokenMalformedError("the token's payload is nested too deeply")
        raise self._refusal(refused, token)

    def _refusal(self, exc: Exception, token: str) -> TokenError:
        """Our error for PyJWT's, with a message of our own (PyJWT's may quote values)."""
        from jwt import exceptions as e

        if isinstance(exc, e.InvalidSignatureError):
            return TokenSignatureError("the signature does not verify with the token's key")
        if isinstance(exc, e.ExpiredSignatureError):
            exp = _b64_json(token.split(".")[1], "payload").get("exp")
            expired_at = _when(exp) if _is_timestamp(exp) else None
            at = f" at {expired_at.isoformat()}" if expired_at else ""
            return TokenExpiredError(
                f"the token expired{at} (exp; leeway {self._leeway:g} s)", expired_at=expired_at
            )
        if isinstance(exc, e.ImmatureSignatureError):
            return TokenNotYetValidError(
                f"the token is not valid yet (iat or nbf is in the future; leeway "
                f"{self._leeway:g} s)"
            )
        if isinstance(exc, e.InvalidIssuerError):
            return TokenClaimError(f"the token's issuer (iss) is not {self._issuer}")
        if isinstance(exc, e.MissingRequiredClaimError):
            return TokenClaimError(f"the token has no {exc.claim} claim")
        if isinstance(exc, e.InvalidAlgorithmError):  # pragma: no cover - the header check
            return TokenSignatureError("the token's alg is not RS256")
        if isinstance(exc, e.DecodeError):
            # PyJWT says which part it could not decode only in words: find it again here.
            _check_shape(token)
            _, payload, signature = token.split(".")
            if not _canonical_b64(signature):
                return TokenSignatureError("the token's signature is not canonical base64url")
            if not _canonical_b64(payload):
                return TokenMalformedError("the token's payload is not canonical base64url")
            _b64_json(payload, "payload")  # raises when the payload is unreadable
            return TokenClaimError("the token's exp or nbf is not a number")
        # iat, nbf, sub or jti of the wrong type (PyJWT checks those too).
        return TokenClaimError(f"a claim of the token is malformed ({type(exc).__name__})")

    def _check_claims(self, payload: dict[str, object]) -> TokenClaims:
        token_use = payload.get("token_use")
        if token_use not in ("access", "id"):  # a tuple: the value may be unhashable
            raise TokenClaimError("the token's token_use is neither 'access' nor 'id'")
        if self._token_use is not None and token_use != self._token_use:
            raise TokenClaimError(
                f"an {token_use} token where an {self._token_use} token is expected (token_use)"
            )
        name = "client_id" if token_use == "access" else "aud"
        client = payload.get(name)
        if not isinstance(client, str):
            raise TokenClaimError(f"the {token_use} token has no {name} claim (a string)")
        if self._client_ids is not None and client not in self._client_ids:
            raise TokenClaimError(f"the token was issued to another app client ({name})")
        groups = payload.get("cognito:groups")
        if groups is not None and not (
            isinstance(groups, list)
            and all(isinstance(g, str) for g in cast("list[object]", groups))
        ):
            raise TokenClaimError("the token's cognito:groups is not a list of strings")
        if self._groups is not None and self._groups.isdisjoint(cast("list[str]", groups or ())):
            raise TokenClaimError("the user is in none of the required groups (cognito:groups)")
        scope = payload.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise TokenClaimError("the token's scope is not a string")
        if self._scopes is not None and self._scopes.isdisjoint((scope or "").split()):
            raise TokenClaimError("the token has none of the required scopes (scope)")
        if not _is_timestamp(payload["exp"]) or not _is_timestamp(payload["iat"]):
            raise TokenClaimError("the token's exp or iat is not a time (seconds since 1970)")
        return TokenClaims(payload)
