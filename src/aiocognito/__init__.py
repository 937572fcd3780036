"""aiocognito: a typed, async Python SDK for the Amazon Cognito user pools API.

``aiocognito.shapes`` holds the typed request/response classes and enums, ``aiocognito.errors``
one exception class per modeled error. Both load on first use, so ``import aiocognito`` stays
cheap.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from ._core.errors import (
    ClientClosedError,
    CognitoError,
    ConfigurationError,
    EndpointResolutionError,
    InvalidRegionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    ResponseParseError,
    ResponseTooLargeError,
    ServiceError,
    TransportError,
    TransportTimeoutError,
)
from ._version import __version__

if TYPE_CHECKING:
    from . import errors as errors, shapes as shapes
    from ._core.retries import RetryConfig as RetryConfig
    from .client import CognitoIdentityProviderClient as CognitoIdentityProviderClient

__all__ = [
    "ClientClosedError",
    "CognitoError",
    "CognitoIdentityProviderClient",
    "ConfigurationError",
    "EndpointResolutionError",
    "InvalidRegionError",
    "NoCredentialsError",
    "NoRegionError",
    "ParamValidationError",
    "ResponseParseError",
    "ResponseTooLargeError",
    "RetryConfig",
    "ServiceError",
    "TransportError",
    "TransportTimeoutError",
    "__version__",
    "errors",
    "shapes",
]

_SUBMODULES = frozenset({"errors", "shapes"})
# Loaded on first use: the client brings the runtime, shapes and errors bring the model.
_LAZY = {"CognitoIdentityProviderClient": ".client", "RetryConfig": "._core.retries"}
_DEPRECATED = {"TimeoutError": ("TransportTimeoutError", TransportTimeoutError)}
"""Old names, still importable, not in ``__all__`` (``import *`` must not shadow builtins)."""


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _DEPRECATED:
        new, value = _DEPRECATED[name]
        warnings.warn(
            f"aiocognito.{name} is deprecated: use aiocognito.{new} (the same class; it is "
            "also a builtins.TimeoutError, so a plain `except TimeoutError:` catches it)",
            DeprecationWarning,
            stacklevel=2,
        )
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY))
