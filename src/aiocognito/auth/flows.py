"""Sign-in flows on top of the client: SRP or password, challenges as typed next steps.

```python
auth = UserPoolAuth(client, "eu-west-1_Ab3dEf", client_id, client_secret)
step = await auth.sign_in_srp("alice@example.com", password, device=remembered)
while not isinstance(step, SignedIn):
    if isinstance(step, NewPasswordRequired):
        step = await step.answer(new_password=ask("new password"))
    elif isinstance(step, (SmsMfa, SoftwareTokenMfa, EmailOtp, SmsOtp)):
        step = await step.answer(ask("code"))
    else:
        raise RuntimeError(f"cannot answer {step.name}")
tokens = step.authentication_result
```

The flow answers by itself what needs no person: ``PASSWORD_VERIFIER`` (the SRP proof),
``DEVICE_SRP_AUTH`` and ``DEVICE_PASSWORD_VERIFIER`` (when a remembered device is given). Every
other challenge comes back as a step object carrying the ``Session``; its ``answer`` sends the
response with ``USERNAME`` (the name the service returned, not the alias typed),
``SECRET_HASH`` (when the app client has a secret) and ``DEVICE_KEY`` (with a device) added.
Steps are immutable: answering one again (say, after a mistyped code) resends with its session.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, ParamSpec, TypeAlias, TypeVar, cast
from urllib.parse import quote

from attrs import Factory, define, evolve, field

from .._core.errors import CognitoError, ParamValidationError
from .._core.protocol import JSONNestingError, loads
from .._core.types import REDACTED, UnmodeledValue, redact
from .secret_hash import secret_hash
from .srp import (
    DeviceSRP,
    UserSRP,
    # The user pool id check UserSRP applies, shared within this package on purpose.
    _pool_name,  # pyright: ignore[reportPrivateUsage]
    new_device_verifier,
)

if TYPE_CHECKING:
    from ..client import CognitoIdentityProviderClient
    from ..shapes import (
        AuthenticationResultType,
        InitiateAuthResponse,
        NewDeviceMetadataType,
        RespondToAuthChallengeResponse,
    )

__all__ = [
    "AuthFlowError",
    "Challenge",
    "CustomChallenge",
    "EmailOtp",
    "MfaSetup",
    "NewPasswordRequired",
    "OtherChallenge",
    "RememberedDevice",
    "SelectMfaType",
    "SignInStep",
    "SignedIn",
    "SmsMfa",
    "SmsOtp",
    "SoftwareTokenMfa",
    "SoftwareTokenSetup",
    "UserPoolAuth",
]

logger = logging.getLogger("aiocognito.auth")

P = ParamSpec("P")
T = TypeVar("T")

_MAX_AUTOMATIC_STEPS = 8
"""Challenges answered in a row without the app (verifier, device SRP): a bound, not a budget."""


class AuthFlowError(CognitoError):
    """The sign-in cannot go on: the service answered something this flow cannot act on.

    For example neither tokens nor a challenge, or a device challenge when no remembered device
    was given. Errors the service reports (wrong password, wrong code, ...) are raised as the
    client's typed ``ServiceError`` subclasses instead.
    """


async def _off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run SRP's big-number work in a worker thread.

    One sign-in's math takes longer than an event loop can spare, with either backend, so it
    always leaves the loop (benchmarks/srp_cpu.py and benchmarks/srp_loop_stall.py measure
    the cost and the stall). A thread is enough because neither backend holds the GIL for
    long: gmpy2 releases it inside ``powmod``, and the pure-Python exponentiation is a loop
    of multiplications the interpreter can switch out of (one plain ``pow()`` call would
    hold it throughout).
    """
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- what the app keeps and gets ------------------------------------------------------------


@define(frozen=True, kw_only=True)
class RememberedDevice:
    """A device remembered with ``UserPoolAuth.remember_device``: store all three, secretly.

    Pass it as ``device=`` to later sign-ins: the service then skips MFA for this device once
    the device proves it knows its password (device SRP).
    """

    device_key: str
    """The device key (``NewDeviceMetadata.DeviceKey``)."""
    device_group_key: str
    """The device group key (``NewDeviceMetadata.DeviceGroupKey``)."""
    device_password: str = field(repr=redact)
    """The random password whose verifier ConfirmDevice registered. A secret."""


def _access_token(signed_in: SignedIn) -> str:
    token = signed_in.authentication_result.access_token
    if not token:
        raise AuthFlowError("the service answered tokens without an access token")
    return token


