"""Sign-in helpers (SECRET_HASH, Cognito's SRP, challenge flows), sessions and token checks.

```python
from aiocognito import CognitoIdentityProviderClient
from aiocognito.auth import NewPasswordRequired, SignedIn, UserPoolAuth

async with CognitoIdentityProviderClient(region="eu-west-1") as client:
    auth = UserPoolAuth(client, "eu-west-1_Ab3dEf", client_id, client_secret)
    step = await auth.sign_in_srp("alice", password)
    if isinstance(step, NewPasswordRequired):
        step = await step.answer(new_password=new_password)
    assert isinstance(step, SignedIn)
    session = TokenSession(auth, step)          # refreshes before expiry
    token = await session.access_token()

verifier = TokenVerifier("eu-west-1_Ab3dEf", client_id=client_id)  # pip install 'aiocognito[jwt]'
claims = await verifier.verify(token)
```

Errors added here, all ``CognitoError``s: ``SRPError`` (the service's SRP values are malformed
or unsafe; nothing was answered), ``AuthFlowError`` (an answer the flow cannot act on),
``SessionExpiredError`` (a ``TokenSession`` can give no more tokens), ``TokenError`` and its
subclasses (``TokenVerifier`` refused a token) and ``JwksError`` (the pool's keys could not be
fetched or read). The whole tree is written once, in docs/guide/errors.md.

The service's own refusals (wrong password, wrong code) stay the client's ``ServiceError``
subclasses, e.g. ``aiocognito.errors.NotAuthorizedException``. No ``repr``, message or log line
of this package shows a password, token, session, device password, secret or SRP private value.
"""

from __future__ import annotations

from .flows import (
    AuthFlowError,
    Challenge,
    CustomChallenge,
    EmailOtp,
    FirstFactor,
    MfaSetup,
    NewPasswordRequired,
    OtherChallenge,
    RememberedDevice,
    SelectChallenge,
    SelectMfaType,
    SignedIn,
    SignInStep,
    SmsMfa,
    SmsOtp,
    SoftwareTokenMfa,
    SoftwareTokenSetup,
    UserPoolAuth,
    WebAuthnChallenge,
)
from .secret_hash import secret_hash
from .session import SessionExpiredError, TokenSession
from .srp import DeviceSRP, SRPError, UserSRP, new_device_verifier, timestamp
from .tokens import (
    JwksError,
    TokenClaimError,
    TokenClaims,
    TokenError,
    TokenExpiredError,
    TokenMalformedError,
    TokenNotYetValidError,
    TokenSignatureError,
    TokenVerifier,
)

__all__ = [
    "AuthFlowError",
    "Challenge",
    "CustomChallenge",
    "DeviceSRP",
    "EmailOtp",
    "FirstFactor",
    "JwksError",
    "MfaSetup",
    "NewPasswordRequired",
    "OtherChallenge",
    "RememberedDevice",
    "SRPError",
    "SelectChallenge",
    "SelectMfaType",
    "SessionExpiredError",
    "SignInStep",
    "SignedIn",
    "SmsMfa",
    "SmsOtp",
    "SoftwareTokenMfa",
    "SoftwareTokenSetup",
    "TokenClaimError",
    "TokenClaims",
    "TokenError",
    "TokenExpiredError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenSession",
    "TokenSignatureError",
    "TokenVerifier",
    "UserPoolAuth",
    "UserSRP",
    "WebAuthnChallenge",
    "new_device_verifier",
    "secret_hash",
    "timestamp",
]
