"""Sign-in flows on top of the client: choice-based, SRP or password, challenges as typed steps.

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
A server-side (admin) sign-in's steps answer through ``AdminRespondToAuthChallenge``, with the
sign-in's ``ContextData``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Literal, ParamSpec, TypeAlias, TypeVar, cast
from urllib.parse import quote

from attrs import Factory, define, evolve, field

from .._core.errors import CognitoError, ParamValidationError
from .._core.protocol import JSONNestingError, loads
from .._core.types import REDACTED, JSONValue, UnmodeledValue, redact
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
        AdminInitiateAuthResponse,
        AdminRespondToAuthChallengeResponse,
        AttributeType,
        AuthenticationResultType,
        ConfirmForgotPasswordResponse,
        ConfirmSignUpResponse,
        ContextDataType,
        ForgotPasswordResponse,
        InitiateAuthResponse,
        NewDeviceMetadataType,
        ResendConfirmationCodeResponse,
        RespondToAuthChallengeResponse,
        SignUpResponse,
        WebAuthnCredentialDescription,
    )

    _AuthAnswer: TypeAlias = (
        InitiateAuthResponse
        | RespondToAuthChallengeResponse
        | AdminInitiateAuthResponse
        | AdminRespondToAuthChallengeResponse
    )

__all__ = [
    "AuthFlowError",
    "Challenge",
    "CustomChallenge",
    "EmailOtp",
    "FirstFactor",
    "MfaSetup",
    "NewPasswordRequired",
    "OtherChallenge",
    "RememberedDevice",
    "SelectChallenge",
    "SelectMfaType",
    "SignInStep",
    "SignedIn",
    "SmsMfa",
    "SmsOtp",
    "SoftwareTokenMfa",
    "SoftwareTokenSetup",
    "UserPoolAuth",
    "WebAuthnChallenge",
]

logger = logging.getLogger("aiocognito.auth")

P = ParamSpec("P")
T = TypeVar("T")

_MAX_AUTOMATIC_STEPS = 8
"""Challenges answered in a row without the app (verifier, device SRP): a bound, not a budget."""

_MAX_LISTED_PAGES = 100
"""Pages ``list_passkeys`` reads at most (a user has a few passkeys; this bounds a loop)."""

_MAX_JSON_CHARS = 64 * 1024
"""The longest JSON text read from a challenge parameter or taken as a credential."""

FirstFactor: TypeAlias = Literal["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
"""The first factors of a choice-based sign-in (``USER_AUTH``), as ``sign_in(preferred=...)``
and ``SelectChallenge.answer`` take them. As with the client's enum parameters, a misspelt name
fails type checking; wrap a name the type checker cannot know in ``UnmodeledValue(...)``: one
newer than this library, one read from ``SelectChallenge.options``, or one the user typed."""

_PASSWORD_CHOICES = ("PASSWORD", "PASSWORD_SRP")
_Flow: TypeAlias = Literal[
    "USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "ADMIN_USER_PASSWORD_AUTH"
]
"""The flows this module starts (``REFRESH_TOKEN_AUTH`` aside)."""
_CHALLENGE_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


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
    admin: bool = False
    """A server-side sign-in: answers go to AdminRespondToAuthChallenge."""
    context_data: ContextDataType | None = None
    """Threat-protection context of a server-side sign-in, sent with every admin request."""

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

    async def _respond(
        self, responses: Mapping[str, str], srp: UserSRP | None = None
    ) -> SignInStep:
        # Steps are UserPoolAuth's friends in this module; its _respond is no public API.
        auth = self._state.auth
        return await auth._respond(self._state, self.name, responses, srp)  # pyright: ignore[reportPrivateUsage]


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
class SelectChallenge(Challenge):
    """``SELECT_CHALLENGE``: a choice-based sign-in (``USER_AUTH``) asks how to sign in.

    ``options`` holds the service's ``AvailableChallenges`` for this user: ``PASSWORD``,
    ``PASSWORD_SRP``, ``EMAIL_OTP``, ``SMS_OTP``, ``WEB_AUTHN`` (passkey), or names newer
    than this library.
    """

    options: tuple[str, ...] = ()
    """The first factors the user can choose (``AvailableChallenges``)."""

    async def answer(
        self, choice: FirstFactor | UnmodeledValue, *, password: str | None = None
    ) -> SignInStep:
        """Choose how to sign in; the next step.

        ``PASSWORD`` sends the password with the choice; ``PASSWORD_SRP`` starts SRP (the
        password never leaves this process) and answers the ``PASSWORD_VERIFIER`` that
        follows by itself. ``EMAIL_OTP`` and ``SMS_OTP`` make the service send a code: the
        next step is an ``EmailOtp`` or ``SmsOtp``. ``WEB_AUTHN`` returns a
        ``WebAuthnChallenge`` for the user's passkey.

        Args:
            choice: one of ``options``: a ``FirstFactor`` such as ``"EMAIL_OTP"``, or
                ``UnmodeledValue(name)`` for a name taken from ``options`` or from the user.
            password: the user's password, for ``PASSWORD`` and ``PASSWORD_SRP`` only.

        Raises:
            ParamValidationError: ``choice`` is not among ``options``, or ``password`` is
                missing for a password choice (or given for another one). Nothing was sent.
        """
        name = str(choice)
        if self.options and name not in self.options:
            # Named only when it looks like a challenge name: never echo a misplaced secret.
            shown = repr(name) if _CHALLENGE_NAME.fullmatch(name) else "the choice"
            raise ParamValidationError(
                f"{shown} is not among the challenges the service offers: "
                f"{', '.join(self.options)}",
                path="choice",
            )
        _check_password_choice(name, password, path="password")
        responses = {"ANSWER": name}
        if name == "PASSWORD" and password is not None:
            responses["PASSWORD"] = password
        elif name == "PASSWORD_SRP" and password is not None:
            state = self._state
            srp = state.auth._user_srp(state.username, password, state.device)  # pyright: ignore[reportPrivateUsage]
            responses["SRP_A"] = (await _off_loop(srp.auth_parameters))["SRP_A"]
            return await self._respond(responses, srp)
        return await self._respond(responses)


@define(frozen=True, kw_only=True)
class WebAuthnChallenge(Challenge):
    """``WEB_AUTHN``: the user signs in with a passkey.

    Hand ``credential_request_options`` to the browser (``PublicKeyCredential.
    parseRequestOptionsFromJSON`` then ``navigator.credentials.get``) or to an authenticator,
    and pass what it returns (``credential.toJSON()``, an ``AuthenticationResponseJSON``) to
    ``answer``. The cryptography stays with the authenticator; this step carries its JSON to
    the service unchanged.
    """

    credential_request_options: Mapping[str, JSONValue] = field(
        factory=dict[str, JSONValue], repr=False
    )
    """The parsed ``CREDENTIAL_REQUEST_OPTIONS``: WebAuthn's ``PublicKeyCredentialRequestOptions``
    in their JSON form (``challenge``, ``rpId``, ``allowCredentials``, ``userVerification``,
    ``timeout``, ...)."""

    async def answer(self, credential: Mapping[str, JSONValue] | str) -> SignInStep:
        """Send the authenticator's assertion as ``CREDENTIAL``; the next step.

        Args:
            credential: the assertion as a JSON object: a mapping, or its JSON text as the
                browser serialized it.

        Raises:
            ParamValidationError: ``credential`` is not a JSON object. Nothing was sent.
        """
        return await self._respond({"CREDENTIAL": _credential_text(credential)})


@define(frozen=True, kw_only=True)
class OtherChallenge(Challenge):
    """A challenge this module has no class for (``EMAIL_MFA``, names newer than the library)."""

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
    | SelectChallenge
    | WebAuthnChallenge
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


def _json_document(text: str | None) -> dict[str, JSONValue] | None:
    """A JSON object from text; ``None`` when absent, too long, too deep or not one."""
    if not text or len(text) > _MAX_JSON_CHARS:
        return None
    try:
        value = loads(text)
    except ValueError:  # JSONNestingError included
        return None
    if not isinstance(value, dict):
        return None
    return cast("dict[str, JSONValue]", value)


def _credential_document(credential: Mapping[str, JSONValue] | str) -> dict[str, JSONValue]:
    """A WebAuthn credential (registration or assertion) as a JSON object, or a clear error."""
    if isinstance(credential, str):
        parsed = _json_document(credential)
        if parsed is None:
            raise ParamValidationError(
                f"credential must be a JSON object (at most {_MAX_JSON_CHARS} characters): "
                "the browser's credential.toJSON(), or its JSON text",
                path="credential",
            )
        return parsed
    # Callers without a type checker may pass anything.
    if not isinstance(credential, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ParamValidationError(
            f"credential must be a mapping or JSON text, not {type(credential).__name__}",
            path="credential",
        )
    return dict(credential)


def _credential_text(credential: Mapping[str, JSONValue] | str) -> str:
    """The ``CREDENTIAL`` challenge response: the assertion's JSON text."""
    if isinstance(credential, str):
        _credential_document(credential)  # checked, then sent exactly as given
        return credential
    document = _credential_document(credential)
    try:
        return json.dumps(document, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ParamValidationError(
            f"credential holds a value JSON cannot carry ({type(exc).__name__})",
            path="credential",
        ) from None


def _check_password_choice(choice: str | None, password: str | None, *, path: str) -> None:
    """A password goes with PASSWORD and PASSWORD_SRP, and only with them."""
    if choice in _PASSWORD_CHOICES:
        if not password:
            raise ParamValidationError(f"{choice} needs the user's password", path=path)
    elif password is not None:
        raise ParamValidationError(
            "a password is sent only with PASSWORD or PASSWORD_SRP"
            + ("" if choice else " as the preferred challenge (or as SelectChallenge's answer)"),
            path=path,
        )


def _attribute_list(attributes: Mapping[str, str] | None) -> list[AttributeType] | None:
    """``{"email": ...}`` as the service's ``[{"Name": ..., "Value": ...}]`` list."""
    if not attributes:
        return None
    from ..shapes import AttributeType

    return [AttributeType(name=str(name), value=str(value)) for name, value in attributes.items()]


def _metadata(client_metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    return dict(client_metadata) if client_metadata else None


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


def _step_for(
    name: str, params: dict[str, str], state: _State, available: tuple[str, ...]
) -> SignInStep:
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
    if name == "SELECT_CHALLENGE":
        return SelectChallenge(name=name, parameters=params, state=state, options=available)
    if name == "WEB_AUTHN":
        text = params.get("CREDENTIAL_REQUEST_OPTIONS")
        too_long = text is not None and len(text) > _MAX_JSON_CHARS
        request_options = None if too_long else _challenge_json("CREDENTIAL_REQUEST_OPTIONS", text)
        if not isinstance(request_options, dict):
            raise AuthFlowError(
                "WEB_AUTHN came without CREDENTIAL_REQUEST_OPTIONS as a JSON object (at most "
                f"{_MAX_JSON_CHARS} characters): there is nothing to ask the passkey"
            )
        return WebAuthnChallenge(
            name=name,
            parameters=params,
            state=state,
            credential_request_options=cast("dict[str, JSONValue]", request_options),
        )
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
        srp = self._user_srp(username, password, device)
        parameters = await _off_loop(srp.auth_parameters)
        state = self._new_state(username, device, client_metadata)
        started = await self._initiate(state, "USER_SRP_AUTH", parameters)
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
        state = self._new_state(username, device, client_metadata)
        parameters = self._parameters(state, PASSWORD=password)
        started = await self._initiate(state, "USER_PASSWORD_AUTH", parameters)
        return await self._advance(started, state, None)

    async def sign_in(
        self,
        username: str,
        *,
        preferred: FirstFactor | UnmodeledValue | None = None,
        password: str | None = None,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Choice-based sign-in (``USER_AUTH``): password, one-time code or passkey.

        Without ``preferred`` the service answers with a ``SelectChallenge`` listing the ways
        this user can sign in. With it, the service goes straight to that way when the user
        can use it (and otherwise offers the choice): ``"EMAIL_OTP"`` and ``"SMS_OTP"`` send
        a code (next step ``EmailOtp`` / ``SmsOtp``), ``"WEB_AUTHN"`` asks for a passkey
        (``WebAuthnChallenge``), ``"PASSWORD"`` sends ``password``, ``"PASSWORD_SRP"`` proves
        it with SRP. The pool must be on the Essentials tier or above and the app client must
        allow ``ALLOW_USER_AUTH``.

        Args:
            username: the name as typed: username or an alias (email, phone, ...).
            preferred: the first factor to try (``PREFERRED_CHALLENGE``), a ``FirstFactor``
                (``UnmodeledValue(name)`` for one newer than this library).
            password: the user's password, with ``preferred="PASSWORD"`` or
                ``"PASSWORD_SRP"`` only.
            device: a remembered device: sends ``DEVICE_KEY`` and answers device SRP.
            client_metadata: passed to the pool's Lambda triggers with every request.

        Returns:
            ``SignedIn``, or the step the app must answer next.

        Raises:
            ParamValidationError: ``password`` missing for a password choice, or given
                without one. Nothing was sent.
            SRPError, AuthFlowError, ServiceError: as for ``sign_in_srp``.
        """
        state = self._new_state(username, device, client_metadata)
        return await self._user_auth(state, preferred, password)

    async def admin_sign_in_password(
        self,
        username: str,
        password: str,
        *,
        context_data: ContextDataType | None = None,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Server-side sign-in (``AdminInitiateAuth`` with ``ADMIN_USER_PASSWORD_AUTH``).

        For a back end that holds AWS credentials allowed ``cognito-idp:AdminInitiateAuth``
        and ``AdminRespondToAuthChallenge`` on the pool: the requests are signed. The steps
        it returns answer through ``AdminRespondToAuthChallenge``. The app client must allow
        ``ALLOW_ADMIN_USER_PASSWORD_AUTH``.

        Args:
            username: the name as typed: username or an alias.
            password: the user's password.
            context_data: what threat protection evaluates (the user's IP address, your
                server's name and path, the request's headers, the collected
                ``EncodedData``), sent with every request of this sign-in.
            device: a remembered device: sends ``DEVICE_KEY`` and answers device SRP.
            client_metadata: passed to the pool's Lambda triggers with every request.

        Returns:
            ``SignedIn``, or the challenge the app must answer next.
        """
        state = self._new_state(
            username, device, client_metadata, admin=True, context_data=context_data
        )
        parameters = self._parameters(state, PASSWORD=password)
        started = await self._initiate(state, "ADMIN_USER_PASSWORD_AUTH", parameters)
        return await self._advance(started, state, None)

    async def admin_sign_in(
        self,
        username: str,
        *,
        preferred: FirstFactor | UnmodeledValue | None = None,
        password: str | None = None,
        context_data: ContextDataType | None = None,
        device: RememberedDevice | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Server-side choice-based sign-in (``AdminInitiateAuth`` with ``USER_AUTH``).

        ``sign_in`` through the signed admin operations: arguments as there, plus
        ``context_data`` as for ``admin_sign_in_password``. Its steps answer through
        ``AdminRespondToAuthChallenge``.
        """
        state = self._new_state(
            username, device, client_metadata, admin=True, context_data=context_data
        )
        return await self._user_auth(state, preferred, password)

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
            client_metadata=_metadata(client_metadata),
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

    # -- the account lifecycle --------------------------------------------------------------

    async def sign_up(
        self,
        username: str,
        password: str | None,
        *,
        attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResponse:
        """Register a new user (``SignUp``), with ``SECRET_HASH`` when the client has a secret.

        Args:
            username: the new user's name (or email / phone number, in pools whose users
                sign in with one).
            password: the user's password; ``None`` for a passwordless user, in pools that
                allow choice-based sign-in without a password.
            attributes: the user's attributes, ``{"email": "alice@example.com", ...}``; sent
                as the service's ``[{"Name": ..., "Value": ...}]`` list.
            client_metadata: passed to the pool's Lambda triggers.

        Returns:
            The service's answer: ``user_confirmed``, ``user_sub`` and, when a code went out,
            ``code_delivery_details``.

        Raises:
            ServiceError: e.g. ``UsernameExistsException``, ``InvalidPasswordException``.
        """
        return await self._client.sign_up(
            client_id=self._client_id,
            username=username,
            password=password,
            secret_hash=self._secret_hash_of(username),
            user_attributes=_attribute_list(attributes),
            client_metadata=_metadata(client_metadata),
        )

    async def confirm_sign_up(
        self,
        username: str,
        code: str,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ConfirmSignUpResponse:
        """Confirm a new user with the code the service sent (``ConfirmSignUp``).

        Raises:
            ServiceError: e.g. ``CodeMismatchException``, ``ExpiredCodeException``.
        """
        return await self._client.confirm_sign_up(
            client_id=self._client_id,
            username=username,
            confirmation_code=code,
            secret_hash=self._secret_hash_of(username),
            client_metadata=_metadata(client_metadata),
        )

    async def resend_confirmation_code(
        self,
        username: str,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ResendConfirmationCodeResponse:
        """Send a new sign-up confirmation code (``ResendConfirmationCode``).

        Returns:
            The answer; ``code_delivery_details`` says where the code went (masked).
        """
        return await self._client.resend_confirmation_code(
            client_id=self._client_id,
            username=username,
            secret_hash=self._secret_hash_of(username),
            client_metadata=_metadata(client_metadata),
        )

    async def forgot_password(
        self,
        username: str,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ForgotPasswordResponse:
        """Start a password reset: the service sends the user a code (``ForgotPassword``).

        Returns:
            The answer; ``code_delivery_details`` says where the code went (masked).
        """
        return await self._client.forgot_password(
            client_id=self._client_id,
            username=username,
            secret_hash=self._secret_hash_of(username),
            client_metadata=_metadata(client_metadata),
        )

    async def confirm_forgot_password(
        self,
        username: str,
        code: str,
        new_password: str,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ConfirmForgotPasswordResponse:
        """Finish a password reset with the code and the new password (``ConfirmForgotPassword``).

        Raises:
            ServiceError: e.g. ``CodeMismatchException``, ``ExpiredCodeException``,
                ``InvalidPasswordException``.
        """
        return await self._client.confirm_forgot_password(
            client_id=self._client_id,
            username=username,
            confirmation_code=code,
            password=new_password,
            secret_hash=self._secret_hash_of(username),
            client_metadata=_metadata(client_metadata),
        )

    # -- passkeys -----------------------------------------------------------------------------

    async def start_passkey_registration(self, access_token: str) -> dict[str, JSONValue]:
        """Ask the service how to make a passkey for the signed-in user.

        ``StartWebAuthnRegistration``: the result is WebAuthn's
        ``PublicKeyCredentialCreationOptions`` in their JSON form; hand them to the browser
        (``PublicKeyCredential.parseCreationOptionsFromJSON`` then
        ``navigator.credentials.create``) or to an authenticator, then pass what it returns
        to ``complete_passkey_registration``.

        Args:
            access_token: the signed-in user's access token.

        Raises:
            AuthFlowError: the service answered no JSON object.
            ServiceError: e.g. ``WebAuthnNotEnabledException``.
        """
        started = await self._client.start_web_authn_registration(access_token=access_token)
        options = started.credential_creation_options
        if not isinstance(options, dict):
            raise AuthFlowError(
                "StartWebAuthnRegistration answered no credential creation options (a JSON "
                f"object), but {type(options).__name__}"
            )
        return options

    async def complete_passkey_registration(
        self, access_token: str, credential: Mapping[str, JSONValue] | str
    ) -> None:
        """Register the passkey the authenticator made (``CompleteWebAuthnRegistration``).

        Args:
            access_token: the signed-in user's access token.
            credential: the authenticator's answer (``RegistrationResponseJSON``, the
                browser's ``credential.toJSON()``): a mapping or its JSON text.

        Raises:
            ParamValidationError: ``credential`` is not a JSON object. Nothing was sent.
            ServiceError: e.g. ``WebAuthnChallengeNotFoundException``,
                ``WebAuthnOriginNotAllowedException``.
        """
        await self._client.complete_web_authn_registration(
            access_token=access_token, credential=_credential_document(credential)
        )

    async def list_passkeys(self, access_token: str) -> list[WebAuthnCredentialDescription]:
        """Every passkey of the signed-in user (``ListWebAuthnCredentials``, all pages)."""
        found: list[WebAuthnCredentialDescription] = []
        token: str | None = None
        for _ in range(_MAX_LISTED_PAGES):
            page = await self._client.list_web_authn_credentials(
                access_token=access_token, next_token=token
            )
            found.extend(page.credentials or ())
            if not page.next_token or page.next_token == token:
                return found
            token = page.next_token
        raise AuthFlowError(
            f"ListWebAuthnCredentials still had more after {_MAX_LISTED_PAGES} pages"
        )

    async def delete_passkey(self, access_token: str, credential_id: str) -> None:
        """Delete one of the signed-in user's passkeys (``DeleteWebAuthnCredential``).

        Args:
            access_token: the signed-in user's access token.
            credential_id: the passkey's ``credential_id`` (from ``list_passkeys``).
        """
        await self._client.delete_web_authn_credential(
            access_token=access_token, credential_id=credential_id
        )

    # -- the challenge loop -------------------------------------------------------------------

    def _new_state(
        self,
        username: str,
        device: RememberedDevice | None,
        client_metadata: Mapping[str, str] | None,
        *,
        admin: bool = False,
        context_data: ContextDataType | None = None,
    ) -> _State:
        return _State(
            auth=self,
            username=username,
            session=None,
            device=device,
            client_metadata=_metadata(client_metadata),
            admin=admin,
            context_data=context_data,
        )

    def _secret_hash_of(self, username: str) -> str | None:
        if self._client_secret is None:
            return None
        return secret_hash(username, self._client_id, self._client_secret)

    def _add_secret_hash(self, parameters: dict[str, str]) -> dict[str, str]:
        if self._client_secret is not None and "USERNAME" in parameters:
            parameters["SECRET_HASH"] = secret_hash(
                parameters["USERNAME"], self._client_id, self._client_secret
            )
        return parameters

    def _parameters(self, state: _State, **more: str) -> dict[str, str]:
        """``AuthParameters``: USERNAME, ``more``, DEVICE_KEY and SECRET_HASH where due."""
        parameters = {"USERNAME": state.username, **more}
        if state.device is not None:
            parameters["DEVICE_KEY"] = state.device.device_key
        return self._add_secret_hash(parameters)

    def _user_srp(self, username: str, password: str, device: RememberedDevice | None) -> UserSRP:
        return UserSRP(
            self._user_pool_id,
            username,
            password,
            client_id=self._client_id,
            client_secret=self._client_secret,
            device_key=device.device_key if device else None,
        )

    async def _user_auth(
        self, state: _State, preferred: FirstFactor | UnmodeledValue | None, password: str | None
    ) -> SignInStep:
        """Start ``USER_AUTH`` with an optional preferred first factor."""
        choice = None if preferred is None else str(preferred)
        _check_password_choice(choice, password, path="password")
        srp: UserSRP | None = None
        if choice == "PASSWORD_SRP" and password is not None:
            srp = self._user_srp(state.username, password, state.device)
            parameters = await _off_loop(srp.auth_parameters)
        elif choice == "PASSWORD" and password is not None:
            parameters = self._parameters(state, PASSWORD=password)
        else:
            parameters = self._parameters(state)
        if choice is not None:
            parameters["PREFERRED_CHALLENGE"] = choice
        started = await self._initiate(state, "USER_AUTH", parameters)
        return await self._advance(started, state, srp)

    async def _initiate(
        self, state: _State, flow: _Flow, parameters: dict[str, str]
    ) -> _AuthAnswer:
        logger.debug("sign-in: %s%s", "admin " if state.admin else "", flow)
        if state.admin:
            return await self._client.admin_initiate_auth(
                user_pool_id=self._user_pool_id,
                client_id=self._client_id,
                auth_flow=flow,
                auth_parameters=parameters,
                client_metadata=state.client_metadata,
                context_data=state.context_data,
            )
        return await self._client.initiate_auth(
            auth_flow=flow,
            client_id=self._client_id,
            auth_parameters=parameters,
            client_metadata=state.client_metadata,
        )

    async def _answer(
        self, state: _State, challenge_name: str, responses: Mapping[str, str]
    ) -> _AuthAnswer:
        """One challenge answer, through the admin operation for a server-side sign-in."""
        if state.admin:
            return await self._client.admin_respond_to_auth_challenge(
                user_pool_id=self._user_pool_id,
                client_id=self._client_id,
                # The name the service asked, sent back: it may be newer than the model.
                challenge_name=UnmodeledValue(challenge_name),
                challenge_responses=responses,
                session=state.session,
                context_data=state.context_data,
                client_metadata=state.client_metadata,
            )
        return await self._client.respond_to_auth_challenge(
            client_id=self._client_id,
            challenge_name=UnmodeledValue(challenge_name),
            session=state.session,
            challenge_responses=responses,
            client_metadata=state.client_metadata,
        )

    async def _respond(
        self,
        state: _State,
        challenge_name: str,
        responses: Mapping[str, str],
        srp: UserSRP | None = None,
    ) -> SignInStep:
        """Answer a challenge the app handled; USERNAME, DEVICE_KEY and SECRET_HASH added."""
        complete = {"USERNAME": state.username, **responses}
        if state.device is not None:
            complete.setdefault("DEVICE_KEY", state.device.device_key)
        self._add_secret_hash(complete)
        logger.debug("sign-in: answering %s", challenge_name)
        answered = await self._answer(state, challenge_name, complete)
        return await self._advance(answered, state, srp)

    async def _advance(
        self,
        response: _AuthAnswer,
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
                available = tuple(str(item) for item in response.available_challenges or ())
                return _step_for(name, params, state, available)
            response = await self._answer(state, name, responses)
        raise AuthFlowError(
            f"the service asked more than {_MAX_AUTOMATIC_STEPS} automatic challenges in a row"
        )