def _id_token(signed_in: SignedIn) -> str:
    token = signed_in.authentication_result.id_token
    if not token:
        raise AuthFlowError("the service answered tokens without an ID token")
    return token


def _expires_at(signed_in: SignedIn) -> datetime:
    """``ExpiresIn`` counted from now (the answer has just arrived); else the token's ``exp``.

    A service that sends no ``ExpiresIn`` is not refused (AWS's SDKs accept it): the access
    token's own ``exp`` claim, read unverified from a token that came from the service over
    TLS, says the same thing.
    """
    result = signed_in.authentication_result
    if result.expires_in is not None:
        return datetime.now(UTC) + timedelta(seconds=result.expires_in)
    exp = _unverified_claims(signed_in.access_token).get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC)
    raise AuthFlowError(
        "the service answered tokens without ExpiresIn, and the access token has no exp claim"
    )


@define(frozen=True, kw_only=True)
class SignedIn:
    """The end of a sign-in: the tokens, when they expire, and who the service says signed in.

    Raises ``AuthFlowError`` when built from an answer without an access or ID token (the
    service always sends both with a sign-in's or a refresh's tokens).
    """

    authentication_result: AuthenticationResultType
    """The tokens (their ``repr`` is redacted) and, for a new device, its metadata."""
    username: str = field(repr=redact)
    """The ``USERNAME`` the service knows the user by (never the alias that was typed);
    ``refresh`` needs it when the app client has a secret."""
    device: RememberedDevice | None = None
    """The remembered device this sign-in used, if any."""
    access_token: str = field(
        init=False, repr=False, default=Factory(_access_token, takes_self=True)
    )
    """``authentication_result.access_token``: always there."""
    id_token: str = field(init=False, repr=False, default=Factory(_id_token, takes_self=True))
    """``authentication_result.id_token``: always there."""
    expires_at: datetime = field(default=Factory(_expires_at, takes_self=True))
    """When the access and ID tokens expire (aware, UTC): the answer's ``ExpiresIn`` counted
    from when it arrived (when this object was made)."""

    @property
    def refresh_token(self) -> str | None:
        """``authentication_result.refresh_token`` (a refresh without rotation returns none:
        keep the one you have)."""
        return self.authentication_result.refresh_token

    @property
    def new_device(self) -> NewDeviceMetadataType | None:
        """A device the service started tracking: ``remember_device`` confirms it."""
        return self.authentication_result.new_device_metadata


# -- internal state carried from step to step -------------------------------------------------


@define(frozen=True, kw_only=True, repr=False)
class _State:
    auth: UserPoolAuth
    username: str
    session: str | None
    device: RememberedDevice | None
    client_metadata: dict[str, str] | None

    def __repr__(self) -> str:
        return "<sign-in state>"


# -- challenges the app answers -----------------------------------------------------------------


@define(frozen=True, kw_only=True)
class Challenge:
    """A challenge the service asks the app to answer, with its session (never shown)."""

    name: str
    """The ``ChallengeName``."""
    parameters: Mapping[str, str] = field(repr=False)
    """The ``ChallengeParameters`` as the service sent them (may hold personal data: not in
    the ``repr``)."""
    _state: _State = field(repr=False, alias="state")

    async def _respond(self, responses: Mapping[str, str]) -> SignInStep:
        # Steps are UserPoolAuth's friends in this module; its _respond is no public API.
        auth = self._state.auth
        return await auth._respond(self._state, self.name, responses)  # pyright: ignore[reportPrivateUsage]


@define(frozen=True, kw_only=True)
class NewPasswordRequired(Challenge):
    """``NEW_PASSWORD_REQUIRED``: the user signed in with a temporary password."""

    required_attributes: tuple[str, ...] = ()
    """Attributes the user must give now (without the ``userAttributes.`` prefix)."""
    user_attributes: Mapping[str, str] = field(factory=dict[str, str], repr=False)
    """The user's current attributes, as the service sent them."""

    async def answer(
        self, new_password: str, *, attributes: Mapping[str, str] | None = None
    ) -> SignInStep:
        """Set the new password (and required attributes); returns the next step.

        Args:
            new_password: the user's new password.
            attributes: values for ``required_attributes`` (and other writable attributes).
        """
        responses = {"NEW_PASSWORD": new_password}
        for name, value in (attributes or {}).items():
            responses[f"userAttributes.{name}"] = value
        return await self._respond(responses)


