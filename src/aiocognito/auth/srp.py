"""Cognito's SRP-6a, client side: USER_SRP_AUTH, DEVICE_SRP_AUTH and device verifiers.

What each step computes, and why, is written up in the documentation's page "How Cognito's
SRP works" (``docs/srp.md`` in the repository); in short, with ``enc(n)`` the shortest
big-endian two's-complement bytes of ``n`` (Java's ``BigInteger.toByteArray()``), ``H`` SHA-256
and ``N``/``g`` the 3072-bit group of RFC 3526:

```
k = H(enc(N) || enc(g))                 A = g^a mod N         (a: 128 random bytes)
u = H(enc(A) || enc(B))                 x = H(enc(salt) || H(realm + user + ":" + password))
S = (B - k * g^x) ^ (a + u*x) mod N     K = HKDF(salt=enc(u), ikm=enc(S), "Caldera Derived Key")[:16]
signature = HMAC(K, realm || user || secret_block || TIMESTAMP)
```

where ``realm`` is the pool name (the user pool id after its ``_``) for a user and the device
group key for a device. Everything here is synchronous and pure: the objects build the
``AuthParameters`` and ``ChallengeResponses`` maps, ``aiocognito.auth.flows`` sends them.

Big numbers use ``gmpy2`` when it is installed (``pip install "aiocognito[speedups]"``, about
an order of magnitude faster), Python integers otherwise. Either way the modular
exponentiations are written so that a worker thread running them lets the event loop's thread
run: gmpy2 is asked to release the GIL, and the pure-Python path multiplies window by window
instead of making one long ``pow()`` call that holds the GIL from start to end.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import importlib
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .._core.errors import CognitoError, ParamValidationError
from .._core.types import REDACTED
from .._core.validate import utf8
from .secret_hash import secret_hash

if TYPE_CHECKING:
    from ..shapes import DeviceSecretVerifierConfigType

__all__ = [
    "G",
    "K",
    "N",
    "DeviceSRP",
    "SRPError",
    "UserSRP",
    "backend",
    "enc",
    "new_device_verifier",
    "parse_hex",
    "timestamp",
]


class SRPError(CognitoError, ValueError):
    """The service sent SRP values that are malformed or unsafe; nothing was sent in reply.

    Raised for ``SRP_B`` that is 0 modulo N, a scrambling parameter ``u`` of 0, ``SALT`` or
    ``SRP_B`` that is not hexadecimal, a ``SECRET_BLOCK`` that is not base64, or a missing
    challenge parameter. The message names the parameter, never its value or any secret.
    """


# -- the group ------------------------------------------------------------------------------

_N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E34"
    "04DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6"
    "F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A6916"
    "3FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C"
    "32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA95"
    "6AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA7157"
    "5D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D876"
    "02733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E"
    "4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: Final[int] = int(_N_HEX, 16)
"""The 3072-bit MODP prime of RFC 3526 (group 15)."""
G: Final[int] = 2
"""The generator."""

_INFO: Final = b"Caldera Derived Key\x01"
_SMALL_A_BYTES: Final = 128


def enc(n: int) -> bytes:
    """The shortest big-endian two's-complement bytes of ``n``, with room for the sign bit.

    Java's ``BigInteger.toByteArray()``: ``0 -> 00``, ``0x7f -> 7f``, ``0x80 -> 00 80``,
    ``-0x80 -> 80``, ``-0x81 -> ff 7f``. Every integer that SRP hashes is encoded this way.
    """
    bits = n.bit_length() if n >= 0 else (~n).bit_length()
    return n.to_bytes(bits // 8 + 1, "big", signed=True)


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _hash_int(data: bytes) -> int:
    return int.from_bytes(_hash(data), "big")


K: Final[int] = _hash_int(enc(N) + enc(G))
"""The SRP-6a multiplier ``k = H(enc(N) || enc(g))`` (not RFC 5054's padded form)."""


# -- modular exponentiation ------------------------------------------------------------------

_WINDOW: Final = 5


def _python_powmod(base: int, exponent: int, modulus: int) -> int:
    """``pow(base, exponent, modulus)`` as a fixed-window loop of Python multiplications.

    As fast as the built-in (which also uses 5-bit windows: measured within 5% for a 1024-bit
    exponent), but the interpreter can hand the GIL to another thread between two
    multiplications, so a worker thread running this stalls the event loop for at most about
    one switch interval (5 ms), where a single ``pow()`` call holds the GIL for all its
    25-40 ms.
    """
    base %= modulus
    if exponent <= 0:
        if exponent == 0:
            return 1 % modulus
        raise ValueError("negative exponent")
    size = 1 << _WINDOW
    table = [1, base]
    for _ in range(size - 2):
        table.append(table[-1] * base % modulus)
    bits = format(exponent, "b")
    bits = "0" * (-len(bits) % _WINDOW) + bits
    result = table[int(bits[:_WINDOW], 2)]
    for start in range(_WINDOW, len(bits), _WINDOW):
        for _ in range(_WINDOW):
            result = result * result % modulus
        digit = int(bits[start : start + _WINDOW], 2)
        if digit:
            result = result * table[digit] % modulus
    return result


def _load_gmpy2() -> Any | None:
    try:
        return importlib.import_module("gmpy2")
    except ImportError:
        return None


def _gmpy2_powmod_using(gmpy2: Any) -> Callable[[int, int, int], int]:
    def powmod(base: int, exponent: int, modulus: int) -> int:
        # The context is per thread: asking for the GIL to be released here leaves the
        # caller's own gmpy2 settings alone.
        with gmpy2.context(gmpy2.get_context(), allow_release_gil=True):
            return int(gmpy2.powmod(base % modulus, exponent, modulus))

    return powmod


class _Math:
    """The modular exponentiation in use (switchable for benchmarks and tests)."""

    __slots__ = ("name", "powmod")

    def __init__(self, name: str) -> None:
        if name == "python":
            self.powmod: Callable[[int, int, int], int] = _python_powmod
        elif name == "gmpy2":
            gmpy2 = _load_gmpy2()
            if gmpy2 is None:
                raise RuntimeError("gmpy2 is not installed")
            self.powmod = _gmpy2_powmod_using(gmpy2)
        else:
            raise ValueError(f"unknown backend {name!r}")
        self.name = name


# Chosen on first use, so that importing aiocognito.auth does not pay for importing gmpy2.
_math: list[_Math] = []


def _current() -> _Math:
    if not _math:
        _math.append(_Math("gmpy2" if _load_gmpy2() is not None else "python"))
    return _math[0]


def _powmod(base: int, exponent: int, modulus: int) -> int:
    return _current().powmod(base, exponent, modulus)


def backend() -> str:
    """Which big-number implementation is in use: ``"gmpy2"`` or ``"python"``."""
    return _current().name


# Called only from tests and benchmarks, never from this module.
def _use_backend(name: str) -> None:  # pyright: ignore[reportUnusedFunction]
    """Switch the big-number implementation (``"gmpy2"`` or ``"python"``): benchmarks, tests."""
    math = _Math(name)
    _math[:] = [math]


# -- text formats ------------------------------------------------------------------------------

_HEX = re.compile(r"-?[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def parse_hex(text: str) -> int:
    """A signed hexadecimal integer as Cognito sends ``SALT`` and ``SRP_B``.

    A leading ``-`` is allowed (Cognito has been seen to send negative salts); leading zeros are
    dropped by the parse. Anything else that Python's ``int(text, 16)`` would let through
    (``0x``, ``+``, ``_``, spaces) is refused.

    Raises:
        ValueError: ``text`` is not a signed hexadecimal number.
    """
    if not _HEX.fullmatch(text):
        raise ValueError("not a hexadecimal number")
    return int(text, 16)


def _decode_secret_block(text: str) -> bytes:
    # AWS's JavaScript SDK decodes SECRET_BLOCK with Node's base64, which also takes the
    # URL-safe alphabet and missing padding; so do we (moto, for one, sends a UUID there).
    # Anything else is refused.
    if not _BASE64.fullmatch(text):
        raise ValueError("not base64")
    body = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(body) % 4 == 1:
        raise ValueError("not base64: impossible length")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error as exc:  # pragma: no cover - the checks above leave none
        raise ValueError("not base64") from exc


def timestamp(when: datetime) -> str:
    """The ``TIMESTAMP`` text of a password claim: ``"Tue Nov 3 07:01:05 UTC 2026"``.

    UTC, English day and month names from a table (never the process locale), day of month
    without zero padding. A naive ``when`` is taken to be UTC already.
    """
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return (
        f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} UTC {when.year}"
    )


def _pool_name(user_pool_id: str) -> str:
    _, sep, name = user_pool_id.partition("_")
    if not sep or not name:
        raise ParamValidationError(
            "user_pool_id must look like REGION_NAME (e.g. us-east-1_Ab3dEf)", path="user_pool_id"
        )
    return name


# -- the math -----------------------------------------------------------------------------------


def _x(salt: int, realm: str, user: str, password: str) -> int:
    # Each part on its own: an encoding error over the whole would quote the password.
    inner = _hash(
        utf8(realm, "user_pool_id") + utf8(user, "username") + b":" + utf8(password, "password")
    )
    return _hash_int(enc(salt) + inner)


def _derive_key(u: int, s: int) -> bytes:
    prk = hmac.new(enc(u), enc(s), hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def _required(params: Mapping[str, str], name: str, challenge: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise SRPError(f"{challenge}: the service sent no {name}; nothing was sent back")
    return value


def _server_int(params: Mapping[str, str], name: str, challenge: str) -> int:
    text = _required(params, name, challenge)
    try:
        return parse_hex(text)
    except ValueError:
        raise SRPError(
            f"{challenge}: the service sent a {name} that is not a hexadecimal number "
            f"({len(text)} characters); nothing was sent back"
        ) from None


class _Ephemeral:
    """The private ``a`` and public ``A`` of one exchange; ``A`` is computed on first use."""

    __slots__ = ("_a", "_big_a")

    def __init__(self, small_a: int | None) -> None:
        if small_a is not None and small_a <= 0:
            raise ParamValidationError("small_a must be a positive integer", path="small_a")
        self._a = small_a
        self._big_a: int | None = None

    def public(self) -> int:
        if self._big_a is None:
            fixed = self._a is not None
            while True:
                if not fixed:
                    self._a = int.from_bytes(secrets.token_bytes(_SMALL_A_BYTES), "big")
                assert self._a is not None
                big_a = _powmod(G, self._a, N)
                if big_a % N:
                    break
                if fixed:  # a given small_a cannot be redrawn
                    raise SRPError("the given small_a makes A = 0 mod N")
            self._big_a = big_a
        return self._big_a

    def srp_a(self) -> str:
        return format(self.public(), "x")

    def claim(
        self,
        challenge_parameters: Mapping[str, str],
        *,
        challenge: str,
        realm: str,
        user: str,
        password: str,
        now: datetime | None,
    ) -> tuple[str, str, str]:
        """``(PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, PASSWORD_CLAIM_SIGNATURE)``."""
        # Every server value is read and checked before any work is done or anything is sent.
        salt = _server_int(challenge_parameters, "SALT", challenge)
        big_b = _server_int(challenge_parameters, "SRP_B", challenge)
        block_text = _required(challenge_parameters, "SECRET_BLOCK", challenge)
        try:
            block = _decode_secret_block(block_text)
        except ValueError:
            raise SRPError(
                f"{challenge}: the service sent a SECRET_BLOCK that is not base64 "
                f"({len(block_text)} characters); nothing was sent back"
            ) from None
        if big_b % N == 0:
            raise SRPError(
                f"{challenge}: the service sent SRP_B = 0 mod N, which would let it learn the "
                "session key without the password; nothing was sent back"
            )
        big_a = self.public()
        u = _hash_int(enc(big_a) + enc(big_b))
        if u == 0:
            raise SRPError(f"{challenge}: u = H(A, B) is 0, which is unsafe; nothing was sent back")
        x = _x(salt, realm, user, password)
        assert self._a is not None  # set by public()
        base = (big_b - K * _powmod(G, x, N)) % N
        s = _powmod(base, self._a + u * x, N)
        key = _derive_key(u, s)
        stamp = timestamp(now if now is not None else datetime.now(UTC))
        message = utf8(realm, "user_pool_id") + utf8(user, "username") + block + stamp.encode()
        signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest())
        return block_text, stamp, signature.decode("ascii")


def _with_secret_hash(
    params: dict[str, str], client_id: str | None, client_secret: str | None
) -> dict[str, str]:
    if client_secret is not None and client_id is not None:
        params["SECRET_HASH"] = secret_hash(params["USERNAME"], client_id, client_secret)
    return params


def _check_client(client_id: str | None, client_secret: str | None) -> None:
    if client_secret is not None and client_id is None:
        raise ParamValidationError(
            "a client_secret needs its client_id (SECRET_HASH hashes both)", path="client_id"
        )


# -- the public objects ---------------------------------------------------------------------------


class UserSRP:
    """One USER_SRP_AUTH exchange: InitiateAuth parameters, then the PASSWORD_VERIFIER answer.

    ```python
    srp = UserSRP(pool_id, "alice", password, client_id=client_id)
    started = await client.initiate_auth(
        auth_flow="USER_SRP_AUTH", client_id=client_id, auth_parameters=srp.auth_parameters()
    )
    answered = await client.respond_to_auth_challenge(
        client_id=client_id,
        challenge_name="PASSWORD_VERIFIER",
        session=started.session,
        challenge_responses=srp.password_verifier_response(started.challenge_parameters),
    )
    ```

    The two methods do the big-number work (tens of milliseconds in pure Python): an async
    server should call them off its event loop, as ``UserPoolAuth.sign_in_srp`` does.

    Args:
        user_pool_id: the pool id, ``REGION_NAME``; its part after ``_`` enters the math.
        username: the name as the user typed it (an alias such as an email works).
        password: the user's password. Never shown in a ``repr``.
        client_id: the app client id; needed with ``client_secret``.
        client_secret: the app client's secret: ``SECRET_HASH`` is added when set.
        device_key: a remembered device's key, sent as ``DEVICE_KEY``.
        small_a: the private value ``a``, for known-answer tests only; by default 128 bytes
            from ``secrets``.
    """

    __slots__ = (
        "_client_id",
        "_client_secret",
        "_device_key",
        "_ephemeral",
        "_password",
        "_pool_name",
        "_user_pool_id",
        "_username",
    )

    def __init__(
        self,
        user_pool_id: str,
        username: str,
        password: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        device_key: str | None = None,
        small_a: int | None = None,
    ) -> None:
        _check_client(client_id, client_secret)
        self._pool_name = _pool_name(user_pool_id)
        self._user_pool_id = user_pool_id
        self._username = username
        self._password = password
        self._client_id = client_id
        self._client_secret = client_secret
        self._device_key = device_key
        self._ephemeral = _Ephemeral(small_a)

    @property
    def user_pool_id(self) -> str:
        """The user pool id."""
        return self._user_pool_id

    def auth_parameters(self) -> dict[str, str]:
        """``AuthParameters`` for InitiateAuth with ``USER_SRP_AUTH``.

        ``USERNAME`` (as typed), ``SRP_A``, and ``SECRET_HASH`` / ``DEVICE_KEY`` when set.
        """
        params = {"USERNAME": self._username, "SRP_A": self._ephemeral.srp_a()}
        _with_secret_hash(params, self._client_id, self._client_secret)
        if self._device_key is not None:
            params["DEVICE_KEY"] = self._device_key
        return params

    def password_verifier_response(
        self, challenge_parameters: Mapping[str, str], *, now: datetime | None = None
    ) -> dict[str, str]:
        """``ChallengeResponses`` for the ``PASSWORD_VERIFIER`` challenge.

        The proof (``x`` and the signature) is computed over ``USER_ID_FOR_SRP``, never the
        alias that was typed. The answer's ``USERNAME`` is the challenge's own ``USERNAME``,
        and ``SECRET_HASH`` (when a client secret is set) is computed over that name. Cognito
        sends the same value in both; moto sends the user's ``sub`` as ``USER_ID_FOR_SRP``
        but looks the user up by ``USERNAME``, so answering with ``USERNAME`` suits both.

        Args:
            challenge_parameters: the challenge's ``SALT``, ``SRP_B``, ``SECRET_BLOCK``,
                ``USER_ID_FOR_SRP`` and ``USERNAME``.
            now: the time to sign; by default the current time (tests pin it).

        Raises:
            SRPError: a server value is missing, malformed or unsafe.
        """
        user_id = (
            challenge_parameters.get("USER_ID_FOR_SRP")
            or challenge_parameters.get("USERNAME")
            or self._username
        )
        username = challenge_parameters.get("USERNAME") or user_id
        block, stamp, signature = self._ephemeral.claim(
            challenge_parameters,
            challenge="PASSWORD_VERIFIER",
            realm=self._pool_name,
            user=user_id,
            password=self._password,
            now=now,
        )
        params = {
            "USERNAME": username,
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": signature,
        }
        _with_secret_hash(params, self._client_id, self._client_secret)
        if self._device_key is not None:
            params["DEVICE_KEY"] = self._device_key
        return params

    def __repr__(self) -> str:
        device = f", device_key={self._device_key!r}" if self._device_key else ""
        return (
            f"UserSRP(user_pool_id={self._user_pool_id!r}, username={REDACTED}, "
            f"password={REDACTED}{device})"
        )


class DeviceSRP:
    """One DEVICE_SRP_AUTH exchange of a remembered device, with its own fresh ``a``.

    Answers ``DEVICE_SRP_AUTH`` (``USERNAME``, ``DEVICE_KEY``, ``SRP_A``) and then
    ``DEVICE_PASSWORD_VERIFIER``: the user math with the device group key for the pool name,
    the device key for the user and the device password for the password.

    Args:
        user_pool_id: the pool id.
        username: the ``USERNAME`` the service knows the user by (its ``USER_ID_FOR_SRP``).
        device_key: the remembered device's key.
        device_group_key: its group key.
        device_password: the password made when the device was confirmed. Never shown.
        client_id: the app client id; needed with ``client_secret``.
        client_secret: the app client's secret: ``SECRET_HASH`` is added when set.
        small_a: the private value ``a``, for known-answer tests only.
    """

    __slots__ = (
        "_client_id",
        "_client_secret",
        "_device_group_key",
        "_device_key",
        "_device_password",
        "_ephemeral",
        "_user_pool_id",
        "_username",
    )

    def __init__(
        self,
        user_pool_id: str,
        username: str,
        device_key: str,
        device_group_key: str,
        device_password: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        small_a: int | None = None,
    ) -> None:
        _check_client(client_id, client_secret)
        _pool_name(user_pool_id)
        self._user_pool_id = user_pool_id
        self._username = username
        self._device_key = device_key
        self._device_group_key = device_group_key
        self._device_password = device_password
        self._client_id = client_id
        self._client_secret = client_secret
        self._ephemeral = _Ephemeral(small_a)

    def device_srp_auth_response(self) -> dict[str, str]:
        """``ChallengeResponses`` for ``DEVICE_SRP_AUTH``: a fresh ``SRP_A`` for the device."""
        params = {
            "USERNAME": self._username,
            "DEVICE_KEY": self._device_key,
            "SRP_A": self._ephemeral.srp_a(),
        }
        return _with_secret_hash(params, self._client_id, self._client_secret)

    def device_password_verifier_response(
        self, challenge_parameters: Mapping[str, str], *, now: datetime | None = None
    ) -> dict[str, str]:
        """``ChallengeResponses`` for ``DEVICE_PASSWORD_VERIFIER``.

        Raises:
            SRPError: a server value is missing, malformed or unsafe.
        """
        block, stamp, signature = self._ephemeral.claim(
            challenge_parameters,
            challenge="DEVICE_PASSWORD_VERIFIER",
            realm=self._device_group_key,
            user=self._device_key,
            password=self._device_password,
            now=now,
        )
        params = {
            "USERNAME": self._username,
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "DEVICE_KEY": self._device_key,
        }
        return _with_secret_hash(params, self._client_id, self._client_secret)

    def __repr__(self) -> str:
        return (
            f"DeviceSRP(user_pool_id={self._user_pool_id!r}, username={REDACTED}, "
            f"device_key={self._device_key!r}, device_password={REDACTED})"
        )


def new_device_verifier(
    device_group_key: str,
    device_key: str,
    *,
    password_bytes: bytes | None = None,
    salt_bytes: bytes | None = None,
) -> tuple[DeviceSecretVerifierConfigType, str]:
    """A new device password and the verifier that ConfirmDevice registers for it.

    The password is base64 of 40 random bytes, the salt 16 random bytes read as an unsigned
    integer; ``v = g^x mod N`` with ``x`` from the device group key, device key and password.

    Args:
        device_group_key: ``NewDeviceMetadata.DeviceGroupKey`` of the sign-in.
        device_key: ``NewDeviceMetadata.DeviceKey``.
        password_bytes: the password's random bytes, for known-answer tests only.
        salt_bytes: the salt's bytes (unsigned, big-endian), for known-answer tests only.

    Returns:
        ``(config, device_password)``: pass ``config`` as ConfirmDevice's
        ``device_secret_verifier_config``; keep the password (secretly) with the device key
        and group key to sign in with the device later.
    """
    from ..shapes import DeviceSecretVerifierConfigType

    raw_password = password_bytes if password_bytes is not None else secrets.token_bytes(40)
    raw_salt = salt_bytes if salt_bytes is not None else secrets.token_bytes(16)
    password = base64.b64encode(raw_password).decode("ascii")
    salt = int.from_bytes(raw_salt, "big")
    verifier = _powmod(G, _x(salt, device_group_key, device_key, password), N)
    config = DeviceSecretVerifierConfigType(
        password_verifier=base64.b64encode(enc(verifier)).decode("ascii"),
        salt=base64.b64encode(enc(salt)).decode("ascii"),
    )
    return config, password
