"""A WebAuthn authenticator in software, for the passkey tests: the browser's side of a passkey.

It does what a platform authenticator and the browser do together, written from the W3C
WebAuthn Level 2 spec: ``create`` answers ``PublicKeyCredentialCreationOptions`` (JSON form)
with a ``RegistrationResponseJSON`` (a new P-256 key, "none" attestation, the COSE public key
in CBOR), and ``get`` answers ``PublicKeyCredentialRequestOptions`` with an
``AuthenticationResponseJSON`` (an ECDSA signature over authenticator data and the hash of
the client data, with a counter that goes up). Keys come from ``cryptography``; nothing here
imports aiocognito or the stand-in's verifier (``tests/auth/fake_webauthn.py``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ES256 = -7
FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_AT = 0x40  # attested credential data included


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor(value: Any) -> bytes:
    """RFC 8949 encoding of ints, byte and text strings, lists and maps (what WebAuthn needs)."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | info]) + n.to_bytes(size, "big")
        raise ValueError("integer too large for CBOR")

    if isinstance(value, bool) or value is None:
        return bytes([0xF5 if value is True else 0xF4 if value is False else 0xF6])
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(item) for item in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


@dataclass
class _Credential:
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


class SoftwareAuthenticator:
    """A passkey provider for one origin (the web page that calls ``navigator.credentials``)."""

    def __init__(self, origin: str, *, user_verification: bool = True) -> None:
        self.origin = origin
        self.user_verification = user_verification
        self.credentials: dict[bytes, _Credential] = {}

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    def _flags(self, extra: int = 0) -> int:
        return FLAG_UP | (FLAG_UV if self.user_verification else 0) | extra

    def create(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``navigator.credentials.create({publicKey})`` then ``credential.toJSON()``."""
        algorithms = [p.get("alg") for p in options.get("pubKeyCredParams", [])]
        if ES256 not in algorithms:
            raise ValueError("the relying party does not accept ES256")
        rp_id: str = options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = secrets.token_bytes(16)
        numbers = key.public_key().public_numbers()
        cose_key = cbor(
            {
                1: 2,
                3: ES256,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(FLAG_AT)])
            + struct.pack(">I", 0)
            + bytes(16)  # AAGUID: none
            + struct.pack(">H", len(credential_id))
            + credential_id
            + cose_key
        )
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        self.credentials[credential_id] = _Credential(
            key=key, rp_id=rp_id, user_handle=unb64url(options["user"]["id"])
        )
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "id": b64url(credential_id),
            "rawId": b64url(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": ES256,
                "publicKey": b64url(spki),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``navigator.credentials.get({publicKey})`` then ``credential.toJSON()``."""
        rp_id: str = options["rpId"]
        allowed = {unb64url(item["id"]) for item in options.get("allowCredentials") or []}
        for credential_id, credential in self.credentials.items():
            if credential.rp_id == rp_id and (not allowed or credential_id in allowed):
                break
        else:
            raise LookupError("no passkey for this relying party")
        credential.sign_count += 1
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", credential.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = credential.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential_id),
            "rawId": b64url(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