@define(frozen=True, kw_only=True)
class _CodeChallenge(Challenge):
    _code_key: ClassVar[str] = ""

    destination: str | None = None
    """Where the code went (``CODE_DELIVERY_DESTINATION``, masked by the service)."""
    delivery_medium: str | None = None
    """``SMS`` or ``EMAIL`` (``CODE_DELIVERY_DELIVERY_MEDIUM``)."""

    async def answer(self, code: str) -> SignInStep:
        """Send the code the user received or their authenticator shows; the next step."""
        return await self._respond({self._code_key: code})


@define(frozen=True, kw_only=True)
class SmsMfa(_CodeChallenge):
    """``SMS_MFA``: answer with the code sent by SMS."""

    _code_key: ClassVar[str] = "SMS_MFA_CODE"


@define(frozen=True, kw_only=True)
class SoftwareTokenMfa(_CodeChallenge):
    """``SOFTWARE_TOKEN_MFA``: answer with the user's authenticator (TOTP) code."""

    _code_key: ClassVar[str] = "SOFTWARE_TOKEN_MFA_CODE"


@define(frozen=True, kw_only=True)
class EmailOtp(_CodeChallenge):
    """``EMAIL_OTP``: answer with the code sent by email."""

    _code_key: ClassVar[str] = "EMAIL_OTP_CODE"


@define(frozen=True, kw_only=True)
class SmsOtp(_CodeChallenge):
    """``SMS_OTP``: answer with the one-time code sent by SMS."""

    _code_key: ClassVar[str] = "SMS_OTP_CODE"


@define(frozen=True, kw_only=True)
class SelectMfaType(Challenge):
    """``SELECT_MFA_TYPE``: the user picks one of ``options`` (e.g. ``SOFTWARE_TOKEN_MFA``)."""

    options: tuple[str, ...] = ()
    """The MFA types the user can choose (``MFAS_CAN_CHOOSE``)."""

    async def answer(self, mfa_type: str) -> SignInStep:
        """Choose an MFA type; the next step is usually that type's code challenge."""
        return await self._respond({"ANSWER": str(mfa_type)})


@define(frozen=True, kw_only=True)
class MfaSetup(Challenge):
    """``MFA_SETUP``: the user must set up MFA before signing in.

    For an authenticator app: ``setup = await step.associate_software_token()``, show
    ``setup.secret_code`` (or ``setup.otpauth_uri(...)`` as a QR code), then
    ``step = await setup.verify(code)``. For SMS or email MFA, give the user a phone number or
    email and sign in again.
    """

    options: tuple[str, ...] = ()
    """The MFA types the user can set up (``MFAS_CAN_SETUP``)."""

    async def associate_software_token(self) -> SoftwareTokenSetup:
        """Start authenticator (TOTP) setup: AssociateSoftwareToken with this session."""
        state = self._state
        associated = await state.auth.client.associate_software_token(session=state.session)
        if not associated.secret_code:
            raise AuthFlowError("AssociateSoftwareToken returned no secret code")
        return SoftwareTokenSetup(
            secret_code=associated.secret_code,
            state=evolve(state, session=associated.session or state.session),
        )


@define(frozen=True, kw_only=True)
class SoftwareTokenSetup:
    """An authenticator being set up during ``MFA_SETUP``: verify a code to finish signing in."""

    secret_code: str = field(repr=redact)
    """The TOTP key (base32) for the user's authenticator app. A secret."""
    _state: _State = field(repr=False, alias="state")

    def otpauth_uri(self, issuer: str, account_name: str) -> str:
        """An ``otpauth://totp/...`` URI for a QR code (contains the secret)."""
        label = quote(f"{issuer}:{account_name}")
        return f"otpauth://totp/{label}?secret={self.secret_code}&issuer={quote(issuer)}"

    async def verify(self, code: str, *, friendly_device_name: str | None = None) -> SignInStep:
        """VerifySoftwareToken with a code from the app, then answer ``MFA_SETUP``."""
        state = self._state
        verified = await state.auth.client.verify_software_token(
            user_code=code, session=state.session, friendly_device_name=friendly_device_name
        )
        if verified.status is not None and str(verified.status) != "SUCCESS":
            raise AuthFlowError(f"VerifySoftwareToken answered {verified.status}")
        state = evolve(state, session=verified.session or state.session)
        # A step of UserPoolAuth's own flow, in its module: not public API (see Challenge).
        return await state.auth._respond(state, "MFA_SETUP", {})  # pyright: ignore[reportPrivateUsage]


