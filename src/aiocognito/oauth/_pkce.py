"""PKCE (RFC 7636) for the authorization code grant: a verifier and its S256 challenge."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Literal, cast

from attrs import define, field

from .._core.errors import ParamValidationError
from .._core.types import redact

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
"""RFC 7636 section 4.1: 43 to 128 characters of ``[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"``."""


def s256(verifier: str) -> str:
    """The S256 challenge of ``verifier``: ``BASE64URL(SHA256(ASCII(verifier)))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@define(frozen=True, kw_only=True)
class PKCE:
    """A PKCE pair: send ``challenge`` to the authorize endpoint, keep ``verifier`` for the
    token endpoint (in the user's server-side session, never in the browser or a log).

    Cognito supports only the ``S256`` method, so that is the only one made here.
    """

    verifier: str = field(repr=redact)
    """The secret: a random string of 43 to 128 URL-safe characters (``repr`` hides it)."""
    challenge: str
    """``BASE64URL(SHA256(verifier))``, sent as ``code_challenge``."""
    method: Literal["S256"] = "S256"
    """Sent as ``code_challenge_method``."""

    @classmethod
    def from_verifier(cls, verifier: str) -> PKCE:
        """The pair for a verifier kept from earlier (e.g. read back from a session).

        Raises:
            ParamValidationError: the verifier is not 43 to 128 RFC 7636 characters.
        """
        if not isinstance(cast(object, verifier), str) or not _VERIFIER.fullmatch(verifier):
            raise ParamValidationError(
                "a PKCE verifier is 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'",
                path="verifier",
            )
        return cls(verifier=verifier, challenge=s256(verifier))


def new_pkce() -> PKCE:
    """A fresh PKCE pair: 64 random bytes (``secrets``) as an 86-character verifier, and its
    S256 challenge."""
    return PKCE.from_verifier(secrets.token_urlsafe(64))
