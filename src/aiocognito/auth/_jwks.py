"""The key cache behind ``TokenVerifier``: one JWKS per URL, shared, fetched once at a time.

One ``KeySet`` per JWKS URL in this process (``key_set(url)``), so every verifier of a pool
shares its keys. A token whose ``kid`` is not cached makes the set fetch the JWKS again
(rotation: a new key appears), but never more than once per ``PENALTY_SECONDS`` for kids the
fetch did not bring (aws-jwt-verify's "penalty box"): forged tokens with random kids cannot
make us hammer the JWKS endpoint. Concurrent fetches of one set on one event loop are one
request (single flight). Keys are checked when they arrive: an RSA signing key of at least
2048 bits, ``use`` ``sig`` and ``alg`` RS256 when given, no private parts. A key that fails a
check stays in the set as an ``UnfitKey`` with the reason, so that a token naming it is
refused with that reason rather than as an unknown ``kid``.

The JWKS is fetched through the transport seam's ``Sender`` (``_core/sending.py``), bounded
in time (``FETCH_TIMEOUT`` seconds for the whole fetch) and size (``MAX_JWKS_BYTES``, which
the seam enforces while the answer arrives).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, cast

from attrs import frozen

from .._core.errors import CognitoError, TransportError
from .._core.protocol import loads
from .._core.retries import is_retryable

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from .._core.sending import Sender

__all__ = ["JwksError", "KeySet", "Lookup", "RSAKey", "UnfitKey", "key_set"]

PENALTY_SECONDS: Final = 10.0
"""After a fetch that did not bring the kid asked for, no fetch for unknown kids this long
(aws-jwt-verify's default wait)."""
FETCH_TIMEOUT: Final = 5.0
"""Seconds for one whole JWKS fetch (both attempts), whatever the transport's own timeouts."""
FETCH_TIMEOUTS: Final[Mapping[str, float]] = {
    "connect": 2.0,
    "read": 3.0,
    "write": 3.0,
    "pool": 2.0,
}
"""Per-phase limits of the sender a verifier opens (aws-jwt-verify: 1.5 s idle, 3 s answer)."""
MAX_JWKS_BYTES: Final = 256 * 1024
"""A JWKS larger than this is refused; Cognito's is about 1 KB (two keys)."""
MAX_KEYS: Final = 64
"""More keys than this in one JWKS are refused (each costs a parse)."""
MIN_RSA_BITS: Final = 2048

_PRIVATE_MEMBERS: Final = ("d", "p", "q", "dp", "dq", "qi", "oth")
_NOT_JSON: Final = object()


class JwksError(CognitoError):
    """The key set could not be fetched or read (the token itself was not judged).

    Raised by ``TokenVerifier.verify`` and ``load_keys`` when the JWKS URL does not answer in
    time, answers something other than HTTP 200, or sends something that is not a JWKS; by
    ``verify_sync`` when the keys were never loaded. An API should answer 503, not 401: the
    cause is on the server's side. The message names the URL and what was wrong, never a
    token; ``__cause__`` holds the transport's exception when there is one.
    """


@frozen
class RSAKey:
    """A key fit for RS256: the one thing a token may be verified with."""

    kid: str
    public_key: RSAPublicKey


@frozen
class UnfitKey:
    """A key of the JWKS that must not verify anything, and why."""

    kid: str
    reason: str


Lookup = RSAKey | UnfitKey | None


def _describe(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_key(jwk: Mapping[str, object], kid: str) -> RSAKey | UnfitKey:
    """RSA, for signatures, RS256, public only, big enough; parsed by PyJWT."""
    kty = jwk.get("kty")
    if kty != "RSA":
        return UnfitKey(kid, f"its kty is {_describe(kty)}, not 'RSA'")
    use = jwk.get("use")
    if use is not None and use != "sig":
        return UnfitKey(kid, f"its use is {_describe(use)}, not 'sig'")
    alg = jwk.get("alg")
    if alg is not None and alg != "RS256":
        return UnfitKey(kid, f"its alg is {_describe(alg)}, not 'RS256'")
    if any(name in jwk for name in _PRIVATE_MEMBERS):
        return UnfitKey(kid, "it holds private key parts (a JWKS publishes public keys only)")
    if not isinstance(jwk.get("n"), str) or not isinstance(jwk.get("e"), str):
        return UnfitKey(kid, "its n or e is missing or not a string")
    from jwt.algorithms import RSAAlgorithm
    from jwt.exceptions import InvalidKeyError

    try:
        key = RSAAlgorithm.from_jwk(dict(jwk))
    except (InvalidKeyError, ValueError, TypeError):
        return UnfitKey(kid, "its n and e do not make an RSA public key")
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    if not isinstance(key, RSAPublicKey):  # pragma: no cover - private parts refused above
        return UnfitKey(kid, "it is not an RSA public key")
    if key.key_size < MIN_RSA_BITS:
        return UnfitKey(kid, f"it has {key.key_size} bits, fewer than {MIN_RSA_BITS}")
    return RSAKey(kid, key)


def parse_jwks(content: bytes, url: str) -> dict[str, RSAKey | UnfitKey]:
    """The keys of a JWKS document by kid; ``JwksError`` when it is not one."""
    try:
        document = loads(content)
    except ValueError:  # JSONNestingError too
        document = _NOT_JSON
    if document is _NOT_JSON:  # raised here: no JSONDecodeError as __context__
        raise JwksError(f"the JWKS from {url} is not JSON")
    if not isinstance(document, dict):
        raise JwksError(f"the JWKS from {url} is not a JSON object")
    jwks = cast("dict[str, object]", document).get("keys")
    if not isinstance(jwks, list):
        raise JwksError(f"the JWKS from {url} has no list of keys")
    entries = cast("list[object]", jwks)
    if len(entries) > MAX_KEYS:
        raise JwksError(f"the JWKS from {url} has {len(entries)} keys, more than {MAX_KEYS}")
    keys: dict[str, RSAKey | UnfitKey] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise JwksError(f"the JWKS from {url} has a key that is not a JSON object")
        jwk = cast("dict[str, object]", entry)
        kid = jwk.get("kid")
        if not isinstance(kid, str):
            continue  # a token names its key by kid: a key without one can never be chosen
        if kid in keys:
            # Two keys under one kid: which one a token means is ambiguous, so neither.
            keys[kid] = UnfitKey(kid, "the JWKS has more than one key with this kid")
            continue
        keys[kid] = _check_key(jwk, kid)
    return keys


async def fetch_jwks(sender: Sender, url: str) -> dict[str, RSAKey | UnfitKey]:
    """GET the JWKS (one immediate retry after a transport failure worth retrying, as
    aws-jwt-verify)."""
    try:
        async with asyncio.timeout(FETCH_TIMEOUT):
            try:
                response = await sender.send("GET", url, headers={"Accept": "application/json"})
            except TransportError as exc:
                if not is_retryable(exc):  # the retry policy's judgement, as everywhere
                    raise
                response = await sender.send("GET", url, headers={"Accept": "application/json"})
    except TimeoutError as exc:  # ours is also builtins.TimeoutError
        raise JwksError(
            f"the JWKS from {url} did not arrive within {FETCH_TIMEOUT:g} s"
            + (f" ({exc})" if str(exc) else "")
        ) from exc
    except TransportError as exc:
        raise JwksError(f"the JWKS could not be fetched from {url}: {exc}") from exc
    if response.status != 200:
        raise JwksError(f"the JWKS URL {url} answered HTTP {response.status}, not 200")
    return parse_jwks(response.content, url)


class KeySet:
    """The keys of one JWKS URL, shared by every verifier that uses it (see the module)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys: dict[str, RSAKey | UnfitKey] | None = None
        """``None`` until the first fetch succeeds."""
        self._penalty_until = 0.0
        self._flight: tuple[asyncio.AbstractEventLoop, asyncio.Task[None]] | None = None

    def cached(self, kid: str) -> Lookup:
        """The key for ``kid`` as cached now (no I/O)."""
        return None if self.keys is None else self.keys.get(kid)

    async def get(self, kid: str, sender: Sender) -> Lookup:
        """The key for ``kid``, fetching the JWKS when it is not cached and no penalty holds.

        Returns ``None`` when the kid is unknown after a fetch, or unknown while the penalty
        box holds (a fetch within ``PENALTY_SECONDS`` did not bring it).
        """
        found = self.cached(kid)
        if found is not None:
            return found
        if self.keys is not None and _monotonic() < self._penalty_until:
            return None
        await self.load(sender)
        found = self.cached(kid)
        if found is None:
            self._penalty_until = _monotonic() + PENALTY_SECONDS
        else:
            self._penalty_until = 0.0
        return found

    async def load(self, sender: Sender) -> None:
        """Fetch the JWKS now; callers on this loop during a fetch share it (single flight).

        A caller cancelled while waiting does not cancel the fetch the others wait for.
        """
        loop = asyncio.get_running_loop()
        flight = self._flight
        if flight is None or flight[0] is not loop or flight[1].done():
            task = loop.create_task(self._fetch(sender))
            # Read the outcome even when every waiter was cancelled (no "never retrieved").
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._flight = flight = (loop, task)
        await asyncio.shield(flight[1])

    async def _fetch(self, sender: Sender) -> None:
        try:
            self.keys = await fetch_jwks(sender, self.url)
        finally:
            if self._flight is not None and self._flight[1] is asyncio.current_task():
                self._flight = None


def _monotonic() -> float:
    """The clock of the penalty box (tests move it forward)."""
    return time.monotonic()


_KEY_SETS: dict[str, KeySet] = {}


def key_set(url: str) -> KeySet:
    """The process-wide key set of ``url``: one per URL, whoever asks."""
    found = _KEY_SETS.get(url)
    if found is None:
        found = _KEY_SETS[url] = KeySet(url)
    return found


def forget_all() -> None:
    """Drop every cached key set (tests)."""
    _KEY_SETS.clear()