@define(frozen=True, kw_only=True)
class CustomChallenge(Challenge):
    """``CUSTOM_CHALLENGE``: your Lambda triggers' question; ``parameters`` holds it."""

    async def answer(self, answer: str, *, extra: Mapping[str, str] | None = None) -> SignInStep:
        """Send ``ANSWER`` (plus any ``extra`` responses your triggers expect)."""
        return await self._respond({**(extra or {}), "ANSWER": answer})


@define(frozen=True, kw_only=True)
class OtherChallenge(Challenge):
    """A challenge this module has no class for (``SELECT_CHALLENGE``, ``WEB_AUTHN``, ...)."""

    async def answer(self, responses: Mapping[str, str]) -> SignInStep:
        """Send ``responses``; ``USERNAME``, ``SECRET_HASH`` and ``DEVICE_KEY`` are added."""
        return await self._respond(responses)


SignInStep: TypeAlias = (
    SignedIn
    | NewPasswordRequired
    | SmsMfa
    | SoftwareTokenMfa
    | EmailOtp
    | SmsOtp
    | SelectMfaType
    | MfaSetup
    | CustomChallenge
    | OtherChallenge
)
"""What a sign-in call or an ``answer`` returns: the tokens, or the next challenge."""


def _challenge_json(name: str, text: str | None) -> object:
    """A JSON-valued challenge parameter: ``None`` when absent or not JSON."""
    if not text:
        return None
    try:
        return loads(text)
    except JSONNestingError:
        raise AuthFlowError(f"challenge parameter {name} is JSON nested too deeply") from None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    """A JSON scalar as text; ``None`` for an array or object (never ``str()`` of nesting)."""
    return None if isinstance(value, list | dict) else str(value)


def _json_list(name: str, text: str | None) -> tuple[str, ...]:
    value = _challenge_json(name, text)
    if not isinstance(value, list):
        return ()
    items = (_text(item) for item in cast("list[object]", value))
    return tuple(item for item in items if item is not None)


def _json_object(name: str, text: str | None) -> dict[str, str]:
    value = _challenge_json(name, text)
    if not isinstance(value, dict):
        return {}
    pairs = ((str(k), _text(v)) for k, v in cast("dict[object, object]", value).items())
    return {k: v for k, v in pairs if v is not None}


def _unverified_claims(token: str | None) -> dict[str, object]:
    """The payload of a JWT, read without checking its signature (empty when unreadable).

    Only for tokens that came from the service itself over TLS, and only for what helps the
    flow along (the service's name for the user, the expiry): never to authorize anything.
    ``TokenVerifier`` is what checks a token.
    """
    parts = (token or "").split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except JSONNestingError:  # not merely unreadable: hostile
        raise AuthFlowError("a token's payload is JSON nested too deeply") from None
    except (ValueError, binascii.Error):
        return {}
    if not isinstance(payload, dict):
        return {}
    return {str(k): v for k, v in cast("dict[object, object]", payload).items()}


def _token_username(result: AuthenticationResultType) -> str | None:
    """The ``username`` claim of the access token (``cognito:username`` of the ID token).

    Read, not verified: the tokens came over TLS from the service itself, and the name is used
    only to compute later SECRET_HASHes. It is the service's own name for the user, where a
    sign-in that asked no challenge has only the name that was typed (maybe an alias).
    """
    for token, claim in ((result.access_token, "username"), (result.id_token, "cognito:username")):
        value = _unverified_claims(token).get(claim)
        if isinstance(value, str) and value:
            return value
    return None


_CODE_CHALLENGES: dict[str, type[SmsMfa | SoftwareTokenMfa | EmailOtp | SmsOtp]] = {
    "SMS_MFA": SmsMfa,
    "SOFTWARE_TOKEN_MFA": SoftwareTokenMfa,
    "EMAIL_OTP": EmailOtp,
    "SMS_OTP": SmsOtp,
}


