"""Client configuration: region, timeouts, retries, resolved once at construction."""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from functools import cache

from .errors import ConfigurationError, InvalidRegionError, NoRegionError

DEFAULT_TIMEOUTS: Mapping[str, float] = {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 10.0}
"""Seconds per HTTP request phase (as ``httpx.Timeout``'s); a caller-provided
``httpx.AsyncClient`` keeps its own unless a timeout is given."""
DEFAULT_TOTAL_TIMEOUT = 120.0
"""Per call, retries and backoff included."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest answer body accepted, decoded or not (Cognito's answers are kilobytes)."""


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client of the process: building one loads and parses
    the whole CA bundle, too costly to repeat per client."""
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()


Verify = str | os.PathLike[str] | ssl.SSLContext
"""``verify=``: a CA bundle (a PEM file, or a directory of hashed certificates) or a context."""

TRUST_VARIABLES = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
"""Read in this order, after ``verify=``; the profile's ``ca_bundle`` comes after the first."""


def check_verify(verify: object) -> None:
    """Refuse a ``verify=`` that is neither a path nor a context (``False`` above all)."""
    if verify is not None and not isinstance(verify, str | os.PathLike | ssl.SSLContext):
        raise TypeError(
            "verify must be a CA bundle path or an ssl.SSLContext, not "
            f"{verify!r}; there is no verify=False"
        )


def trust_from_environment(profile: str | None = None) -> tuple[str, str] | None:
    """The CA bundle the environment names, and where it was named; ``None``: certifi's.

    botocore's order first: ``AWS_CA_BUNDLE``, the profile's ``ca_bundle``,
    ``REQUESTS_CA_BUNDLE``; then OpenSSL's ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``, which httpx
    reads too. Empty values count as unset.
    """
    first, *rest = TRUST_VARIABLES
    value = os.environ.get(first)
    if value:
        return value, first
    in_profile = _profile_setting(profile, "ca_bundle")
    if in_profile:
        return in_profile, f"the profile's ca_bundle ({profile or 'default'})"
    for name in rest:
        value = os.environ.get(name)
        if value:
            return value, name
    return None


def ssl_context_for(verify: Verify | None, *, profile: str | None = None) -> ssl.SSLContext | None:
    """The TLS context for ``verify=``, else for what the environment names; ``None`` when
    neither says anything (certifi's bundle, ``shared_ssl_context``).

    Raises:
        ConfigurationError: the CA bundle cannot be read (missing, not PEM, ...).
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is not None:
        path, source = os.fspath(verify), "verify="
    else:
        found = trust_from_environment(profile)
        if found is None:
            return None
        path, source = found
    try:
        return _context_trusting(path)
    except (OSError, ssl.SSLError) as exc:  # FileNotFoundError included
        reason = exc.strerror or str(exc)
        raise ConfigurationError(
            f"CA bundle {path!r} from {source} cannot be used: {reason}"
        ) from None


@cache
def _context_trusting(path: str) -> ssl.SSLContext:
    """A verified context trusting ``path`` only, built once per path (they are costly)."""
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=path)


def _profile_configured(profile: str | None) -> bool:
    """Whether an AWS profile may say something (else botocore need not be imported)."""
    config_file = os.path.expanduser(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"))
    return profile is not None or bool(os.environ.get("AWS_PROFILE")) or os.path.exists(config_file)


def _profile_setting(profile: str | None, name: str) -> str | None:
    """``name`` from the profile's section of the AWS config file, as botocore reads it."""
    if not _profile_configured(profile):
        return None
    import botocore.session

    try:
        value = botocore.session.Session(profile=profile).get_scoped_config().get(name)
    except Exception:  # a missing or unreadable profile just means "nothing from there"
        return None
    return str(value) if value else None


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
    if not _profile_configured(profile):
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
