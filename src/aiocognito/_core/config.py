"""Client configuration: region, timeouts, retries, resolved once at construction."""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError, InvalidRegionError, NoRegionError

if TYPE_CHECKING:
    from .retries import Mode

DEFAULT_TIMEOUTS: Mapping[str, float] = {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 10.0}
"""Seconds per HTTP request phase (as ``httpx.Timeout``'s); a caller-provided
``httpx.AsyncClient`` keeps its own unless a timeout is given."""
DEFAULT_TOTAL_TIMEOUT = 120.0
"""Per call, retries and backoff included."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest answer body accepted, decoded or not (Cognito's answers are kilobytes)."""
DEFAULT_MAX_ATTEMPTS = 3
"""Per call, the first included (botocore's standard mode)."""


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
    settings = Profile(profile)
    in_profile = settings.get("ca_bundle")
    if in_profile:
        return in_profile, settings.source("ca_bundle")
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


class Profile:
    """One AWS profile's section of the config file (``profile``, else ``AWS_PROFILE``, else
    the default one), as botocore reads it: read at most once, on the first ``get``, and
    botocore imported only when a profile may say something."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._settings: Mapping[str, Any] | None = None

    def get(self, setting: str) -> str | None:
        """The setting's value, or ``None`` when the profile does not set it."""
        settings = self._settings
        if settings is None:
            settings = self._settings = self._read()
        value = settings.get(setting)
        return str(value) if value else None

    def source(self, setting: str) -> str:
        """Where a value came from, for messages: ``the profile's region (default)``."""
        return f"the profile's {setting} ({self.name or 'default'})"

    def _read(self) -> Mapping[str, Any]:
        if not _profile_configured(self.name):
            return {}
        import botocore.session

        try:
            found: Mapping[str, Any] = botocore.session.Session(
                profile=self.name
            ).get_scoped_config()
        except Exception:  # a missing or unreadable profile just means "nothing from there"
            return {}
        return found


def _shown(value: str) -> str:
    """A configured value as a message quotes it: at most 80 characters."""
    return repr(value if len(value) <= 80 else value[:79] + "…")


_REGION = re.compile(r"(?![0-9]+\Z)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)")
"""A region is one host label (botocore's ``validate_region_name``, whose ``$`` also lets a
trailing newline through): it becomes part of the endpoint's host name, where
``x@evil.example#`` would send every request to evil.example."""


def region_from_environment(profile: Profile) -> tuple[str | None, str]:
    """``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's ``region`` in the AWS config;
    with where it came from."""
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(var)
        if value:
            return value, var
    region = profile.get("region")
    return (region, "the AWS profile") if region else (None, "")


def resolve_region(region: str | None, profile: Profile, endpoint_url: str | None) -> str | None:
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
        raise InvalidRegionError(
            f"invalid region {_shown(found)} (from {source}): a region is one host label of "
            "letters, digits and hyphens, such as 'eu-west-1'"
        )
    return found


_RETRY_SETTINGS = {"max_attempts": "AWS_MAX_ATTEMPTS", "retry_mode": "AWS_RETRY_MODE"}
"""Profile setting -> environment variable, read as botocore reads them (the variable first)."""


def resolve_retries(
    max_attempts: int | None, mode: Mode | None, profile: Profile
) -> tuple[int, Mode]:
    """Attempts per call and the retry mode: as given, else ``AWS_MAX_ATTEMPTS`` and
    ``AWS_RETRY_MODE``, else the profile's ``max_attempts`` and ``retry_mode``, else 3 and
    standard.

    botocore's ``legacy`` mode is read as standard: botocore 1.44's default, and the only
    non-adaptive mode here.

    Raises:
        ConfigurationError: a configured value that is not a number of attempts (1 or more)
            or a retry mode; the message names where it was configured.
    """
    given: dict[str, object] = {"max_attempts": max_attempts, "retry_mode": mode}
    found: dict[str, tuple[str, str]] = {}
    for setting, variable in _RETRY_SETTINGS.items():
        value = os.environ.get(variable)
        if given[setting] is None and value:
            found[setting] = (value, variable)
    for setting in _RETRY_SETTINGS:
        value = None if given[setting] is not None or setting in found else profile.get(setting)
        if value:
            found[setting] = (value, profile.source(setting))
    if "max_attempts" in found:
        max_attempts = _attempts(*found["max_attempts"])
    if "retry_mode" in found:
        mode = _retry_mode(*found["retry_mode"])
    return (
        DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts,
        mode or "standard",
    )


def _attempts(text: str, source: str) -> int:
    try:
        attempts = int(text.strip())
    except ValueError:
        attempts = 0
    if attempts < 1:
        raise ConfigurationError(
            f"invalid max_attempts {_shown(text)} (from {source}): a whole number of attempts "
            "per call, the first included, 1 or more"
        )
    return attempts


def _retry_mode(text: str, source: str) -> Mode:
    mode = text.strip().lower()
    if mode in ("standard", "legacy"):
        return "standard"
    if mode == "adaptive":
        return "adaptive"
    raise ConfigurationError(
        f"invalid retry mode {_shown(text)} (from {source}): 'standard' or 'adaptive' "
        "('legacy' is read as 'standard')"
    )
