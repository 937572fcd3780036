"""``OAuth2Client``: the user pool domain's OAuth 2.0 endpoints, over the SDK's transport."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Mapping, Sequence, Set
from typing import TYPE_CHECKING, Any, Literal, cast

from .._core.errors import (
    ClientClosedError,
    ConfigurationError,
    ParamValidationError,
    ResponseParseError,
    TransportError,
    TransportTimeoutError,
)
from .._core.loop_senders import LoopSenders
from .._core.protocol import JSONNestingError, loads
from .._core.retries import RetryPolicy, is_retryable
from .._core.sending import HTTPResponse, Sender
from ._models import (
    OAuthError,
    OAuthTokens,
    OpenIDConfiguration,
    UserInfo,
    clean_description,
    clean_error_code,
    configuration_from_answer,
    tokens_from_answer,
    userinfo_from_answer,
)
from ._pkce import PKCE

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("aiocognito.oauth")

DEFAULT_TIMEOUT = 30.0
"""Seconds one call may take in all, retries and their backoff included."""
MAX_ANSWER_BYTES = 1 << 20
"""The largest answer read from an OAuth endpoint (tokens with many groups are a few KiB)."""
CACHE_MARGIN = 60.0
"""A cached client-credentials token is renewed this long before it expires (at most a
quarter of its lifetime for short-lived tokens)."""
_MAX_CACHED_SCOPE_SETS = 64
_PHASES: tuple[str, ...] = ("connect", "read", "write", "pool")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_NOT_SENT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout"})
"""Transport failures (by the transport's exception name) before any byte of the request
left: the only ones after which a single-use code may be sent again."""
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_WWW_AUTHENTICATE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')

Retry = Literal["before_sending", "safe"]


def _never_sent(exc: TransportError) -> bool:
    return type(exc.__cause__).__name__ in _NOT_SENT


def _domain_url(domain: object) -> str:
    """``https://host[:port][/path]`` from a domain or URL; plain HTTP only on loopback."""
    if not isinstance(domain, str) or not domain.strip():
        raise ConfigurationError("domain must be the user pool's domain, e.g. auth.example.com")
    text = domain.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"domain {domain!r} is not an https URL or a host name")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError("domain must not carry a query, a fragment or credentials")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        # A client secret and codes would cross the network in clear text.
        raise ConfigurationError(
            f"domain {domain!r}: plain http is only for a stand-in on this machine; use https"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _scopes(scopes: object, name: str = "scopes") -> tuple[str, ...]:
    """The scopes in the caller's order, without repeats; each a non-empty word."""
    if scopes is None:
        return ()
    if isinstance(scopes, str):
        raise ParamValidationError(f"{name} is a list of scopes, not a string", path=name)
    if not isinstance(scopes, Sequence | Set):
        raise ParamValidationError(f"{name} must be a list of strings", path=name)
    seen: dict[str, None] = {}
    for scope in cast("Sequence[object]", scopes):
        if not isinstance(scope, str) or not scope or any(c.isspace() for c in scope):
            raise ParamValidationError(
                f"{name}: each scope is a non-empty string without spaces", path=name
            )
        seen[scope] = None
    return tuple(seen)


def _required(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ParamValidationError(f"{name} must be a non-empty string", path=name)
    return value


class OAuth2Client:
    """The user pool domain's OAuth 2.0 endpoints: managed login, tokens, userInfo, logout.

    ```python
    async with OAuth2Client("https://auth.example.com", client_id, client_secret) as oauth:
        tokens = await oauth.client_credentials(scopes=["orders/read"])
    ```

    Confidential app clients (with a secret) authenticate with HTTP Basic
    (``Base64(client_id:client_secret)``), public ones send ``client_id`` in the form, as
    Cognito's token and revocation endpoints document. Requests go through the SDK's own
    HTTP/1.1 pool unless a ``transport`` is given.

    Retries: at most 3 attempts with the client's backoff. A code exchange is sent again only
    when the connection failed before the request left (the code is single-use: a second
    exchange after Cognito redeemed it would fail with ``invalid_grant`` and hide the first
    answer). Client credentials, refresh, revoke, userInfo and discovery are retried also
    after timeouts, lost connections, 429 and 5xx: they change nothing a second request
    could break (a rotated refresh token has Cognito's grace period for exactly this).
    """

    def __init__(
        self,
        domain: str,
        client_id: str,
        client_secret: str | None = None,
        *,
        issuer: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        """Nothing is sent until the first call.

        Args:
            domain: the user pool's domain: a prefix domain
                (``https://mydomain.auth.us-east-1.amazoncognito.com``), a custom domain
                (``auth.example.com``), or ``http://127.0.0.1:port`` for a local stand-in.
            client_id: the app client's ID.
            client_secret: the app client's secret, for confidential clients; never shown in
                a ``repr``, message or log line.
            issuer: the pool's issuer, ``https://cognito-idp.<region>.amazonaws.com/<pool id>``,
                where ``discover()`` reads the openid-configuration (Cognito serves it there,
                not on the domain).
            transport: an httpx transport to send with instead of the SDK's own pool; it is
                closed with this client.
            timeout: seconds one call may take in all (retries included), also the limit of
                each HTTP phase; ``None`` for no limit.

        Raises:
            ConfigurationError: the domain is not an https URL (http only on loopback).
        """
        self._base = _domain_url(domain)
        self._client_id = _required(client_id, "client_id")
        if client_secret is not None:
            _required(client_secret, "client_secret")
        self._client_secret = client_secret
        self._issuer = issuer.rstrip("/") if issuer else None
        if timeout is not None and (isinstance(timeout, bool) or timeout <= 0):
            raise ConfigurationError("timeout must be a positive number of seconds or None")
        self._timeout = timeout
        self._retry = RetryPolicy(max_attempts=3)
        phases: dict[str, float | None] | None = None
        if timeout is not None:
            phases = dict.fromkeys(_PHASES, timeout)
        self._senders = LoopSenders(
            transport=transport,
            timeouts=phases,
            max_response_bytes=MAX_ANSWER_BYTES,  # enforced while the answer arrives
        )
        self._closed = False
        self._cached: dict[frozenset[str], tuple[OAuthTokens, float]] = {}
        self._in_flight: dict[frozenset[str], asyncio.Task[OAuthTokens]] = {}
        self._configuration: OpenIDConfiguration | None = None
        self._clock = time.monotonic

    def __repr__(self) -> str:
        kind = "confidential" if self._client_secret else "public"
        return f"OAuth2Client({self._base!r}, client_id={self._client_id!r}, {kind})"

    async def __aenter__(self) -> OAuth2Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (and a given ``transport``); the client cannot be used after.

        Those of an event loop that has ended were closed with it (``asyncio.run`` closes
        them): a client made once may serve one ``asyncio.run`` after another.
        """
        self._closed = True
        for task in list(self._in_flight.values()):
            task.cancel()
        await self._senders.aclose()

    # -- URLs the user's browser goes to ------------------------------------------------------

    def authorize_url(
        self,
        *,
        redirect_uri: str,
        scopes: Sequence[str] | None = None,
        state: str | None = None,
        pkce: PKCE | None = None,
        identity_provider: str | None = None,
        nonce: str | None = None,
        prompt: str | Sequence[str] | None = None,
    ) -> str:
        """The managed login URL that starts an authorization code grant.

        Args:
            redirect_uri: the callback URL, registered on the app client; Cognito sends the
                browser back to it with ``code`` and ``state``.
            scopes: e.g. ``["openid", "email"]``; default: every scope of the app client.
            state: an unguessable value you keep in the user's session and compare in the
                callback (CSRF protection); strongly recommended.
            pkce: from ``new_pkce()``: its challenge goes in the URL, its verifier to
                ``exchange_code``.
            identity_provider: go straight to this IdP (``COGNITO``, ``Google``, a SAML or
                OIDC provider's name) instead of the sign-in page.
            nonce: put in the ID token's ``nonce`` claim, to compare after the exchange.
            prompt: OIDC ``prompt``, e.g. ``"login"`` or ``"none"`` (managed login only).
        """
        query: dict[str, str] = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": _redirect_uri(redirect_uri),
        }
        wanted = _scopes(scopes)
        if wanted:
            query["scope"] = " ".join(wanted)
        for name, value in (
            ("state", state),
            ("identity_provider", identity_provider),
            ("nonce", nonce),
        ):
            if value is not None:
                query[name] = _required(value, name)
        if pkce is not None:
            if not isinstance(cast(object, pkce), PKCE):
                raise ParamValidationError("pkce must come from new_pkce()", path="pkce")
            query["code_challenge"] = pkce.challenge
            query["code_challenge_method"] = pkce.method
        if prompt is not None:
            query["prompt"] = " ".join(
                _scopes([prompt] if isinstance(prompt, str) else prompt, "prompt")
            )
        return f"{self._base}/oauth2/authorize?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"

    def logout_url(self, logout_uri: str) -> str:
        """The managed login sign-out URL: ends the user's session, then goes to ``logout_uri``
        (a sign-out URL registered on the app client)."""
        query = {
            "client_id": self._client_id,
            "logout_uri": _redirect_uri(logout_uri, "logout_uri"),
        }
        return f"{self._base}/logout?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"

    # -- the token endpoint ----------------------------------------------------------------

    async def exchange_code(
        self, code: str, *, redirect_uri: str, code_verifier: str | None = None
    ) -> OAuthTokens:
        """Redeem the authorization code from the callback for ID, access and refresh tokens.

        Args:
            code: the callback's ``code`` parameter (single-use, valid for 5 minutes).
            redirect_uri: the same ``redirect_uri`` as in ``authorize_url``.
            code_verifier: ``pkce.verifier`` when the URL carried a PKCE challenge.

        Raises:
            OAuthError: e.g. ``invalid_grant`` for a used, expired or unknown code or a wrong
                verifier, ``invalid_client`` for a wrong secret.
        """
        form = {
            "grant_type": "authorization_code",
            "code": _required(code, "code"),
            "redirect_uri": _redirect_uri(redirect_uri),
        }
        if code_verifier is not None:
            form["code_verifier"] = PKCE.from_verifier(code_verifier).verifier
        return await self._token(form, retry="before_sending", secrets=(code, code_verifier))

    async def refresh(self, refresh_token: str) -> OAuthTokens:
        """New ID and access tokens from a refresh token.

        The answer's refresh token when Cognito rotates them, else ``refresh_token`` itself.

        Raises:
            OAuthError: ``invalid_grant`` when the refresh token is revoked or expired.
        """
        form = {
            "grant_type": "refresh_token",
            "refresh_token": _required(refresh_token, "refresh_token"),
        }
        return await self._token(
            form, retry="safe", secrets=(refresh_token,), refresh_token=refresh_token
        )

    async def client_credentials(self, scopes: Sequence[str] | None = None) -> OAuthTokens:
        """An access token for this (confidential) app client itself: machine to machine.

        Tokens are cached per set of scopes until shortly before they expire, and concurrent
        callers of the same scopes share one request: call it per request to your API.

        Args:
            scopes: custom scopes such as ``["orders/read"]``; default: all of the client's.

        Raises:
            ParamValidationError: the client has no secret (Cognito requires one here).
            OAuthError: e.g. ``invalid_scope``, ``unauthorized_client``, ``invalid_client``.
        """
        if self._client_secret is None:
            raise ParamValidationError(
                "client_credentials needs a confidential app client: pass client_secret",
                path="client_secret",
            )
        wanted = _scopes(scopes)
        key = frozenset(wanted)
        cached = self._cached.get(key)
        if cached is not None and self._clock() < cached[1]:
            return cached[0]
        task = self._in_flight.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.get_running_loop().create_task(
                self._fetch_client_credentials(key, wanted)
            )
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        # shield: one caller giving up (cancelled) does not cancel the others' request.
        return await asyncio.shield(task)

    def _forget(self, key: frozenset[str], task: asyncio.Task[OAuthTokens]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled():
            task.exception()  # retrieved: each waiter has raised it; no "never retrieved" noise

    async def _fetch_client_credentials(
        self, key: frozenset[str], wanted: tuple[str, ...]
    ) -> OAuthTokens:
        form = {"grant_type": "client_credentials"}
        if wanted:
            form["scope"] = " ".join(wanted)
        tokens = await self._token(form, retry="safe", secrets=(), requested=wanted or None)
        margin = min(CACHE_MARGIN, tokens.expires_in / 4)
        while len(self._cached) >= _MAX_CACHED_SCOPE_SETS:
            del self._cached[next(iter(self._cached))]
        self._cached[key] = (tokens, self._clock() + tokens.expires_in - margin)
        return tokens

    async def _token(
        self,
        form: dict[str, str],
        *,
        retry: Retry,
        secrets: tuple[str | None, ...],
        requested: tuple[str, ...] | None = None,
        refresh_token: str | None = None,
    ) -> OAuthTokens:
        headers, form, hidden = self._client_authentication(form)
        body = urllib.parse.urlencode(form).encode("ascii")
        answer = _json_object(
            await self._exchange(
                "POST",
                f"{self._base}/oauth2/token",
                headers,
                body,
                endpoint="token endpoint",
                retry=retry,
                secrets=(*hidden, *(s for s in secrets if s)),
            ),
            "token endpoint",
        )
        return tokens_from_answer(
            answer, received_at=time.time(), requested_scopes=requested, refresh_token=refresh_token
        )

    def _client_authentication(
        self, form: dict[str, str]
    ) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
        """Headers and form for this client: Basic for a confidential client, ``client_id`` in
        the form for a public one; and the strings to keep out of messages."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        if self._client_secret is None:
            return headers, {**form, "client_id": self._client_id}, ()
        pair = f"{self._client_id}:{self._client_secret}".encode()
        basic = base64.b64encode(pair).decode("ascii")
        headers["Authorization"] = f"Basic {basic}"
        return headers, form, (self._client_secret, basic)

    # -- revocation, userInfo, discovery ---------------------------------------------------

    async def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token and the access and ID tokens issued with it.

        Cognito answers success also for a token it does not know, so this is idempotent.

        Raises:
            OAuthError: ``unsupported_token_type`` for an access or ID token,
                ``invalid_request`` when revocation is off for the app client,
                ``invalid_client`` for wrong client credentials.
        """
        headers, form, hidden = self._client_authentication(
            {"token": _required(refresh_token, "refresh_token")}
        )
        await self._exchange(
            "POST",
            f"{self._base}/oauth2/revoke",
            headers,
            urllib.parse.urlencode(form).encode("ascii"),
            endpoint="revocation endpoint",
            retry="safe",
            secrets=(*hidden, refresh_token),
        )

    async def userinfo(self, access_token: str) -> UserInfo:
        """The signed-in user's claims, from the userInfo endpoint, for an access token.

        Raises:
            OAuthError: ``invalid_token`` when the token is expired, revoked or malformed.
        """
        token = _required(access_token, "access_token")
        answer = _json_object(
            await self._exchange(
                "GET",
                f"{self._base}/oauth2/userInfo",
                {"Authorization": f"Bearer {token}", "Accept": "application/json"},
                b"",
                endpoint="userInfo endpoint",
                retry="safe",
                secrets=(token,),
            ),
            "userInfo endpoint",
        )
        return userinfo_from_answer(answer)

    async def discover(self) -> OpenIDConfiguration:
        """The pool's openid-configuration (read once, then kept).

        Read from the ``issuer`` given to the client; without one, from the domain (where a
        local stand-in may serve it; Cognito's domain does not).

        Raises:
            OAuthError: the document is not there (``HTTP404``: pass ``issuer=``).
            ResponseParseError: it is not a discovery document, or names another issuer.
        """
        if self._configuration is not None:
            return self._configuration
        where = self._issuer or self._base
        try:
            answer = _json_object(
                await self._exchange(
                    "GET",
                    f"{where}/.well-known/openid-configuration",
                    {"Accept": "application/json"},
                    b"",
                    endpoint="openid-configuration",
                    retry="safe",
                    secrets=(),
                ),
                "openid-configuration",
            )
        except OAuthError as exc:
            if exc.status_code == 404 and self._issuer is None:
                exc.description = (
                    "not served on the domain: pass issuer='https://cognito-idp.<region>."
                    "amazonaws.com/<user pool id>' to OAuth2Client"
                )
            raise
        configuration = configuration_from_answer(answer)
        if self._issuer is not None and configuration.issuer.rstrip("/") != self._issuer:
            raise ResponseParseError(
                f"the openid-configuration at {self._issuer} names another issuer, "
                f"{configuration.issuer!r}"
            )
        self._configuration = configuration
        return configuration

    # -- HTTP -------------------------------------------------------------------------------

    async def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        endpoint: str,
        retry: Retry,
        secrets: tuple[str, ...],
    ) -> HTTPResponse:
        """A 2xx answer, after the retries ``retry`` allows, or raise.

        The sender refuses an answer over ``MAX_ANSWER_BYTES`` while it arrives
        (``ResponseTooLargeError``, not retried).
        """
        if self._closed:
            raise ClientClosedError("this OAuth2Client is closed; create a new one")
        sender = await self._senders.get()
        path = urllib.parse.urlsplit(url).path
        try:
            async with asyncio.timeout(self._timeout):
                response, attempts = await self._attempts(
                    sender, method, url, headers, body, retry=retry, path=path
                )
        except TransportTimeoutError:
            raise
        except TimeoutError:  # asyncio.timeout's: the whole call took too long
            raise TransportTimeoutError(
                f"{endpoint}: no answer within the timeout of {self._timeout:g} s"
            ) from None
        if not 200 <= response.status < 300:
            error = _error(response, endpoint, secrets)
            error.attempts = attempts
            raise error
        return response

    async def _attempts(
        self,
        sender: Sender,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        retry: Retry,
        path: str,
    ) -> tuple[HTTPResponse, int]:
        """The last answer and how many attempts it took; transport failures raise."""
        policy = self._retry
        acquired = 0
        attempt = 1
        while True:
            started = time.perf_counter()
            try:
                response = await sender.send(method, url, headers=headers, body=body)
            except TransportError as exc:
                logger.debug(
                    "%s %s: %s (attempt %d)", method, path, type(exc.__cause__).__name__, attempt
                )
                exc.attempts = attempt
                # The retry policy's own judgement (a too-large answer is not worth repeating),
                # and for a code exchange only when nothing left.
                may_retry = _never_sent(exc) or (retry == "safe" and is_retryable(exc))
                cost = (
                    policy.quota.acquire(exc) if may_retry and attempt < policy.max_attempts else 0
                )
                if not cost:
                    raise
                acquired += cost
                failed: BaseException = exc
            else:
                logger.debug(
                    "%s %s -> %d in %.1f ms (attempt %d)",
                    method,
                    path,
                    response.status,
                    (time.perf_counter() - started) * 1000,
                    attempt,
                )
                if (
                    response.status not in _RETRY_STATUS
                    or retry != "safe"
                    or attempt >= policy.max_attempts
                ):
                    policy.quota.release(acquired)
                    return response, attempt
                failed = OAuthError(f"HTTP{response.status}", status_code=response.status)
                cost = policy.quota.acquire(failed)
                if not cost:
                    return response, attempt
                acquired += cost
            await policy.config.sleep(policy.backoff(failed, attempt))
            attempt += 1


def _redirect_uri(value: object, name: str = "redirect_uri") -> str:
    uri = _required(value, name)
    parts = urllib.parse.urlsplit(uri)
    if not parts.scheme or "#" in uri:
        raise ParamValidationError(
            f"{name} must be an absolute URI without a fragment, as registered on the app client",
            path=name,
        )
    return uri


def _json_object(response: HTTPResponse, endpoint: str) -> dict[str, Any]:
    """The answer's JSON object, read with the SDK's bounded ``loads`` (deep nesting is a
    ``JSONNestingError``, not a ``RecursionError``)."""
    media = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    problem = ""
    data: object = None
    try:
        data = loads(response.content)
    except JSONNestingError:
        problem = "is JSON nested too deeply"
    except ValueError as exc:
        where = f" at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        problem = f"is not valid JSON{where}"
    if problem:
        # Raised outside the handler: a JSONDecodeError's ``.doc`` is the whole answer (tokens
        # included), and it would ride along as ``__context__``.
        raise ResponseParseError(
            f"{endpoint}: the answer {problem} ({media}, {len(response.content)} bytes)"
        )
    if not isinstance(data, dict):
        raise ResponseParseError(f"{endpoint}: expected a JSON object, got {type(data).__name__}")
    return data  # pyright: ignore[reportUnknownVariableType]


def _error(response: HTTPResponse, endpoint: str, secrets: tuple[str, ...]) -> OAuthError:
    """The ``OAuthError`` of a non-2xx answer: from its JSON body (token, revoke) or its
    ``WWW-Authenticate`` header (userInfo), else ``HTTP<status>``."""
    fields: dict[str, Any] = {}
    try:
        data = loads(response.content) if response.content else None
    except ValueError:  # JSONNestingError included: then it has no OAuth error to read
        data = None
    if isinstance(data, dict):
        fields = data  # pyright: ignore[reportUnknownVariableType]
    if "error" not in fields:
        challenge = response.headers.get("www-authenticate", "")
        fields = {**dict(_WWW_AUTHENTICATE.findall(challenge)), **fields}
    description = clean_description(fields.get("error_description"), secrets)
    if "error" not in fields and response.content and description is None:
        media = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
        description = f"an answer without an OAuth error ({media}, {len(response.content)} bytes)"
    return OAuthError(
        clean_error_code(fields.get("error"), response.status),
        description,
        status_code=response.status,
        endpoint=endpoint,
    )
