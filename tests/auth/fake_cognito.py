"""A local HTTP server playing Cognito's side of sign-in, on top of the SRP simulation.

It speaks the awsJson 1.1 wire protocol on 127.0.0.1, so the flows are driven through the
real ``CognitoIdentityProviderClient``. Like Cognito it checks, on every request: the app
client, ``SECRET_HASH`` over the ``USERNAME`` that request carries (the typed name at
InitiateAuth, the service's own name afterwards), the session and the challenge it belongs
to, and the SRP proofs of users and devices.

It plays what moto (5.2) does not implement, from the Cognito API reference and developer
guide: choice-based sign-in (``AuthFlow=USER_AUTH``: ``PREFERRED_CHALLENGE``,
``SELECT_CHALLENGE`` with ``AvailableChallenges``, ``PASSWORD``, ``PASSWORD_SRP``,
``EMAIL_OTP``, ``SMS_OTP`` and ``WEB_AUTHN`` with ``CREDENTIAL_REQUEST_OPTIONS`` and a
``CREDENTIAL`` answer), passkey registration and listing (``StartWebAuthnRegistration``,
``CompleteWebAuthnRegistration``, ``ListWebAuthnCredentials``, ``DeleteWebAuthnCredential``,
verified as a relying party would in ``tests/auth/fake_webauthn.py``), server-side sign-in
(``AdminInitiateAuth`` / ``AdminRespondToAuthChallenge``, which must be signed and whose
sessions answer only through the admin operation, as the reference pairs them), and the
account lifecycle with SECRET_HASH and real codes (``SignUp``, ``ConfirmSignUp``,
``ResendConfirmationCode``, ``ForgotPassword``, ``ConfirmForgotPassword``). Codes the pool
"sends" land in ``outbox``, where a test reads them as a user reads their mail.
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

from tests.auth.fake_webauthn import Passkey, Refused, RelyingParty, b64url
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
RP_ID = "app.example.com"
ORIGIN = "https://app.example.com"
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


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
    password: str | None
    salt: int
    aliases: tuple[str, ...] = ()
    temporary: bool = False
    required_attributes: tuple[str, ...] = ()
    after_password: list[str] = field(default_factory=list)
    """Challenges asked after the password, in order (e.g. ["SELECT_MFA_TYPE"])."""
    codes: dict[str, str] = field(default_factory=dict)
    """Fixed codes per challenge (otherwise a random code is "sent" to ``outbox``)."""
    attributes: dict[str, str] = field(default_factory=dict)
    confirmed: bool = True
    sub: str = field(default_factory=lambda: secrets.token_hex(16))
    passkeys: list[Passkey] = field(default_factory=list)
    registration_challenge: bytes | None = None

    @property
    def v(self) -> int:
        assert self.password is not None
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
    admin: bool = False
    """Started by AdminInitiateAuth: answered only through AdminRespondToAuthChallenge."""
    available: list[str] = field(default_factory=list)
    webauthn_challenge: bytes | None = None


@dataclass
class Message:
    """A code the pool "sent"."""

    medium: str
    destination: str
    code: str
    purpose: str


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
    webauthn_options: str | None = None


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
        self.authorization: list[str | None] = []  # each request's Authorization header
        self.access_tokens: set[str] = set()
        self.allowed_first_factors = set(FIRST_FACTORS)
        self.relying_party = RelyingParty(rp_id=RP_ID, origins=(ORIGIN,))
        self.outbox: list[Message] = []
        self.list_page_size = 2
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

    def last_code(self, purpose: str) -> str:
        """The code most recently "sent" for ``purpose`` (``EMAIL_OTP``, ``SIGN_UP``, ...)."""
        return next(m.code for m in reversed(self.outbox) if m.purpose == purpose)

    def first_factors(self, user: User) -> list[str]:
        """What USER_AUTH offers this user: what the pool allows and the user can do."""
        can = {
            "PASSWORD": user.password is not None,
            "PASSWORD_SRP": user.password is not None,
            "EMAIL_OTP": "email" in user.attributes,
            "SMS_OTP": "phone_number" in user.attributes,
            "WEB_AUTHN": bool(user.passkeys),
        }
        return [f for f in FIRST_FACTORS if can[f] and f in self.allowed_first_factors]

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

    def _send_code(self, user: User, purpose: str) -> dict[str, str]:
        """Make and "send" a code; the CodeDeliveryDetails (masked) of where it went."""
        code = user.codes.get(purpose) or f"{secrets.randbelow(10**6):06d}"
        user.codes[purpose] = code
        by_sms = purpose in ("SMS_MFA", "SMS_OTP") or (
            purpose != "EMAIL_OTP" and "email" not in user.attributes
        )
        if by_sms:
            medium, attribute = "SMS", "phone_number"
            destination = user.attributes.get(attribute, "+15550100199")
            masked = "+*******" + destination[-4:]
        else:
            medium, attribute = "EMAIL", "email"
            destination = user.attributes.get(attribute, "anyone@example.com")
            masked = destination[0] + "***@" + destination.partition("@")[2][:1] + "***"
        self.outbox.append(Message(medium, destination, code, purpose))
        return {"Destination": masked, "DeliveryMedium": medium, "AttributeName": attribute}

    def _check_code(self, user: User, purpose: str, sent: object) -> None:
        if not isinstance(sent, str) or sent != user.codes.get(purpose):
            raise ServiceFault("CodeMismatchException", "Invalid code provided, please try again.")

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
        self.access_tokens.add(access)
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
        if name in ("SMS_MFA", "SMS_OTP", "EMAIL_OTP"):
            return self._code_challenge(session, name, self.tamper.challenge_parameters)
        if name == "SELECT_MFA_TYPE":
            params["MFAS_CAN_CHOOSE"] = self._mfa_list(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])
        elif name == "MFA_SETUP":
            params["MFAS_CAN_SETUP"] = self._mfa_list(["SOFTWARE_TOKEN_MFA"])
        elif name == "CUSTOM_CHALLENGE":
            params["question"] = "2 + 2"
        return self._challenge(session, name, params | self.tamper.challenge_parameters)

    def _mfa_list(self, names: list[str]) -> Any:
        return names if self.tamper.mfa_lists_as_arrays else json.dumps(names)

    def _code_challenge(
        self, session: Session, name: str, extra: dict[str, str] | None = None
    ) -> dict[str, Any]:
        delivery = self._send_code(session.user, name)
        params = {
            "USERNAME": session.user.username,
            "USER_ID_FOR_SRP": session.user.username,
            "CODE_DELIVERY_DESTINATION": delivery["Destination"],
            "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
        }
        return self._challenge(session, name, params | (extra or {}))

    def _start_srp(self, session: Session, srp_a: str | None) -> dict[str, Any]:
        user = session.user
        if user.password is None:
            raise ServiceFault("NotAuthorizedException", "The user has no password.")
        try:
            session.big_a = parse_srp_a(srp_a or "")
        except Rejected as exc:
            raise ServiceFault("InvalidParameterException", str(exc)) from None
        session.exchange = ServerExchange(
            v=user.v, realm=POOL_NAME, user=user.username, salt=user.salt
        )
        return self._challenge(
            session, "PASSWORD_VERIFIER", self._password_verifier_params(session)
        )

    def _first_factor(
        self, session: Session, choice: str, params: dict[str, str]
    ) -> dict[str, Any]:
        """Go on with the first factor chosen in USER_AUTH (preferred or selected)."""
        user = session.user
        if choice == "PASSWORD":
            if user.password is None or params.get("PASSWORD") != user.password:
                raise ServiceFault("NotAuthorizedException", "Incorrect username or password.")
            return self._after_password(session)
        if choice == "PASSWORD_SRP":
            return self._start_srp(session, params.get("SRP_A"))
        if choice in ("EMAIL_OTP", "SMS_OTP"):
            session.pending = []  # a one-time code signs in: no MFA after it
            return self._code_challenge(session, choice)
        if choice == "WEB_AUTHN":
            session.webauthn_challenge = secrets.token_bytes(32)
            options = {
                "challenge": b64url(session.webauthn_challenge),
                "timeout": 180000,
                "rpId": RP_ID,
                "allowCredentials": [
                    {
                        "type": "public-key",
                        "id": b64url(p.credential_id),
                        "transports": p.transports,
                    }
                    for p in user.passkeys
                ],
                "userVerification": self.relying_party.user_verification,
            }
            return self._challenge(
                session,
                "WEB_AUTHN",
                {
                    "USERNAME": user.username,
                    "CREDENTIAL_REQUEST_OPTIONS": self.tamper.webauthn_options
                    or json.dumps(options),
                },
            )
        raise ServiceFault("InvalidParameterException", f"{choice} is not a first factor")

    def _select_challenge(self, session: Session) -> dict[str, Any]:
        session.available = self.first_factors(session.user)
        if not session.available:
            raise ServiceFault("NotAuthorizedException", "No way to sign in for this user.")
        answer = self._challenge(session, "SELECT_CHALLENGE", {"USERNAME": session.user.username})
        answer["AvailableChallenges"] = list(session.available)
        return answer

    def _password_verifier_params(self, session: Session) -> dict[str, str]:
        assert session.exchange is not None
        params = session.exchange.challenge_parameters(salt_text=self.tamper.salt)
        if self.tamper.srp_b is not None:
            params["SRP_B"] = self.tamper.srp_b
        if self.tamper.secret_block is not None:
            params["SECRET_BLOCK"] = self.tamper.secret_block
        return params

    # -- operations ---------------------------------------------------------------------
    def _admin(self, body: dict[str, Any]) -> None:
        """What the admin operations need beyond the public ones: a signature and the pool."""
        authorization = self.authorization[-1]  # this request's header (handle holds the lock)
        if not authorization or not authorization.startswith("AWS4-HMAC-SHA256 Credential="):
            raise ServiceFault(
                "MissingAuthenticationTokenException", "Missing Authentication Token"
            )
        if "/eu-west-1/cognito-idp/aws4_request" not in authorization:
            raise ServiceFault("InvalidSignatureException", "Credential should be scoped correctly")
        if body.get("UserPoolId") != POOL_ID:
            raise ServiceFault("ResourceNotFoundException", "User pool does not exist.")

    def AdminInitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        self._admin(body)
        flow = body.get("AuthFlow")
        if flow not in ("ADMIN_USER_PASSWORD_AUTH", "USER_AUTH", "USER_SRP_AUTH"):
            raise ServiceFault("InvalidParameterException", f"{flow} is not an admin flow")
        return self._initiate(body, admin=True)

    def AdminRespondToAuthChallenge(self, body: dict[str, Any]) -> dict[str, Any]:
        self._admin(body)
        return self._respond(body, admin=True)

    def InitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("AuthFlow") == "ADMIN_USER_PASSWORD_AUTH":
            raise ServiceFault("InvalidParameterException", "Use AdminInitiateAuth for this flow")
        return self._initiate(body, admin=False)

    def RespondToAuthChallenge(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._respond(body, admin=False)

    def _initiate(self, body: dict[str, Any], *, admin: bool) -> dict[str, Any]:
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
        if not user.confirmed:
            raise ServiceFault("UserNotConfirmedException", "User is not confirmed.")
        device = self.devices.get(params["DEVICE_KEY"]) if "DEVICE_KEY" in params else None
        if device is not None and device.username != user.username:
            device = None
        session = Session(user=user, expect="", device=device, admin=admin)
        if flow == "USER_SRP_AUTH":
            return self._start_srp(session, params.get("SRP_A"))
        if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"):
            if user.password is None or params.get("PASSWORD") != user.password:
                raise ServiceFault("NotAuthorizedException", "Incorrect username or password.")
            return self._after_password(session)
        if flow == "USER_AUTH":
            preferred = params.get("PREFERRED_CHALLENGE")
            if preferred is not None and preferred in self.first_factors(user):
                return self._first_factor(session, preferred, params)
            return self._select_challenge(session)
        raise ServiceFault("InvalidParameterException", f"unsupported flow {flow}")

    def _respond(self, body: dict[str, Any], *, admin: bool) -> dict[str, Any]:
        session = self.sessions.pop(body.get("Session") or "", None)
        if session is None or session.admin != admin:
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
        if name == "SELECT_CHALLENGE":
            answer = responses.get("ANSWER", "")
            if answer not in session.available:
                raise ServiceFault("InvalidParameterException", f"{answer} is not available")
            return self._first_factor(session, answer, responses)
        if name == "WEB_AUTHN":
            assert session.webauthn_challenge is not None
            try:
                credential = json.loads(responses.get("CREDENTIAL") or "null")
                self.relying_party.verify(credential, session.webauthn_challenge, user.passkeys)
            except ValueError:
                raise ServiceFault("InvalidParameterException", "CREDENTIAL is not JSON") from None
            except Refused as refused:
                # RespondToAuthChallenge lists no WebAuthn errors: a failed passkey is a
                # failed sign-in, a malformed one a bad parameter.
                code = refused.code
                if code != "InvalidParameterException":
                    code = "NotAuthorizedException"
                raise ServiceFault(code, refused.message) from None
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

    def _user_of(self, access_token: object) -> User:
        username = self.tokens.get(access_token) if isinstance(access_token, str) else None
        if username is None or access_token not in self.access_tokens:
            raise ServiceFault("NotAuthorizedException", "Invalid Access Token")
        return self.users[username]

    def StartWebAuthnRegistration(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._user_of(body.get("AccessToken"))
        user.registration_challenge = secrets.token_bytes(32)
        options = {
            "challenge": b64url(user.registration_challenge),
            "rp": {"id": RP_ID, "name": "Sim App"},
            "user": {
                "id": b64url(user.sub.encode()),
                "name": user.username,
                "displayName": user.attributes.get("email", user.username),
            },
            "pubKeyCredParams": [
                {"type": "public-key", "alg": -7},
                {"type": "public-key", "alg": -257},
            ],
            "timeout": 180000,
            "excludeCredentials": [
                {"type": "public-key", "id": b64url(p.credential_id)} for p in user.passkeys
            ],
            "authenticatorSelection": {
                "requireResidentKey": True,
                "residentKey": "required",
                "userVerification": self.relying_party.user_verification,
            },
        }
        return {"CredentialCreationOptions": options}

    def CompleteWebAuthnRegistration(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._user_of(body.get("AccessToken"))
        if user.registration_challenge is None:
            raise ServiceFault("WebAuthnChallengeNotFoundException", "No registration started.")
        try:
            passkey = self.relying_party.register(
                body.get("Credential"), user.registration_challenge, now=1_767_225_600.0
            )
        except Refused as refused:
            raise ServiceFault(refused.code, refused.message) from None
        user.registration_challenge = None
        user.passkeys.append(passkey)
        return {}

    def ListWebAuthnCredentials(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._user_of(body.get("AccessToken"))
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or self.list_page_size)
        page = user.passkeys[start : start + size]
        answer: dict[str, Any] = {
            "Credentials": [
                {
                    "CredentialId": b64url(p.credential_id),
                    "FriendlyCredentialName": p.name,
                    "RelyingPartyId": RP_ID,
                    "AuthenticatorAttachment": p.attachment,
                    "AuthenticatorTransports": p.transports,
                    "CreatedAt": p.created_at,
                }
                for p in page
            ]
        }
        if start + size < len(user.passkeys):
            answer["NextToken"] = str(start + size)
        return answer

    def DeleteWebAuthnCredential(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._user_of(body.get("AccessToken"))
        for passkey in user.passkeys:
            if b64url(passkey.credential_id) == body.get("CredentialId"):
                user.passkeys.remove(passkey)
                return {}
        raise ServiceFault("ResourceNotFoundException", "Credential not found.")

    def _check_lifecycle_client(self, body: dict[str, Any]) -> None:
        hashed = {"SECRET_HASH": body["SecretHash"]} if "SecretHash" in body else {}
        self._check_client(body, body.get("Username"), hashed)

    def SignUp(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_lifecycle_client(body)
        username = body.get("Username") or ""
        if any(u.username == username or username in u.aliases for u in self.users.values()):
            raise ServiceFault("UsernameExistsException", "User already exists")
        password = body.get("Password")
        if password is not None and len(password) < 8:
            raise ServiceFault("InvalidPasswordException", "Password not long enough")
        attributes: dict[str, str] = {}
        for item in body.get("UserAttributes") or []:
            if set(item) - {"Name", "Value"} or "Name" not in item:
                raise ServiceFault("InvalidParameterException", "malformed attribute")
            attributes[item["Name"]] = item.get("Value", "")
        user = self.add_user(username, password, attributes=attributes, confirmed=False)
        return {
            "UserConfirmed": False,
            "UserSub": user.sub,
            "CodeDeliveryDetails": self._send_code(user, "SIGN_UP"),
        }

    def ConfirmSignUp(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_lifecycle_client(body)
        user = self.find_user(body.get("Username") or "")
        self._check_code(user, "SIGN_UP", body.get("ConfirmationCode"))
        user.confirmed = True
        del user.codes["SIGN_UP"]
        return {}

    def ResendConfirmationCode(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_lifecycle_client(body)
        user = self.find_user(body.get("Username") or "")
        user.codes.pop("SIGN_UP", None)  # the old code stops working
        return {"CodeDeliveryDetails": self._send_code(user, "SIGN_UP")}

    def ForgotPassword(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_lifecycle_client(body)
        user = self.find_user(body.get("Username") or "")
        user.codes.pop("FORGOT_PASSWORD", None)
        return {"CodeDeliveryDetails": self._send_code(user, "FORGOT_PASSWORD")}

    def ConfirmForgotPassword(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_lifecycle_client(body)
        user = self.find_user(body.get("Username") or "")
        self._check_code(user, "FORGOT_PASSWORD", body.get("ConfirmationCode"))
        password = body.get("Password") or ""
        if len(password) < 8:
            raise ServiceFault("InvalidPasswordException", "Password not long enough")
        user.password = password
        del user.codes["FORGOT_PASSWORD"]
        return {}

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

    def handle(
        self, op: str, body: dict[str, Any], authorization: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            self.requests.append((op, body))
            self.authorization.append(authorization)
            if op in self.fail_once:
                raise ServiceFault(self.fail_once.pop(op), "injected by the test")
            method = getattr(self, op, None) if op[:1].isupper() else None
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
            authorization = self.headers.get("authorization")
            out, status = self.server.fake.handle(op, body, authorization), 200
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
    "ORIGIN",
    "POOL_ID",
    "POOL_NAME",
    "RP_ID",
    "FakeCognito",
    "ServiceFault",
    "User",
    "auth_for",
    "serve",
    "signed_hex",
]