def _step_for(name: str, params: dict[str, str], state: _State) -> SignInStep:
    if name == "NEW_PASSWORD_REQUIRED":
        return NewPasswordRequired(
            name=name,
            parameters=params,
            state=state,
            required_attributes=tuple(
                item.removeprefix("userAttributes.")
                for item in _json_list("requiredAttributes", params.get("requiredAttributes"))
            ),
            user_attributes=_json_object("userAttributes", params.get("userAttributes")),
        )
    if name in _CODE_CHALLENGES:
        return _CODE_CHALLENGES[name](
            name=name,
            parameters=params,
            state=state,
            destination=params.get("CODE_DELIVERY_DESTINATION"),
            delivery_medium=params.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
        )
    if name == "SELECT_MFA_TYPE":
        options = _json_list("MFAS_CAN_CHOOSE", params.get("MFAS_CAN_CHOOSE"))
        return SelectMfaType(name=name, parameters=params, state=state, options=options)
    if name == "MFA_SETUP":
        options = _json_list("MFAS_CAN_SETUP", params.get("MFAS_CAN_SETUP"))
        return MfaSetup(name=name, parameters=params, state=state, options=options)
    if name == "CUSTOM_CHALLENGE":
        return CustomChallenge(name=name, parameters=params, state=state)
    return OtherChallenge(name=name, parameters=params, state=state)


# -- the entry point ----------------------------------------------------------------------------


