"""AWS Signature Version 4 for the requests this client sends: POST, a JSON body, a few headers.

Written here rather than taken from botocore because botocore's signer costs several times
more per call (an ``email.message``-based header map, a prepared request just to hash the
body, the signing key derived four HMACs deep on every call) and importing it costs more than
the rest of a cold start. Here the signing key is cached per (secret, date, region, service)
and the canonical request is built once per call, from the headers the client sends.

The algorithm and its corner cases follow botocore's ``SigV4Auth`` (the reference the tests
compare against, over AWS's published test suite and generated requests): header values are
trimmed and their inner whitespace collapsed, repeated names are joined with commas, the path
has its dot segments and repeated slashes removed and is percent-encoded, the session token
is signed. Nothing here logs: the canonical request holds the session token.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Mapping
from functools import lru_cache

ALGORITHM = "AWS4-HMAC-SHA256"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"

NOT_SIGNED = frozenset(
    {
        # botocore's list: hop-by-hop headers, and those proxies or the SDK itself may change.
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
        # Per-attempt bookkeeping: SigV4 does not ask for it, and each one is work.
        "amz-sdk-invocation-id",
        "amz-sdk-request",
    }
)
"""Header names (lower case) sent but left out of the signature."""

_ADDED = frozenset({"host", "x-amz-date", "x-amz-security-token", "authorization"})
"""Set by the signer itself: the caller's own values for these are not signed."""


@lru_cache(maxsize=32)
def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """``kSigning``: four HMACs, the same for every request of a day, region and service."""
    key = hmac.digest(f"AWS4{secret_key}".encode(), date.encode(), "sha256")
    key = hmac.digest(key, region.encode(), "sha256")
    key = hmac.digest(key, service.encode(), "sha256")
    return hmac.digest(key, b"aws4_request", "sha256")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, and repeated slashes removed (AWS asks for both)."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and kept else ""
    return first + "/".join(kept) + last


@lru_cache(maxsize=64)
def canonical_path(url: str) -> str:
    """The canonical URI of a request URL: normalized, then percent-encoded once more."""
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.quote(_remove_dot_segments(path) if path else "/", safe="/~")


def amz_date(now: float | None = None) -> str:
    """``20150830T123600Z``: the request's time, in UTC, as SigV4 writes it."""
    return time.strftime(_TIMESTAMP, time.gmtime(now))


def canonical_request(
    *,
    path: str,
    host: str,
    headers: Mapping[str, str],
    stamp: str,
    token: str | None,
    body: bytes,
) -> tuple[str, str]:
    """The canonical request of a POST (no query string) and its signed header names."""
    signed: dict[str, str] = {}
    for name, raw in headers.items():
        lower = name.lower()
        if lower in NOT_SIGNED or lower in _ADDED:
            continue
        value = " ".join(raw.split())  # trimmed, inner runs of whitespace collapsed
        signed[lower] = f"{signed[lower]},{value}" if lower in signed else value
    signed["host"] = host
    signed["x-amz-date"] = stamp
    if token:
        signed["x-amz-security-token"] = " ".join(token.split())
    names = sorted(signed)
    block = "".join(f"{name}:{signed[name]}\n" for name in names)
    signed_names = ";".join(names)
    digest = hashlib.sha256(body).hexdigest()
    return f"POST\n{path}\n\n{block}\n{signed_names}\n{digest}", signed_names


def string_to_sign(canonical: str, *, stamp: str, scope: str) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{ALGORITHM}\n{stamp}\n{scope}\n{digest}"


def sign(
    *,
    access_key: str,
    secret_key: str,
    token: str | None,
    region: str,
    service: str,
    url: str,
    host: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
) -> dict[str, str]:
    """The headers signing adds: ``X-Amz-Date``, ``X-Amz-Security-Token`` (with a token) and
    ``Authorization``.

    ``host`` is the Host header the request goes out with; ``headers`` the others, of which
    those in ``NOT_SIGNED`` are left out of the signature.
    """
    stamp = amz_date(now)
    date = stamp[:8]
    canonical, signed_names = canonical_request(
        path=canonical_path(url), host=host, headers=headers, stamp=stamp, token=token, body=body
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    key = signing_key(secret_key, date, region, service)
    signature = hmac.digest(
        key, string_to_sign(canonical, stamp=stamp, scope=scope).encode(), "sha256"
    ).hex()
    added = {
        "X-Amz-Date": stamp,
        "Authorization": (
            f"{ALGORITHM} Credential={access_key}/{scope}, "
            f"SignedHeaders={signed_names}, Signature={signature}"
        ),
    }
    if token:
        added["X-Amz-Security-Token"] = token
    return added
