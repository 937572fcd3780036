"""aiocognito: a typed, async Python SDK for the Amazon Cognito user pools API.

``aiocognito.shapes`` holds the typed request/response classes and enums, ``aiocognito.errors``
one exception class per modeled error. Both load on first use, so ``import aiocognito`` stays
cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._core.errors import (
    CognitoError,
    ConfigurationError,
    InvalidRegionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    TimeoutError,
    TransportError,
)
from ._version import __version__

if TYPE_CHECKING:
    from . import errors as errors, shapes as shapes
    from ._core.client import ClientClosedError as ClientClosedError
    from ._core.retries import RetryConfig as RetryConfig
    from .client import CognitoIdentityProviderClient as CognitoIdentityProviderClient

__all__ = [
    "ClientClosedError",
    "CognitoError",
    "CognitoIdentityProviderClient",
    "ConfigurationError",
    "InvalidRegionError",
    "NoCredentialsError",
    "NoRegionError",
    "ParamValidationError",
    "ResponseParseError",
    "RetryConfig",
    "ServiceError",
    "TimeoutError",
    "TransportError",
    "__version__",
    "errors",
    "shapes",
]

_SUBMODULES = frozenset({"errors", "shapes"})
# Loaded on first use: the client brings httpx, which is most of the import cost.
_LAZY = {
    "CognitoIdentityProviderClient": ".client",
    "ClientClosedError": "._core.client",
    "RetryConfig": "._core.retries",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY))
