"""What stays out of the generated shapes' ``repr``: decided here, once.

A field is redacted (``repr`` shows ``<redacted>``) when the model marks its member, its shape
or what its list or map holds ``sensitive`` (passwords, tokens, secret hashes), and when it is
a secret in practice although the model does not say so, by the names below. In a map of
strings that is not redacted whole, the values under ``SECRET_MAP_KEYS`` are redacted and the
rest shown, so ``repr`` of a challenge still says which challenge it is.

Exceptions need nothing here: the ``str`` and ``repr`` of a ``ServiceError`` show its code,
message, HTTP status and request id, never a member the model adds to an error shape (those
are attributes, read on purpose), whether the model marks it sensitive or not.

The names are the model's (wire names of members and shapes, keys as the service sends them).
Adding one here redacts it everywhere on the next ``nox -s generate``.
"""

from __future__ import annotations

SECRET_SHAPES: frozenset[str] = frozenset(
    {
        # Codes the service sends by email or SMS: whoever reads one from a log can confirm
        # the account, reset its password (ConfirmForgotPassword) or verify an attribute.
        "ConfirmationCodeType",
    }
)
"""Shapes whose every value is a secret."""

SECRET_MEMBERS: frozenset[str] = frozenset(
    {
        "ConfirmationCode",  # as SECRET_SHAPES: a confirmation code, whatever its shape
        # ConfirmDevice's DeviceSecretVerifierConfig: the SRP verifier of the device's
        # password and its salt; with both, the device password can be attacked offline.
        "PasswordVerifier",
        "Salt",
        # ContextData's HttpHeaders (AdminInitiateAuth, AdminRespondToAuthChallenge): the
        # headers of the user's own request to your app, Cookie and Authorization among them.
        # Each header's name stays shown, so a repr still says which headers were sent.
        "headerValue",
    }
)
"""Members (by wire name, in any structure) whose value is a secret."""

SECRET_MAP_KEYS: tuple[str, ...] = (
    # SRP (USER_SRP_AUTH, DEVICE_SRP_AUTH) in ChallengeParameters and ChallengeResponses: the
    # service's ephemeral value and salt, its secret block, and the client's A and proof. A
    # log that holds a session's SRP_B, SALT and SECRET_BLOCK holds what an offline attack
    # on the password needs.
    "SRP_A",
    "SRP_B",
    "SALT",
    "SECRET_BLOCK",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "PASSWORD_CLAIM_SIGNATURE",
    # What AuthParameters and ChallengeResponses carry (the model marks those maps sensitive
    # whole; these keys keep them out of any map of strings that is not).
    "PASSWORD",
    "NEW_PASSWORD",
    "SECRET_HASH",
    "REFRESH_TOKEN",
    "ANSWER",
    "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE",
    "SMS_OTP_CODE",
    # An identity provider's ProviderDetails (OIDC, Google, Facebook, Sign in with Apple).
    "client_secret",
    "private_key",
)
"""Keys of a map of strings whose values are secrets."""


def is_secret(member_wire_name: str, shape_name: str) -> bool:
    """Whether a member is a secret in practice, by its name or its shape's."""
    return member_wire_name in SECRET_MEMBERS or shape_name in SECRET_SHAPES