class UserPoolAuth:
    """Sign-in helpers for one app client of one user pool.

    Args:
        client: an open ``CognitoIdentityProviderClient`` (the caller owns it).
        user_pool_id: the pool id, ``REGION_NAME``.
        client_id: the app client id.
        client_secret: the app client's secret, when it has one: ``SECRET_HASH`` is then
            added to every request and challenge response. Never shown in a ``repr``.
    """

    __slots__ = ("_client", "_client_id", "_client_secret", "_user_pool_id")

    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        user_pool_id: str,
        client_id: str,
        client_secret: str | None = None,
    ) -> None:
        _pool_name(user_pool_id)
        self._client = client
        self._user_pool_id = user_pool_id
        self._client_id = client_id
        self._client_secret = client_secret

    @property
    def client(self) -> CognitoIdentityProviderClient:
        """The client the requests go through."""
        return self._client

    @property
    def user_pool_id(self) -> str:
        """The user pool id."""
        return self._user_pool_id

    @property
    def client_id(self) -> str:
        """The app client id (what ``TokenVerifier`` checks tokens were issued to)."""
        return self._client_id

    def __repr__(self) -> str:
        secret = REDACTED if self._client_secret is not None else "None"
        return (
            f"UserPoolAuth(user_pool_id={self._user_pool_id!r}, client_id={REDACTED}, "
            f"client_secret={secret})"
        )

    # -- starting a sign-in ---------------------------------------------------------------

    async def sign_in_srp(
        self,
        username: str,
        password: str,
        *,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Sign in with ``USER_SRP_AUTH``: the password never leaves this process.

        Args:
            username: the name as typed: username or an alias (email, phone, ...).
            password: the user's password.
            device: a remembered device: sends ``DEVICE_KEY`` and answers device SRP.
            client_metadata: passed to the pool's Lambda triggers with every request.

        Returns:
            ``SignedIn``, or the challenge the app must answer next.

        Raises:
            SRPError: the service sent malformed or unsafe SRP values (nothing was answered).
            AuthFlowError: the service answered something the flow cannot act on.
            ServiceError: what the service reported, e.g. ``NotAuthorizedException``.
        """
        srp = UserSRP(
            self._user_pool_id,
            username,
            password,
            client_id=self._client_id,
            client_secret=self._client_secret,
            device_key=device.device_key if device else None,
        )
        parameters = await _off_loop(srp.auth_parameters)
        state = self._new_state(username, device, client_metadata)
        logger.debug("sign-in: USER_SRP_AUTH")
        started = await self._client.initiate_auth(
            auth_flow="USER_SRP_AUTH",
            client_id=self._client_id,
            auth_parameters=parameters,
            client_metadata=state.client_metadata,
        )
        return await self._advance(started, state, srp)

    async def sign_in_password(
        self,
        username: str,
        password: str,
        *,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Sign in with ``USER_PASSWORD_AUTH``: the password goes to the service (over TLS).

        Arguments, result and errors as for ``sign_in_srp``.
        """
        parameters = {"USERNAME": username, "PASSWORD": password}
        if device is not None:
            parameters["DEVICE_KEY"] = device.device_key
        self._add_secret_hash(parameters)
        state = self._new_state(username, device, client_metadata)
        logger.debug("sign-in: USER_PASSWORD_AUTH")
        started = await self._client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH",
            client_id=self._client_id,
            auth_parameters=parameters,
            client_metadata=state.client_metadata,
        )
        return await self._advance(started, state, None)

    async def refresh(
        self,
        refresh_token: str,
        *,
        username: str | None = None,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
        rotate: bool = False,
    ) -> SignedIn:
        """New ID and access tokens from a refresh token.

        Args:
            refresh_token: the refresh token of an earlier sign-in.
            username: the user's name as the service knows it (``SignedIn.username``); needed
                for ``SECRET_HASH`` when the app client has a secret (not with ``rotate``),
                optional otherwise.
            device: the remembered device the tokens were issued to, if any.
            client_metadata: passed to the pool's Lambda triggers.
            rotate: refresh with ``GetTokensFromRefreshToken`` instead of
                ``REFRESH_TOKEN_AUTH``: the one an app client with refresh token rotation
                accepts, answering a new refresh token that replaces this one (store it).

        Returns:
            ``SignedIn`` with the new tokens and the user's name read from the new access
            token, as at sign-in; ``refresh_token`` is ``None`` unless the app client rotates
            refresh tokens.
        """
        if rotate:
            logger.debug("sign-in: GetTokensFromRefreshToken")
            rotated = await self._client.get_tokens_from_refresh_token(
                refresh_token=refresh_token,
                client_id=self._client_id,
                client_secret=self._client_secret,
                device_key=device.device_key if device else None,
                client_metadata=dict(client_metadata) if client_metadata else None,
            )
            if rotated.authentication_result is None:
                raise AuthFlowError("GetTokensFromRefreshToken answered no tokens")
            return SignedIn(
                authentication_result=rotated.authentication_result,
                username=_token_username(rotated.authentication_result) or username or "",
                device=device,
            )
        if self._client_secret is not None and username is None:
            raise ParamValidationError(
                "refresh() needs the username (SignedIn.username) when the app client has a "
                "secret: SECRET_HASH is computed over it",
                path="username",
            )
        parameters = {"REFRESH_TOKEN": refresh_token}
        if username is not None:
            parameters["USERNAME"] = username
        if device is not None:
            parameters["DEVICE_KEY"] = device.device_key
        self._add_secret_hash(parameters)
        logger.debug("sign-in: REFRESH_TOKEN_AUTH")
        refreshed = await self._client.initiate_auth(
            auth_flow="REFRESH_TOKEN_AUTH",
            client_id=self._client_id,
            auth_parameters=parameters,
            client_metadata=dict(client_metadata) if client_metadata else None,
        )
        if refreshed.authentication_result is None:
            raise AuthFlowError(
                f"REFRESH_TOKEN_AUTH answered {refreshed.challenge_name or 'nothing'} "
                "instead of tokens"
            )
        result = refreshed.authentication_result
        return SignedIn(
            authentication_result=result,
            username=_token_username(result) or username or "",
            device=device,
        )

    async def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (``RevokeToken``) and the access tokens issued with it.

        The user stays signed in elsewhere; ``GlobalSignOut`` (``TokenSession.global_sign_out``)
        ends every session of the user.
        """
        logger.debug("sign-out: RevokeToken")
        await self._client.revoke_token(
            token=refresh_token, client_id=self._client_id, client_secret=self._client_secret
        )

    async def remember_device(
        self, signed_in: SignedIn, *, device_name: str | None = None
    ) -> RememberedDevice:
        """Remember the device a sign-in brought (``NewDeviceMetadata``): ConfirmDevice.

        Makes a fresh device password and verifier, registers the verifier, and marks the
        device remembered when the pool lets users choose (``UserConfirmationNecessary``).

        Args:
            signed_in: a sign-in whose result has ``new_device_metadata``.
            device_name: a name for the device, shown to the user in device lists.

        Returns:
            The ``RememberedDevice`` to store (it holds the device password) and pass to later
            sign-ins.
        """
        result = signed_in.authentication_result
        metadata = result.new_device_metadata
        if metadata is None or not metadata.device_key or not metadata.device_group_key:
            raise AuthFlowError(
                "this sign-in brought no new device (NewDeviceMetadata): the pool does not "
                "track devices, or this device is already known"
            )
        if not result.access_token:
            raise AuthFlowError("this sign-in has no access token to confirm the device with")
        config, password = await _off_loop(
            new_device_verifier, metadata.device_group_key, metadata.device_key
        )
        confirmed = await self._client.confirm_device(
            access_token=result.access_token,
            device_key=metadata.device_key,
            device_secret_verifier_config=config,
            device_name=device_name,
        )
        if confirmed.user_confirmation_necessary:
            await self._client.update_device_status(
                access_token=result.access_token,
                device_key=metadata.device_key,
                device_remembered_status="remembered",
            )
        return RememberedDevice(
            device_key=metadata.device_key,
            device_group_key=metadata.device_group_key,
            device_password=password,
        )

    # -- the challenge loop -------------------------------------------------------------------

    def _new_state(
        self,
        username: str,
        device: RememberedDevice | None,
        client_metadata: Mapping[str, str] | None,
    ) -> _State:
        return _State(
            auth=self,
            username=username,
            session=None,
            device=device,
            client_metadata=dict(client_metadata) if client_metadata else None,
        )

    def _add_secret_hash(self, parameters: dict[str, str]) -> dict[str, str]:
        if self._client_secret is not None and "USERNAME" in parameters:
            parameters["SECRET_HASH"] = secret_hash(
                parameters["USERNAME"], self._client_id, self._client_secret
            )
        return parameters

    async def _respond(
        self, state: _State, challenge_name: str, responses: Mapping[str, str]
    ) -> SignInStep:
        """Answer a challenge the app handled; USERNAME, DEVICE_KEY and SECRET_HASH added."""
        complete = {"USERNAME": state.username, **responses}
        if state.device is not None:
            complete.setdefault("DEVICE_KEY", state.device.device_key)
        self._add_secret_hash(complete)
        logger.debug("sign-in: answering %s", challenge_name)
        answered = await self._client.respond_to_auth_challenge(
            client_id=self._client_id,
            # The name the service asked, sent back: it may be newer than the model.
            challenge_name=UnmodeledValue(challenge_name),
            session=state.session,
            challenge_responses=complete,
            client_metadata=state.client_metadata,
        )
        return await self._advance(answered, state, None)

    async def _advance(
        self,
        response: InitiateAuthResponse | RespondToAuthChallengeResponse,
        state: _State,
        srp: UserSRP | None,
    ) -> SignInStep:
        """Answer the automatic challenges; return tokens or the first one the app must."""
        device_srp: DeviceSRP | None = None
        for _ in range(_MAX_AUTOMATIC_STEPS):
            result = response.authentication_result
            if result is not None:
                logger.debug("sign-in: signed in")
                return SignedIn(
                    authentication_result=result,
                    username=_token_username(result) or state.username,
                    device=state.device,
                )
            name = str(response.challenge_name or "")
            if not name:
                raise AuthFlowError("the service answered with neither tokens nor a challenge")
            params = dict(response.challenge_parameters or {})
            state = evolve(
                state,
                session=response.session,
                username=params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or state.username,
            )
            logger.debug("sign-in: the service asks %s", name)
            responses: dict[str, str]
            if name == "PASSWORD_VERIFIER":
                if srp is None:
                    raise AuthFlowError("PASSWORD_VERIFIER came outside an SRP sign-in")
                responses = await _off_loop(srp.password_verifier_response, params)
                srp = None  # one proof per exchange
            elif name == "DEVICE_SRP_AUTH":
                if state.device is None:
                    raise AuthFlowError(
                        "the service asks for device authentication (DEVICE_SRP_AUTH) but no "
                        "remembered device was given"
                    )
                device_srp = DeviceSRP(
                    self._user_pool_id,
                    state.username,
                    state.device.device_key,
                    state.device.device_group_key,
                    state.device.device_password,
                    client_id=self._client_id,
                    client_secret=self._client_secret,
                )
                responses = await _off_loop(device_srp.device_srp_auth_response)
            elif name == "DEVICE_PASSWORD_VERIFIER":
                if device_srp is None:
                    raise AuthFlowError("DEVICE_PASSWORD_VERIFIER came before DEVICE_SRP_AUTH")
                responses = await _off_loop(device_srp.device_password_verifier_response, params)
                device_srp = None
            else:
                return _step_for(name, params, state)
            response = await self._client.respond_to_auth_challenge(
                client_id=self._client_id,
                challenge_name=UnmodeledValue(name),
                session=state.session,
                challenge_responses=responses,
                client_metadata=state.client_metadata,
            )
        raise AuthFlowError(
            f"the service asked more than {_MAX_AUTOMATIC_STEPS} automatic challenges in a row"
        )
