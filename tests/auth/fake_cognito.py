"""A local HTTP server playing Cognito's side of sign-in, on top of the SRP simulation.

It speaks the awsJson 1.1 wire protocol on 127.0.0.1, so the flows are driven through the
real ``CognitoIdentityProviderClient``. Like Cognito it checks, on every request: the app
client, ``SECRET_HASH`` over the ``USERNAME`` that request carries (the typed name at
InitiateAuth, the service's own name afterwards), the session and the challenge it belongs
to, and the SRP proofs of users and devices.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from tests.auth.simulation import (
    Rejected,
    ServerExchange,
    cognito_secret_hash,
    java_int,
    parse_srp_a,
    signed_hex,
    verifier,
)

if TYPE_CHECKING:
    from aiocognito import CognitoIdentityProviderClient

from aiocognito.auth import UserPoolAuth

PREFIX = "AWSCognitoIdentityProviderService."
POOL_ID = "eu-west-1_Sim8Pool"
POOL_NAME = "Sim8Pool"
CLIENT_SECRET = "s3cr3t0fake0client0secret0of0the0stand0in"  # the model: 24 to 64 long
"""The secret of the fake's "secret-client"."""


def _jwt(claims: dict[str, str]) -> str:
    """A token shaped like Cognito's (header.payload.signature); the signature is random."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    claims = claims | {"jti": secrets.token_hex(8)}
    header = part(b'{"alg":"RS256","kid":"sim"}')
    return f"{header}.{part(json.dumps(claims).encode())}.{part(secrets.token_bytes(32))}"


class ServiceFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class User:
    username: str
    password: str
    salt: int
    aliases: tuple[str, ...] = ()
    temporary: bool = False
    required_attributes: tuple[str, ...] = ()
    after_password: list[str] = field(default_factory=list)
    """Challenges asked after the password, in order (e.g. ["SELECT_MFA_TYPE"])."""
    codes: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def v(self) -> int:
        return verifier(self.salt, POOL_NAME, self.username, self.password)


@dataclass
class Device:
    key: str
    group_key: str
    username: str
    salt: int | None = None
    v: int | None = None
    remembered: bool = False
    name: str | None = None


@dataclass
class Session:
    user: User
    expect: str
    exchange: ServerExchange | None = None
    big_a: int | None = None
    device: Device | None = None
    pending: list[str] = field(default_factory=list)
    totp_verified: bool = False


@dataclass
class Tamper:
    """Unsafe or malformed values the server sends instead of the real ones."""

    srp_b: str | None = None
    salt: str | None = None
    secret_block: str | None = None
    device_srp_b: str | None = None
    mfa_lists_as_arrays: bool = False
    """``MFAS_CAN_SETUP``/``MFAS_CAN_CHOOSE`` as JSON arrays, not their JSON text (the service
    sends text; some emulators send arrays, though the model says the map holds strings)."""
    challenge_parameters: dict[str, str] = field(default_factory=dict[str, str])
    """Added to (or replacing) the parameters of every challenge after the password."""
    access_token_payload: bytes | None = None
    """The JSON text inside the access token, instead of the real claims."""


class FakeCognito:
    """The state and rules of one fake user pool with a few app clients."""

    def __init__(self) -> None:
        self.clients: dict[str, str | None] = {
            "public-client": None,
            "secret-client": CLIENT_SECRET,
        }
        self.users: dict[str, User] = {}
        self.devices: dict[str, Device] = {}
        self.sessions: dict[str, Session] = {}
        self.tokens: dict[str, str] = {}  # access/refresh token -> username
        # Refresh tokens (issue 14): the access tokens issued with each (RevokeToken ends
        # them too), the app clients that rotate them, and the ones rotated out.
        self.issued_with: dict[str, set[str]] = {}
        self.rotating_clients: set[str] = set()
        self.rotated_out: set[str] = set()
        self.expires_in = 3600
        self.fail_once: dict[str, str] = {}  # operation -> error code, raised once
        self.track_devices = False
        self.device_confirmation_necessary = False
        self.clock_skew = timedelta(0)
        self.tamper = Tamper()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    # -- setup --------------------------------------------------------------------------
    def add_user(self, username: str, password: str, **kwargs: Any) -> User:
        salt = kwargs.pop("salt", None)
        if salt is None:
            salt = int.from_bytes(secrets.token_bytes(16), "big", signed=True)
        user = User(username=username, password=password, salt=salt, **kwargs)
        self.users[username] = user
        return user

    def find_user(self, name: str) -> User:
        for user in self.users.values():
            if name == user.username or name in user.aliases:
                return user
        raise ServiceFault("UserNotFoundException", "User does not exist.")

    def ops(self) -> list[str]:
        return [op for op, _ in self.requests]

    # -- helpers -------------------------------------------------------------------------
    def _check_client(self, body: dict[str, Any], username: str | None, params: dict[str, str]):
        client_id = body.get("ClientId")
        if client_id not in self.clients:
            raise ServiceFault("ResourceNotFoundException", "User pool client does not exist.")
        secret = self.clients[client_id]
        if secret is not None:
            sent = params.get("SECRET_HASH")
            if sent is None:
                raise ServiceFault(
                    "NotAuthorizedException",
                    f"Client {client_id} is configured with secret but SECRET_HASH was not received",
                )
            if username is None or sent != cognito_secret_hash(username, client_id, secret):
                raise ServiceFault(
                    "NotAuthorizedException", f"Unable to verify secret hash for client {client_id}"
                )
        elif "SECRET_HASH" in params:
            raise ServiceFault("NotAuthorizedException", "SECRET_HASH sent to a public client")

    def _new_session(self, session: Session) -> str:
        sid = "sess-" + secrets.token_urlsafe(32)
        self.sessions[sid] = session
        return sid

    def _challenge(self, session: Session, name: str, params: dict[str, str]) -> dict[str, Any]:
        session.expect = name
        return {
            "ChallengeName": name,
            "Session": self._new_session(session),
            "ChallengeParameters": params,
        }

    def _tokens(self, session: Session, refresh: str | None = None) -> dict[str, Any]:
        """Tokens for the session's user; with ``refresh``, issued from that refresh token."""
        user = session.user
        access = _jwt({"username": user.username, "token_use": "access"})
        if self.tamper.access_token_payload is not None:
            header, _, signature = access.split(".")
            payload = base64.urlsafe_b64encode(self.tamper.access_token_payload).decode()
            access = f"{header}.{payload.rstrip('=')}.{signature}"
        refresh = refresh or "ref-" + secrets.token_urlsafe(24)
        self.tokens[access] = user.username
        self.tokens[refresh] = user.username
        self.issued_with.setdefault(refresh, set()).add(access)
        result: dict[str, Any] = {
            "AccessToken": access,
            "IdToken": _jwt({"cognito:username": user.username, "token_use": "id"}),
            "RefreshToken": refresh,
            "ExpiresIn": self.expires_in,
            "TokenType": "Bearer",
        }
        if self.track_devices and session.device is None:
            device = Device(
                key=f"eu-west-1_{secrets.token_hex(16)}",
                group_key="-" + secrets.token_urlsafe(8),
                username=user.username,
            )
            self.devices[device.key] = device
            result["NewDeviceMetadata"] = {
                "DeviceKey": device.key,
                "DeviceGroupKey": device.group_key,
            }
        return {"AuthenticationResult": result, "ChallengeParameters": {}}

    def _after_password(self, session: Session) -> dict[str, Any]:
        user = session.user
        if user.temporary:
            return self._challenge(
                session,
                "NEW_PASSWORD_REQUIRED",
                {
                    "USERNAME": user.username,
                    "USER_ID_FOR_SRP": user.username,
                    "requiredAttributes": json.dumps(
                        [f"userAttributes.{a}" for a in user.required_attributes]
                    ),
                    "userAttributes": json.dumps(user.attributes),
                },
            )
        if session.device is not None and session.device.remembered:
            return self._challenge(session, "DEVICE_SRP_AUTH", {"USERNAME": user.username})
        session.pending = list(user.after_password)
        return self._next_pending(session)

    def _next_pending(self, session: Session) -> dict[str, Any]:
        if not session.pending:
            return self._tokens(session)
        name = session.pending.pop(0)
        params = {"USERNAME": session.user.username, "USER_ID_FOR_SRP": session.user.username}
        if name in ("SMS_MFA", "SMS_OTP"):
            params |= {
                "CODE_DELIVERY_DESTINATION": "+*******0199",
                "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
            }
        elif name == "EMAIL_OTP":
            params |= {
                "CODE_DELIVERY_DESTINATION": "a***@e***",
                "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
            }
        elif name == "SELECT_MFA_TYPE":
            params["MFAS_CAN_CHOOSE"] = self._mfa_list(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])
        elif name == "MFA_SETUP":
            params["MFAS_CAN_SETUP"] = self._mfa_list(["SOFTWARE_TOKEN_MFA"])
        elif name == "CUSTOM_CHALLENGE":
            params["question"] = "2 + 2"
        return self._challenge(session, name, params | self.tamper.challenge_parameters)

    def _mfa_list(self, names: list[str]) -> Any:
        return names if self.tamper.mfa_lists_as_arrays else json.dumps(names)

    def _password_verifier_params(self, session: Session) -> dict[str, str]:
        assert session.exchange is not None
        params = session.exchange.challenge_parameters(salt_text=self.tamper.salt)
        if self.tamper.srp_b is not None:
            params["SRP_B"] = self.tamper.srp_b
        if self.tamper.secret_block is not None:
            params["SECRET_BLOCK"] = self.tamper.secret_block
        return params

    # -- operations ---------------------------------------------------------------------
    def InitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        flow = body.get("AuthFlow")
        params: dict[str, str] = body.get("AuthParameters") or {}
        if flow == "REFRESH_TOKEN_AUTH":
            username = self.tokens.get(params.get("REFRESH_TOKEN", ""))
            if username is None:
                raise ServiceFault("NotAuthorizedException", "Invalid Refresh Token")
            self._check_client(body, params.get("USERNAME"), params)
            if "USERNAME" in params and params["USERNAME"] != username:
                raise ServiceFault("NotAuthorizedException", "USERNAME does not own this token")
            if body.get("ClientId") in self.rotating_clients:
                # The developer guide: no REFRESH_TOKEN_AUTH in app clients with rotation
                # (the error code is not documented; this one is a guess).
                raise ServiceFault("InvalidParameterException", "refresh token rotation is enabled")
            result = self._tokens(
                Session(user=self.users[username], expect=""), params["REFRESH_TOKEN"]
            )
            del result["AuthenticationResult"]["RefreshToken"]
            result["AuthenticationResult"].pop("NewDeviceMetadata", None)
            return result
        typed = params.get("USERNAME")
        if typed is None:
            raise ServiceFault("InvalidParameterException", "Missing required parameter USERNAME")
        self._check_client(body, typed, params)
        user = self.find_user(typed)
        device = self.devices.get(params["DEVICE_KEY"]) if "DEVICE_KEY" in params else None
        if device is not None and device.username != user.username:
            device = None
        session = Session(user=user, expect="", device=device)
        if flow == "USER_SRP_AUTH":
            try:
                session.big_a = parse_srp_a(params.get("SRP_A", ""))
            except Rejected as exc:
                raise ServiceFault("InvalidParameterException", str(exc)) from None
            session.exchange = ServerExchange(
                v=user.v, realm=POOL_NAME, user=user.username, salt=user.salt
            )
            return self._challenge(
                session, "PASSWORD_VERIFIER", self._password_verifier_params(session)
            )
        if flow == "USER_PASSWORD_AUTH":
            if params.get("PASSWORD") != user.password:
                raise ServiceFault("NotAuthorizedException", "Incorrect username or password.")
            return self._after_password(session)
        raise ServiceFault("InvalidParameterException", f"unsupported flow {flow}")

    def RespondToAuthChallenge(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self.sessions.pop(body.get("Session") or "", None)
        if session is None:
            raise ServiceFault("NotAuthorizedException", "Invalid session for the user.")
        name = body.get("ChallengeName")
        responses: dict[str, str] = body.get("ChallengeResponses") or {}
        if name != session.expect:
            raise ServiceFault("InvalidParameterException", f"expected {session.expect}")
        user = session.user
        if responses.get("USERNAME") != user.username:
            raise ServiceFault(
                "NotAuthorizedException", "USERNAME is not the name the service returned"
            )
        self._check_client(body, responses.get("USERNAME"), responses)
        now = datetime.now(UTC) + self.clock_skew
        if name == "PASSWORD_VERIFIER":
            assert session.exchange is not None and session.big_a is not None
            if session.device is not None and responses.get("DEVICE_KEY") != session.device.key:
                raise ServiceFault("InvalidParameterException", "DEVICE_KEY missing")
            try:
                session.exchange.check(
                    session.big_a,
                    user=responses["USERNAME"],
                    secret_block_b64=responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""),
                    timestamp_text=responses.get("TIMESTAMP", ""),
                    signature_b64=responses.get("PASSWORD_CLAIM_SIGNATURE", ""),
                    now=now,
                )
            except Rejected:
                raise ServiceFault(
                    "NotAuthorizedException", "Incorrect username or password."
                ) from None
            return self._after_password(session)
        if name == "DEVICE_SRP_AUTH":
            device = session.device
            assert device is not None and device.v is not None and device.salt is not None
            if responses.get("DEVICE_KEY") != device.key:
                raise ServiceFault("NotAuthorizedException", "wrong DEVICE_KEY")
            try:
                session.big_a = parse_srp_a(responses.get("SRP_A", ""))
            except Rejected as exc:
                raise ServiceFault("InvalidParameterException", str(exc)) from None
            session.exchange = ServerExchange(
                v=device.v, realm=device.group_key, user=device.key, salt=device.salt
            )
            params = session.exchange.challenge_parameters()
            params["USERNAME"] = user.username
            del params["USER_ID_FOR_SRP"]
            if self.tamper.device_srp_b is not None:
                params["SRP_B"] = self.tamper.device_srp_b
            return self._challenge(session, "DEVICE_PASSWORD_VERIFIER", params)
        if name == "DEVICE_PASSWORD_VERIFIER":
            assert session.exchange is not None and session.big_a is not None
            if responses.get("DEVICE_KEY") != session.exchange.user:
                raise ServiceFault("NotAuthorizedException", "wrong DEVICE_KEY")
            try:
                session.exchange.check(
                    session.big_a,
                    user=responses["DEVICE_KEY"],
                    secret_block_b64=responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""),
                    timestamp_text=responses.get("TIMESTAMP", ""),
                    signature_b64=responses.get("PASSWORD_CLAIM_SIGNATURE", ""),
                    now=now,
                )
            except Rejected:
                raise ServiceFault(
                    "NotAuthorizedException", "Incorrect device password claim."
                ) from None
            return self._tokens(session)
        if name == "NEW_PASSWORD_REQUIRED":
            new_password = responses.get("NEW_PASSWORD")
            if not new_password:
                raise ServiceFault("InvalidParameterException", "NEW_PASSWORD missing")
            for attribute in user.required_attributes:
                value = responses.get(f"userAttributes.{attribute}")
                if not value:
                    raise ServiceFault("InvalidParameterException", f"{attribute} is required")
                user.attributes[attribute] = value
            user.password = new_password
            user.temporary = False
            session.pending = list(user.after_password)
            return self._next_pending(session)
        if name in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP"):
            if responses.get(f"{name}_CODE") != user.codes.get(name):
                self.sessions[body["Session"]] = session  # a wrong code may be retried
                raise ServiceFault("CodeMismatchException", "Invalid code received for user")
            return self._next_pending(session)
        if name == "SELECT_MFA_TYPE":
            answer = responses.get("ANSWER", "")
            if answer not in ("SMS_MFA", "SOFTWARE_TOKEN_MFA"):
                raise ServiceFault("InvalidParameterException", "not an MFA type")
            session.pending.insert(0, answer)
            return self._next_pending(session)
        if name == "CUSTOM_CHALLENGE":
            if responses.get("ANSWER") != "4":
                raise ServiceFault("NotAuthorizedException", "Incorrect answer.")
            return self._next_pending(session)
        if name == "MFA_SETUP":
            if not session.totp_verified:
                raise ServiceFault("NotAuthorizedException", "software token not verified")
            return self._next_pending(session)
        raise ServiceFault("InvalidParameterException", f"unknown challenge {name}")

    def AssociateSoftwareToken(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self.sessions.pop(body.get("Session") or "", None)
        if session is None or session.expect != "MFA_SETUP":
            raise ServiceFault("NotAuthorizedException", "Invalid session")
        return {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": self._new_session(session)}

    def VerifySoftwareToken(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self.sessions.pop(body.get("Session") or "", None)
        if session is None:
            raise ServiceFault("NotAuthorizedException", "Invalid session")
        if body.get("UserCode") != session.user.codes.get("SOFTWARE_TOKEN_MFA"):
            raise ServiceFault("EnableSoftwareTokenMFAException", "Code mismatch")
        session.totp_verified = True
        return {"Status": "SUCCESS", "Session": self._new_session(session)}

    def ConfirmDevice(self, body: dict[str, Any]) -> dict[str, Any]:
        username = self.tokens.get(body.get("AccessToken", ""))
        device = self.devices.get(body.get("DeviceKey", ""))
        if username is None or device is None or device.username != username:
            raise ServiceFault("NotAuthorizedException", "Invalid device or token")
        config = body.get("DeviceSecretVerifierConfig") or {}
        # Cognito reads both as Java BigIntegers (signed two's complement).
        device.v = java_int(base64.b64decode(config["PasswordVerifier"]))
        device.salt = java_int(base64.b64decode(config["Salt"]))
        device.name = body.get("DeviceName")
        device.remembered = not self.device_confirmation_necessary
        return {"UserConfirmationNecessary": self.device_confirmation_necessary}

    def UpdateDeviceStatus(self, body: dict[str, Any]) -> dict[str, Any]:
        device = self.devices[body["DeviceKey"]]
        if self.tokens.get(body.get("AccessToken", "")) != device.username:
            raise ServiceFault("NotAuthorizedException", "Invalid token")
        device.remembered = body.get("DeviceRememberedStatus") == "remembered"
        return {}

    # -- refresh, revoke and sign out (issue 14; moto 5.2 has only GlobalSignOut) ------------
    def _check_client_secret(self, body: dict[str, Any]) -> None:
        """GetTokensFromRefreshToken and RevokeToken take the secret itself, not a hash."""
        client_id = body.get("ClientId")
        if client_id not in self.clients:
            raise ServiceFault("ResourceNotFoundException", "User pool client does not exist.")
        if body.get("ClientSecret") != self.clients[client_id]:
            raise ServiceFault("NotAuthorizedException", f"Unable to verify secret for {client_id}")

    def GetTokensFromRefreshToken(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_client_secret(body)
        refresh = body.get("RefreshToken", "")
        if refresh in self.rotated_out:
            raise ServiceFault("RefreshTokenReuseException", "Refresh token has been reused.")
        username = self.tokens.get(refresh)
        if username is None:
            raise ServiceFault("NotAuthorizedException", "Invalid Refresh Token")
        session = Session(user=self.users[username], expect="")
        if body["ClientId"] not in self.rotating_clients:
            result = self._tokens(session, refresh)
            del result["AuthenticationResult"]["RefreshToken"]
        else:  # a new refresh token; the old one ends at once (no grace period)
            result = self._tokens(session)
            self._revoke(refresh)
            self.rotated_out.add(refresh)
        result["AuthenticationResult"].pop("NewDeviceMetadata", None)
        return {"AuthenticationResult": result["AuthenticationResult"]}

    def _revoke(self, refresh: str) -> None:
        self.tokens.pop(refresh, None)
        for access in self.issued_with.pop(refresh, set()):
            self.tokens.pop(access, None)

    def RevokeToken(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_client_secret(body)
        token = body.get("Token", "")
        if token not in self.issued_with and token in self.tokens:
            raise ServiceFault("UnsupportedTokenTypeException", "Only refresh tokens.")
        self._revoke(token)  # an unknown or revoked token: nothing to do, as the service
        return {}

    def GlobalSignOut(self, body: dict[str, Any]) -> dict[str, Any]:
        username = self.tokens.get(body.get("AccessToken", ""))
        if username is None:
            raise ServiceFault("NotAuthorizedException", "Access Token has been revoked")
        for refresh in [t for t in self.issued_with if self.tokens.get(t) == username]:
            self._revoke(refresh)
        return {}

    def handle(self, op: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.requests.append((op, body))
            if op in self.fail_once:
                raise ServiceFault(self.fail_once.pop(op), "injected by the test")
            method = getattr(self, op, None)
            if method is None:
                raise ServiceFault("UnknownOperationException", op)
            result: dict[str, Any] = method(body)
            return result


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])) or b"{}")
        op = (self.headers.get("x-amz-target") or "").removeprefix(PREFIX)
        try:
            out, status = self.server.fake.handle(op, body), 200
        except ServiceFault as fault:
            out, status = {"__type": fault.code, "message": fault.message}, 400
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "sim-" + secrets.token_hex(4))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeCognito) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@contextmanager
def serve(fake: FakeCognito) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1; yields its URL."""
    server = _Server(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def auth_for(client: CognitoIdentityProviderClient, with_secret: bool) -> UserPoolAuth:
    """``UserPoolAuth`` for the fake's app client with a secret, or its public one."""
    if with_secret:
        return UserPoolAuth(client, POOL_ID, "secret-client", CLIENT_SECRET)
    return UserPoolAuth(client, POOL_ID, "public-client")


__all__ = [
    "CLIENT_SECRET",
    "POOL_ID",
    "POOL_NAME",
    "FakeCognito",
    "ServiceFault",
    "User",
    "auth_for",
    "serve",
    "signed_hex",
]
