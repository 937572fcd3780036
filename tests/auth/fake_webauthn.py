"""The relying party's side of passkeys, as the Cognito stand-in plays it.

Written from the W3C WebAuthn Level 2 spec (sections 7.1, registering a credential, and 7.2,
verifying an assertion) and independent of the software authenticator in
``tests/auth/webauthn.py``: it decodes CBOR itself, rebuilds the P-256 public key from the
COSE key, and checks what a relying party checks: the client data's type, challenge and
origin, the RP id hash, the user-present and user-verified flags, the signature over
``authenticatorData || SHA-256(clientDataJSON)``, and a signature counter that must go up.
Each refusal raises ``Refused`` with the error code Cognito's API reference lists for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64url(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise Refused("InvalidParameterException", f"{what} is not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raise Refused("InvalidParameterException", f"{what} is not base64url") from None


def cbor_decode(data: bytes, offset: int = 0) -> tuple[Any, int]:
    """One CBOR item (definite lengths only) from ``data`` at ``offset``: (value, next offset)."""
    if offset >= len(data):
        raise ValueError("CBOR ended early")
    initial = data[offset]
    major, info = initial >> 5, initial & 0x1F
    offset += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if offset + size > len(data):
            raise ValueError("CBOR ended early")
        n = int.from_bytes(data[offset : offset + size], "big")
        offset += size
    else:
        raise ValueError("indefinite or reserved CBOR length")
    if major == 0:
        return n, offset
    if major == 1:
        return -1 - n, offset
    if major in (2, 3):
        if offset + n > len(data):
            raise ValueError("CBOR string runs past the end")
        chunk = data[offset : offset + n]
        return (chunk if major == 2 else chunk.decode()), offset + n
    if major == 4:
        items = []
        for _ in range(n):
            item, offset = cbor_decode(data, offset)
            items.append(item)
        return items, offset
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, offset = cbor_decode(data, offset)
            mapping[key], offset = cbor_decode(data, offset)
        return mapping, offset
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], offset
    raise ValueError(f"unsupported CBOR major type {major}")


@dataclass
class Passkey:
    credential_id: bytes
    public_key: ec.EllipticCurvePublicKey
    transports: list[str]
    created_at: float
    sign_count: int = 0
    attachment: str | None = None
    name: str = "passkey"


@dataclass
class RelyingParty:
    rp_id: str
    origins: tuple[str, ...]
    user_verification: str = "required"
    uses: list[str] = field(default_factory=list)

    def _client_data(self, response: dict[str, Any], kind: str, challenge: bytes) -> bytes:
        raw = unb64url(response.get("clientDataJSON"), "clientDataJSON")
        try:
            data = json.loads(raw)
        except ValueError:
            raise Refused("InvalidParameterException", "clientDataJSON is not JSON") from None
        if not isinstance(data, dict) or data.get("type") != kind:
            raise Refused("InvalidParameterException", f"clientDataJSON is not a {kind}")
        if data.get("challenge") != b64url(challenge):
            raise Refused("WebAuthnChallengeNotFoundException", "unknown challenge")
        if data.get("origin") not in self.origins:
            raise Refused("WebAuthnOriginNotAllowedException", "origin not allowed")
        return raw

    def _check_auth_data(self, auth_data: bytes) -> int:
        if len(auth_data) < 37:
            raise Refused("InvalidParameterException", "authenticatorData is too short")
        if auth_data[:32] != hashlib.sha256(self.rp_id.encode()).digest():
            raise Refused("WebAuthnRelyingPartyMismatchException", "RP id hash mismatch")
        flags = auth_data[32]
        if not flags & FLAG_UP:
            raise Refused("NotAuthorizedException", "user not present")
        if self.user_verification == "required" and not flags & FLAG_UV:
            raise Refused("NotAuthorizedException", "user not verified")
        return flags

    @staticmethod
    def _credential(document: object) -> tuple[bytes, dict[str, Any]]:
        if not isinstance(document, dict) or document.get("type") != "public-key":
            raise Refused("InvalidParameterException", "not a public-key credential")
        response = document.get("response")
        if not isinstance(response, dict):
            raise Refused("InvalidParameterException", "credential has no response")
        raw_id = unb64url(document.get("rawId"), "rawId")
        if unb64url(document.get("id"), "id") != raw_id:
            raise Refused("InvalidParameterException", "id and rawId differ")
        return raw_id, response

    def register(self, document: object, challenge: bytes, now: float) -> Passkey:
        """WebAuthn 7.1: a new credential from a RegistrationResponseJSON."""
        raw_id, response = self._credential(document)
        self._client_data(response, "webauthn.create", challenge)
        try:
            attestation, _ = cbor_decode(unb64url(response.get("attestationObject"), "attObj"))
        except (ValueError, UnicodeDecodeError):
            raise Refused("InvalidParameterException", "attestationObject is not CBOR") from None
        if not isinstance(attestation, dict) or attestation.get("fmt") != "none":
            raise Refused("WebAuthnCredentialNotSupportedException", "attestation not supported")
        auth_data = attestation.get("authData")
        if not isinstance(auth_data, bytes):
            raise Refused("InvalidParameterException", "no authData")
        flags = self._check_auth_data(auth_data)
        if not flags & FLAG_AT or len(auth_data) < 55:
            raise Refused("InvalidParameterException", "no attested credential data")
        id_length = int.from_bytes(auth_data[53:55], "big")
        credential_id = auth_data[55 : 55 + id_length]
        if credential_id != raw_id:
            raise Refused("InvalidParameterException", "credential id mismatch")
        try:
            cose, _ = cbor_decode(auth_data, 55 + id_length)
        except (ValueError, UnicodeDecodeError):
            raise Refused(
                "InvalidParameterException", "credential public key is not CBOR"
            ) from None
        if not isinstance(cose, dict) or (cose.get(1), cose.get(3), cose.get(-1)) != (2, -7, 1):
            raise Refused("WebAuthnCredentialNotSupportedException", "only ES256 P-256 keys")
        x, y = cose.get(-2), cose.get(-3)
        if not isinstance(x, bytes) or not isinstance(y, bytes):
            raise Refused("InvalidParameterException", "malformed COSE key")
        try:
            key = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            ).public_key()
        except ValueError:
            raise Refused("InvalidParameterException", "COSE key is not on P-256") from None
        transports = response.get("transports")
        return Passkey(
            credential_id=credential_id,
            public_key=key,
            transports=[str(t) for t in transports] if isinstance(transports, list) else [],
            created_at=now,
            sign_count=int.from_bytes(auth_data[33:37], "big"),
            attachment=document.get("authenticatorAttachment"),
        )

    def verify(self, document: object, challenge: bytes, passkeys: list[Passkey]) -> Passkey:
        """WebAuthn 7.2: check an AuthenticationResponseJSON against the user's passkeys."""
        raw_id, response = self._credential(document)
        passkey = next((p for p in passkeys if p.credential_id == raw_id), None)
        if passkey is None:
            raise Refused("NotAuthorizedException", "unknown passkey")
        client_data = self._client_data(response, "webauthn.get", challenge)
        auth_data = unb64url(response.get("authenticatorData"), "authenticatorData")
        self._check_auth_data(auth_data)
        signature = unb64url(response.get("signature"), "signature")
        signed = auth_data + hashlib.sha256(client_data).digest()
        try:
            passkey.public_key.verify(signature, signed, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused("NotAuthorizedException", "passkey signature mismatch") from None
        count = int.from_bytes(auth_data[33:37], "big")
        if (count or passkey.sign_count) and count <= passkey.sign_count:
            raise Refused("NotAuthorizedException", "signature counter did not go up (cloned?)")
        passkey.sign_count = count
        return passkey
