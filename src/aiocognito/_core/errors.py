"""The exception tree of aiocognito: every class but the modeled ones is defined here.

The tree, with what each class means, is written once, in docs/guide/errors.md ("Handle
errors"); tests/unit/test_error_tree.py checks it against these classes and against
``aiocognito.__all__``. No message, ``repr`` or ``str`` of these includes a secret from the
request.

``TransportTimeoutError`` was ``TimeoutError`` before 0.1.0: imported by name, that shadowed
the builtin (``except TimeoutError`` then missed asyncio's timeouts), as httpx avoids with its
``TimeoutException``. The old name stays, deprecated, as ``aiocognito.TimeoutError`` (in
``aiocognito/__init__.py`` only, where importing it warns); the class is still a
``builtins.TimeoutError``, so ``except TimeoutError:`` with the builtin catches it.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, ClassVar, Literal


class CognitoError(Exception):
    """Base of every exception aiocognito raises."""

    attempts: int = 1
    """How many attempts the call made before giving up (retries included)."""

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} (after {self.attempts} attempts)" if self.attempts > 1 else text


class ServiceError(CognitoError):
    """The service answered with an error.

    Modeled errors are subclasses (see ``aiocognito.errors``); an unknown code comes as a plain
    ``ServiceError`` with ``code`` set to what the service sent.
    """

    error_code: ClassVar[str] = ""
    """The code this class stands for (empty on the base class)."""
    fault: ClassVar[Literal["client", "server"]] = "client"
    http_status: ClassVar[int | None] = None
    wire_members: ClassVar[dict[str, str]] = {}
    """Modeled members beyond the message: Python name -> wire name."""
    retry_after: float | None = None
    """Seconds the service asked to wait before a retry (``x-amz-retry-after``), if it did."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.code = code or self.error_code or "Unknown"
        self.status_code = status_code
        self.request_id = request_id
        self.operation = operation
        for name, wire in self.wire_members.items():
            setattr(self, name, (body or {}).get(wire))
        super().__init__(message)

    def __str__(self) -> str:
        where = f" in {self.operation}" if self.operation else ""
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        message = f": {self.message}" if self.message else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{self.code}{where}{status}{message}{rid}{tries}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status_code={self.status_code!r}, request_id={self.request_id!r})"
        )


class ParamValidationError(CognitoError, ValueError):
    """The input is invalid (missing required member, wrong type); nothing was sent."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class ResponseParseError(CognitoError, ValueError):
    """A successful (2xx) answer whose body cannot be read as the operation's output."""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        self.operation = operation
        super().__init__(message)


class TransportError(CognitoError):
    """No usable HTTP answer: the connection failed, broke or was reset."""

    retryable: ClassVar[bool] = True
    """Whether another attempt may fare better (not for an answer refused for its size)."""


class ResponseTooLargeError(TransportError):
    """The answer went past a size limit: its header block (64 KiB), or its body, compressed
    or decoded (``max_response_bytes``). The connection is closed; the call is not retried."""

    retryable: ClassVar[bool] = False


class TransportTimeoutError(TransportError, builtins.TimeoutError):
    """A connect, read, write, pool or total timeout expired (also ``builtins.TimeoutError``)."""


class ConfigurationError(CognitoError):
    """The client cannot be set up as asked."""


class NoRegionError(ConfigurationError):
    """No region was given and none could be found in the environment or profile."""


class InvalidRegionError(ConfigurationError, ValueError):
    """The region is not a valid host label (botocore's ``InvalidRegionError``).

    Refused before anything is sent: the region becomes part of the endpoint's host name.
    """


class NoCredentialsError(ConfigurationError):
    """A signed operation was called and no AWS credentials could be found."""


class EndpointResolutionError(ConfigurationError):
    """The endpoint rule set rejects the configuration (e.g. FIPS with a custom endpoint)."""


class ClientClosedError(CognitoError, RuntimeError):
    """The client was closed; create a new one."""
