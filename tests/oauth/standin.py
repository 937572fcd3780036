"""A local stand-in for a user pool domain's OAuth 2.0 endpoints, on 127.0.0.1.

Written from Cognito's developer guide (the authorize, login, token, revocation, userInfo and
logout endpoints, the federation endpoints table, PKCE), not from any implementation:

- ``GET /oauth2/authorize``: checks ``client_id`` and the registered ``redirect_uri`` (an
  unknown one gets an error page, never a redirect), ``response_type=code``, the scopes, and
  that PKCE uses ``S256``; other problems are redirected to the callback as ``?error=``. Then it
  redirects to ``/login`` with the same parameters, as the guide says.
- ``GET/POST /login``: a sign-in form; the right password redirects to the callback with a
  single-use ``code`` (valid 5 minutes) and the ``state``.
- ``POST /oauth2/token``: form-encoded only. Confidential clients authenticate with HTTP Basic
  ``Base64(client_id:client_secret)`` (or ``client_secret`` in the form, as newer Cognito also
  takes), public ones send ``client_id``. Grants ``authorization_code`` (code bound to client and
  redirect URI, PKCE ``S256`` checked), ``refresh_token`` (no new refresh token) and
  ``client_credentials`` (confidential clients; custom scopes of the client, all by default).
  Errors are ``400 {"error": ...}`` with the guide's codes: ``invalid_request``,
  ``invalid_client``, ``invalid_grant``, ``unauthorized_client``, ``unsupported_grant_type``,
  and ``invalid_scope`` for a scope the client lacks (the old guide says such scopes are
  ignored; the current endpoint refuses them: the stand-in refuses).
- ``POST /oauth2/revoke``: a refresh token and everything issued from it; ``200`` with an empty
  body also for an unknown token; ``400 unsupported_token_type`` for a JWT (access or ID token),
  ``400 invalid_request`` without a token, ``401 invalid_client`` for bad client credentials.
- ``GET /oauth2/userInfo``: ``Authorization: Bearer <access token>``; the user's attributes
  (``*_verified`` as the strings "true"/"false", as Cognito sends them);
  ``400``/``401`` with ``WWW-Authenticate: error="invalid_request"``/``"invalid_token"``.
- ``GET /logout``: redirects to a registered ``logout_uri``.
- ``GET /<pool id>/.well-known/openid-configuration`` and ``.../jwks.json``: under the issuer
  (``<base>/<pool id>``, standing in for ``https://cognito-idp.<region>.amazonaws.com/<pool
  id>``), not on the domain, as with Cognito.

Tokens are RS256 JWTs with Cognito's claims, signed with an RSA key made at start-up
(``cryptography``); the JWKS publishes its public half.

Tests can make the next answers fail (``fail_next``), slow answers down (``delay``), move the
clock (``advance``), and read every request the stand-in got (``requests``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

POOL_ID = "eu-west-1_StandIn1"
CODE_LIFETIME = 300.0
TOKEN_LIFETIME = 3600
RESOURCE_SCOPES = ("orders/read", "orders/write")
OIDC_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")


@functools.cache
def signing_key() -> tuple[rsa.RSAPrivateKey, str]:
    """One RSA key and its ``kid`` per test run (making a key takes tens of milliseconds)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), b64url(
        secrets.token_bytes(12)
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class AppClient:
    client_id: str
    secret: str | None
    redirect_uris: tuple[str, ...] = ()
    logout_uris: tuple[str, ...] = ()
    flows: tuple[str, ...] = ("code",)
    """``code`` and/or ``client_credentials`` (Cognito never allows both on one client)."""
    scopes: tuple[str, ...] = OIDC_SCOPES
    revocation: bool = True


@dataclass
class User:
    username: str
    password: str
    sub: str = field(default_factory=lambda: str(uuid.uuid4()))
    attributes: dict[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    username: str
    scopes: tuple[str, ...]
    issued: float
    challenge: str | None
    nonce: str | None
    used: bool = False


@dataclass
class Grant:
    """What a refresh token stands for."""

    client_id: str
    username: str
    scopes: tuple[str, ...]
    origin_jti: str
    revoked: bool = False


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


class StandInError(Exception):
    def __init__(self, status: int, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description


class OAuthStandIn:
    """The state of one user pool domain: app clients, users, codes, grants, keys."""

    def __init__(self) -> None:
        self.base = ""  # set when served
        self.clients: dict[str, AppClient] = {}
        self.users: dict[str, User] = {}
        self.codes: dict[str, Code] = {}
        self.grants: dict[str, Grant] = {}
        self.revoked_jtis: set[str] = set()
        self.requests: list[Recorded] = []
        self.failures: list[tuple[int, bytes, str]] = []
        self.delay = 0.0
        self.offset = 0.0
        self.lock = threading.Lock()
        self.key, self.kid = signing_key()

    # -- set-up and test controls ------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return f"{self.base}/{POOL_ID}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock (codes and tokens expire by it)."""
        self.offset += seconds

    def fail_next(
        self, status: int, body: bytes = b"", count: int = 1, content_type: str = "text/html"
    ) -> None:
        """Answer the next ``count`` requests with this status and body instead."""
        self.failures.extend([(status, body, content_type)] * count)

    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/oauth2/token"]

    def add_client(self, client: AppClient) -> AppClient:
        self.clients[client.client_id] = client
        return client

    def add_user(self, user: User) -> User:
        self.users[user.username] = user
        return user

    # -- tokens ----------------------------------------------------------------------------

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"kid": self.kid, "alg": "RS256"}
        signing_input = (
            f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        )
        signature = self.key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{signing_input}.{b64url(signature)}"

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def unsigned(value: int) -> str:
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        key = {
            "alg": "RS256",
            "e": unsigned(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": unsigned(numbers.n),
            "use": "sig",
        }
        return {"keys": [key]}

    def _user_tokens(
        self,
        client: AppClient,
        user: User,
        scopes: tuple[str, ...],
        origin_jti: str,
        nonce: str | None,
    ) -> dict[str, Any]:
        now = int(self.now())
        common = {
            "sub": user.sub,
            "iss": self.issuer,
            "origin_jti": origin_jti,
            "event_id": str(uuid.uuid4()),
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
        }
        if user.groups:
            common["cognito:groups"] = list(user.groups)
        access = {
            **common,
            "token_use": "access",
            "scope": " ".join(scopes),
            "jti": str(uuid.uuid4()),
            "client_id": client.client_id,
            "username": user.username,
            "version": 2,
        }
        answer: dict[str, Any] = {
            "access_token": self.sign(access),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
        }
        if "openid" in scopes:
            id_claims = {
                **common,
                "token_use": "id",
                "aud": client.client_id,
                "cognito:username": user.username,
                "jti": str(uuid.uuid4()),
                **{k: v for k, v in user.attributes.items() if not k.endswith("_verified")},
            }
            for name in ("email_verified", "phone_number_verified"):
                if name in user.attributes:
                    id_claims[name] = user.attributes[name] == "true"
            if nonce is not None:
                id_claims["nonce"] = nonce
            answer["id_token"] = self.sign(id_claims)
        return answer

    # -- endpoints ---------------------------------------------------------------------------

    def authenticate_client(
        self, headers: dict[str, str], form: dict[str, str], *, status: int = 400
    ) -> AppClient:
        """The app client of a token or revocation request, as the guide describes."""
        authorization = headers.get("authorization", "")
        if authorization:
            scheme, _, value = authorization.partition(" ")
            try:
                client_id, _, secret = (
                    base64.b64decode(value, validate=True).decode().partition(":")
                )
            except ValueError:
                raise StandInError(status, "invalid_client") from None
            client = self.clients.get(client_id)
            if (
                scheme.lower() != "basic"
                or client is None
                or client.secret is None
                or not secrets.compare_digest(client.secret, secret)
            ):
                raise StandInError(status, "invalid_client")
            if form.get("client_id", client_id) != client_id:
                raise StandInError(status, "invalid_client")
            return client
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            raise StandInError(status, "invalid_client")
        if client.secret is not None and not secrets.compare_digest(
            client.secret, form.get("client_secret", "")
        ):
            raise StandInError(status, "invalid_client")
        return client

    def token(self, headers: dict[str, str], form: dict[str, str]) -> dict[str, Any]:
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise StandInError(
                400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
            )
        grant_type = form.get("grant_type")
        if not grant_type:
            raise StandInError(400, "invalid_request")
        client = self.authenticate_client(headers, form)
        if grant_type == "authorization_code":
            return self._code_grant(client, form)
        if grant_type == "refresh_token":
            return self._refresh_grant(client, form)
        if grant_type == "client_credentials":
            return self._client_credentials_grant(client, form)
        raise StandInError(400, "unsupported_grant_type")

    def _code_grant(self, client: AppClient, form: dict[str, str]) -> dict[str, Any]:
        if "code" not in client.flows:
            raise StandInError(400, "unauthorized_client")
        value, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not value or not redirect_uri:
            raise StandInError(400, "invalid_request")
        with self.lock:
            code = self.codes.get(value)
            if code is None or code.used or code.client_id != client.client_id:
                raise StandInError(400, "invalid_grant")
            code.used = True  # single use, even when the rest of the request is wrong
        if self.now() - code.issued > CODE_LIFETIME or code.redirect_uri != redirect_uri:
            raise StandInError(400, "invalid_grant")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            computed = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
            if not verifier or not secrets.compare_digest(computed, code.challenge):
                raise StandInError(400, "invalid_grant")
        user = self.users[code.username]
        refresh = b64url(secrets.token_bytes(48))
        origin = str(uuid.uuid4())
        self.grants[refresh] = Grant(client.client_id, user.username, code.scopes, origin)
        return {
            **self._user_tokens(client, user, code.scopes, origin, code.nonce),
            "refresh_token": refresh,
        }

    def _refresh_grant(self, client: AppClient, form: dict[str, str]) -> dict[str, Any]:
        value = form.get("refresh_token")
        if not value:
            raise StandInError(400, "invalid_request")
        grant = self.grants.get(value)
        if grant is None or grant.revoked or grant.client_id != client.client_id:
            raise StandInError(400, "invalid_grant")
        return self._user_tokens(
            client, self.users[grant.username], grant.scopes, grant.origin_jti, None
        )

    def _client_credentials_grant(self, client: AppClient, form: dict[str, str]) -> dict[str, Any]:
        if client.secret is None or "client_credentials" not in client.flows:
            raise StandInError(400, "unauthorized_client")
        allowed = [s for s in client.scopes if s not in OIDC_SCOPES]
        asked = form.get("scope", "").split() or allowed
        if any(scope not in allowed for scope in asked):
            raise StandInError(400, "invalid_scope")
        now = int(self.now())
        claims = {
            "sub": client.client_id,
            "token_use": "access",
            "scope": " ".join(asked),
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + TOKEN_LIFETIME,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client.client_id,
        }
        return {
            "access_token": self.sign(claims),
            "expires_in": TOKEN_LIFETIME,
            "token_type": "Bearer",
        }

    def revoke(self, headers: dict[str, str], form: dict[str, str]) -> None:
        client = self.authenticate_client(headers, form, status=401)
        token = form.get("token")
        if not token or not client.revocation:
            raise StandInError(400, "invalid_request")
        if token.count(".") == 2:
            raise StandInError(400, "unsupported_token_type")
        grant = self.grants.get(token)
        if grant is not None and grant.client_id == client.client_id:
            grant.revoked = True
            self.revoked_jtis.add(grant.origin_jti)

    def userinfo(self, headers: dict[str, str]) -> dict[str, Any]:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise StandInError(400, "invalid_request", "Bad OAuth2 request at UserInfo Endpoint")
        claims = self.verified_claims(token)
        if claims is None or claims.get("token_use") != "access" or "username" not in claims:
            raise StandInError(
                401,
                "invalid_token",
                "Access token is expired, disabled, or deleted, or the user has globally signed out.",
            )
        user = self.users[claims["username"]]
        return {"sub": user.sub, **user.attributes, "username": user.username}

    def verified_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this stand-in signed that is unexpired and not revoked."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            self.key.public_key().verify(
                b64url_decode(parts[2]),
                f"{parts[0]}.{parts[1]}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims: dict[str, Any] = json.loads(b64url_decode(parts[1]))
        except Exception:
            return None
        if claims.get("exp", 0) <= self.now() or claims.get("origin_jti") in self.revoked_jtis:
            return None
        return claims

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """``(302, location)`` or ``(400, error page)``."""
        client = self.clients.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if client is None or redirect_uri not in client.redirect_uris:
            return 400, "An error was encountered with the requested page."

        def error(code: str) -> tuple[int, str]:
            extra = {"state": query["state"]} if "state" in query else {}
            return 302, _with_query(redirect_uri, {"error": code, **extra})

        if query.get("response_type") != "code":
            return error(
                "unsupported_response_type" if query.get("response_type") else "invalid_request"
            )
        if "code" not in client.flows:
            return error("unauthorized_client")
        challenge, method = query.get("code_challenge"), query.get("code_challenge_method")
        if (challenge is None) != (method is None) or (method is not None and method != "S256"):
            return error("invalid_request")
        if any(scope not in client.scopes for scope in query.get("scope", "").split()):
            return error("invalid_scope")
        if query.get("identity_provider", "COGNITO") != "COGNITO":
            return error("invalid_request")
        return 302, f"{self.base}/login?{urllib.parse.urlencode(query)}"

    def login(self, query: dict[str, str], form: dict[str, str]) -> tuple[int, str]:
        """``(302, callback with code)`` for the right password, else ``(200, the form)``."""
        status, location = self.authorize(query)
        if status != 302 or not location.startswith(f"{self.base}/login"):
            return status, location
        user = self.users.get(form.get("username", ""))
        if user is None or not secrets.compare_digest(user.password, form.get("password", "")):
            message = "Incorrect username or password." if form else ""
            return 200, _login_page(query, message)
        code = str(uuid.uuid4())
        scopes = tuple(query.get("scope", "").split()) or self.clients[query["client_id"]].scopes
        self.codes[code] = Code(
            query["client_id"],
            query["redirect_uri"],
            user.username,
            scopes,
            self.now(),
            query.get("code_challenge"),
            query.get("nonce"),
        )
        extra = {"state": query["state"]} if "state" in query else {}
        return 302, _with_query(query["redirect_uri"], {"code": code, **extra})

    def logout(self, query: dict[str, str]) -> tuple[int, str]:
        client = self.clients.get(query.get("client_id", ""))
        if client is None or query.get("logout_uri") not in client.logout_uris:
            return 400, "An error was encountered with the requested page."
        return 302, query["logout_uri"]

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "authorization_endpoint": f"{self.base}/oauth2/authorize",
            "end_session_endpoint": f"{self.base}/logout",
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": self.issuer,
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["code", "token"],
            "revocation_endpoint": f"{self.base}/oauth2/revoke",
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "token_endpoint": f"{self.base}/oauth2/token",
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "userinfo_endpoint": f"{self.base}/oauth2/userInfo",
        }


def _with_query(uri: str, params: dict[str, str]) -> str:
    glue = "&" if "?" in uri else "?"
    return f"{uri}{glue}{urllib.parse.urlencode(params)}"


def _login_page(query: dict[str, str], message: str) -> str:
    action = html.escape(f"/login?{urllib.parse.urlencode(query)}")
    return (
        "<!doctype html><title>Sign in</title>"
        f"<p>{html.escape(message)}</p>"
        f'<form method="post" action="{action}">'
        '<input name="username"><input name="password" type="password">'
        "<button>Sign in</button></form>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        standin = self.server.standin
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"))) if raw else {}
        standin.requests.append(Recorded(method, parts.path, headers, form))
        if standin.delay:
            time.sleep(standin.delay)
        if standin.failures:
            status, body, content_type = standin.failures.pop(0)
            self._send(status, body, content_type)
            return
        try:
            self._route(standin, method, parts.path, query=query, headers=headers, form=form)
        except StandInError as exc:
            answer = {"error": exc.error}
            if exc.description:
                answer["error_description"] = exc.description
            if parts.path == "/oauth2/userInfo":
                challenge = f'error="{exc.error}", error_description="{exc.description or ""}"'
                self._send(exc.status, b"", "application/json", {"WWW-Authenticate": challenge})
            else:
                self._json(exc.status, answer)

    def _route(
        self,
        standin: OAuthStandIn,
        method: str,
        path: str,
        *,
        query: dict[str, str],
        headers: dict[str, str],
        form: dict[str, str],
    ) -> None:
        well_known = f"/{POOL_ID}/.well-known/"
        if path == "/oauth2/token" and method == "POST":
            self._json(200, standin.token(headers, form))
        elif path == "/oauth2/revoke" and method == "POST":
            standin.revoke(headers, form)
            self._send(200, b"", "application/json")
        elif path == "/oauth2/userInfo":
            self._json(200, standin.userinfo(headers))
        elif path == "/oauth2/authorize" and method == "GET":
            self._page(*standin.authorize(query))
        elif path == "/login":
            self._page(*standin.login(query, form if method == "POST" else {}))
        elif path == "/logout" and method == "GET":
            self._page(*standin.logout(query))
        elif path == f"{well_known}openid-configuration" and method == "GET":
            self._json(200, standin.openid_configuration())
        elif path == f"{well_known}jwks.json" and method == "GET":
            self._json(200, standin.jwks())
        elif path in ("/oauth2/token", "/oauth2/revoke"):
            self._send(405, b"", "text/plain")
        else:
            self._send(404, b"<html>not found</html>", "text/html")

    def _page(self, status: int, value: str) -> None:
        if status == 302:
            self._send(302, b"", "text/html", {"Location": value})
        else:
            self._send(status, value.encode(), "text/html; charset=utf-8")

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json;charset=UTF-8")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: OAuthStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (a timeout test): nothing to report
        super().handle_error(request, client_address)


@contextmanager
def serve(standin: OAuthStandIn) -> Iterator[str]:
    """Serve ``standin`` on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.standin = standin
    standin.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield standin.base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def default_standin() -> OAuthStandIn:
    """A pool with a confidential web app, a public (SPA/mobile) app, a machine client and one
    user, as the tests and the examples use them."""
    standin = OAuthStandIn()
    standin.add_client(
        AppClient(
            "webapp",
            "webapp-secret-0123456789abcdef",
            redirect_uris=("http://localhost:8000/callback",),
            logout_uris=("http://localhost:8000/",),
        )
    )
    standin.add_client(
        AppClient("spa", None, redirect_uris=("http://localhost:3000/callback", "myapp://callback"))
    )
    standin.add_client(
        AppClient(
            "machine",
            "machine-secret-0123456789abcdef",
            flows=("client_credentials",),
            scopes=RESOURCE_SCOPES,
        )
    )
    standin.add_user(
        User(
            "alice",
            "Correct-Horse-9",
            attributes={
                "email": "alice@example.com",
                "email_verified": "true",
                "custom:tenant": "acme",
            },
            groups=("admins",),
        )
    )
    return standin
