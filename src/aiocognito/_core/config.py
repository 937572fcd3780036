"""Client configuration: region, timeouts, retries, resolved once at construction."""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from functools import cache

from .errors import InvalidRegionError, NoRegionError

DEFAULT_TIMEOUTS: Mapping[str, float] = {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 10.0}
"""Seconds per HTTP request phase (as ``httpx.Timeout``'s); a caller-provided
``httpx.AsyncClient`` keeps its own unless a timeout is given."""
DEFAULT_TOTAL_TIMEOUT = 120.0
"""Per call, retries and backoff included."""


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client of the process (each costs ~20 ms to build)."""
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()


def ssl_context_for(verify: str | os.PathLike[str] | ssl.SSLContext) -> ssl.SSLContext:
    """The TLS context for ``verify=``: a given context as is, else one trusting a CA bundle."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    return _context_trusting(os.fspath(verify))


@cache
def _context_trusting(path: str) -> ssl.SSLContext:
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=path)


_REGION = re.compile(r"(?![0-9]+\Z)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)")
"""A region is one host label (botocore's ``validate_region_name``, whose ``$`` also lets a
trailing newline through): it becomes part of the endpoint's host name, where
``x@evil.example#`` would send every request to evil.example."""


def region_from_environment(profile: str | None) -> tuple[str | None, str]:
    """``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's ``region`` in the AWS config;
    with where it came from."""
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(var)
        if value:
            return value, var
    config_file = os.path.expanduser(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"))
    if profile is None and not os.environ.get("AWS_PROFILE") and not os.path.exists(config_file):
        return None, ""
    # Only now is botocore worth importing: it reads config files the way every AWS tool does.
    import botocore.session

    session = botocore.session.Session(profile=profile)
    try:
        region = session.get_config_variable("region")
    except Exception:  # a missing or unreadable profile just means "no region from there"
        return None, ""
    return (str(region), "the AWS profile") if region else (None, "")


def resolve_region(region: str | None, profile: str | None, endpoint_url: str | None) -> str | None:
    """The region to use, checked, before anything can be sent.

    Raises:
        NoRegionError: none is found and one is needed.
        InvalidRegionError: the region is not a valid host label.
    """
    found, source = (region, "region") if region else region_from_environment(profile)
    if found is None:
        if endpoint_url is None:
            raise NoRegionError(
                "no AWS region: pass region=..., set AWS_REGION or AWS_DEFAULT_REGION, "
                "or configure one in your AWS profile"
            )
        return None
    if not _REGION.fullmatch(found):
        shown = found if len(found) <= 80 else found[:79] + "…"
        raise InvalidRegionError(
            f"invalid region {shown!r} (from {source}): a region is one host label of "
            "letters, digits and hyphens, such as 'eu-west-1'"
        )
    return found
