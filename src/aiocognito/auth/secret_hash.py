"""``SECRET_HASH``: what an app client with a client secret adds to every auth request."""

from __future__ import annotations

import base64
import hashlib
import hmac

from .._core.validate import utf8

__all__ = ["secret_hash"]


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """The ``SECRET_HASH`` of a request made by an app client that has a client secret.

    ``base64(HMAC_SHA256(key=client_secret, msg=username + client_id))``, over the username
    *that request* carries: the name as typed in InitiateAuth, the ``USERNAME`` (or
    ``USER_ID_FOR_SRP``) the service returned in the challenge responses after it.

    Args:
        username: the ``USERNAME`` the same request sends.
        client_id: the app client id.
        client_secret: the app client's secret.

    Returns:
        The base64 text to send as ``SECRET_HASH``.

    Raises:
        ParamValidationError: a value holds a lone surrogate (it has no UTF-8 form).
    """
    message = utf8(username, "username") + utf8(client_id, "client_id")
    digest = hmac.new(utf8(client_secret, "client_secret"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
