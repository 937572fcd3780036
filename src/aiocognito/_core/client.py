"""The runtime every generated client method goes through: one call, many operations."""

from __future__ import annotations

import asyncio
import builtins
import enum
import importlib
import logging
import platform
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from .._version import __version__
from . import endpoints, protocol
from .config import DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, resolve_region, shared_ssl_context
from .errors import (
    CognitoError,
    ConfigurationError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    TimeoutError,
    TransportError,
)
from .retries import RetryPolicy, is_retryable

if TYPE_CHECKING:
    from .signing import CredentialsLike, Signer

logger = logging.getLogger("aiocognito")

OutputT = TypeVar("OutputT")


class OperationSpec(Generic[OutputT]):
    """What the runtime needs to know of one operation; shape classes resolve on first use."""

    __slots__ = (
        "_input_cls",
        "_output_cls",
        "host_labels",
        "host_prefix",
        "idempotency_tokens",
        "input_ref",
        "name",
        "output_ref",
        "path",
        "signed",
        "target",
    )

    def __init__(
        self,
        name: str,
        *,
        input: str | None,
        output: str | None,
        signed: bool,
        target: str,
        path: str = "/",
        host_prefix: str | None = None,
        host_labels: Mapping[str, str] | None = None,
        idempotency_tokens: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.input_ref = input
        self.output_ref = output
        self.signed = signed
        self.target = target
        self.path = path
        self.host_prefix = host_prefix
        """The endpoint trait's prefix, e.g. ``"{Bucket}.data."``."""
        self.host_labels = dict(host_labels or {})
        """Label in the prefix -> input field that fills it."""
        self.idempotency_tokens = idempotency_tokens
        """Input fields filled with a fresh UUID when the caller leaves them unset."""
        self._input_cls: type | None = None
        self._output_cls: type | None = None

    def __repr__(self) -> str:
        return f"OperationSpec({self.name!r})"


def _load(package: str, ref: str) -> type:
    module, _, name = ref.partition(":")
    cls: type = getattr(importlib.import_module(f"{package}._shapes.{module}"), name)
    return cls


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class ClientClosedError(CognitoError, RuntimeError):
    """The client was closed; create a new one."""


_NOT_GIVEN: Any = object()


class BaseClient:
    """Configuration, HTTP, signing and the request/response cycle shared by generated clients."""

    # Set by the generated subclass.
    _package: str = ""
    _service_name: str = ""
    _signing_name: str = ""
    _target_prefix: str = ""
    _json_version: str = "1.1"
    _errors: Mapping[str, type[ServiceError]] = {}

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        credentials: CredentialsLike | None = None,
        profile: str | None = None,
        use_fips: bool = False,
        use_dualstack: bool = False,
        timeout: float | httpx.Timeout | None = _NOT_GIVEN,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        max_attempts: int = 3,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """Create a client; nothing is sent and no credentials are read until the first call.

        Args:
            region: AWS region; else ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the profile's.
            endpoint_url: send requests here instead of the resolved AWS endpoint (an emulator,
                a VPC endpoint, a proxy).
            credentials: botocore ``Credentials`` or any object with ``access_key``,
                ``secret_key`` and ``token``; default: botocore's chain (environment, shared
                files, SSO, container, instance metadata), resolved on the first signed call.
            profile: the AWS profile for region and credentials.
            use_fips: use the FIPS endpoint.
            use_dualstack: use the dual-stack (IPv4 and IPv6) endpoint.
            timeout: per-request httpx timeout (seconds or ``httpx.Timeout``); default connect
                10 s, read/write 30 s.
            total_timeout: limit for a whole call, retries and backoff included (seconds).
            max_attempts: attempts per call, the first included; 1 disables retries.
            http_client: an ``httpx.AsyncClient`` to send with; it stays open when this client
                closes.

        Raises:
            NoRegionError: no region given or found, and no ``endpoint_url``.
            ConfigurationError: the endpoint rules reject the combination (e.g. FIPS with a
                custom endpoint).
        """
        self._region = resolve_region(region, profile, endpoint_url)
        rule_set, partitions = endpoints.load_rule_set(self._package)
        self._endpoint = endpoints.resolve(
            rule_set,
            partitions,
            {
                "Region": self._region,
                "UseFIPS": use_fips,
                "UseDualStack": use_dualstack,
                "Endpoint": endpoint_url,
            },
        )
        self._url = self._endpoint.url
        parts = urllib.parse.urlsplit(self._url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"endpoint URL must be an http(s) URL: {self._url!r}")
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._base_path = parts.path.rstrip("/")
        self._retry = RetryPolicy(max_attempts=max_attempts)
        # An explicit timeout applies to every request; otherwise our default for the client we
        # create, and a caller-provided client keeps its own.
        self._timeout: Any
        if timeout is not _NOT_GIVEN:
            self._timeout = httpx.Timeout(timeout)
        elif http_client is None:
            self._timeout = DEFAULT_TIMEOUT
        else:
            self._timeout = httpx.USE_CLIENT_DEFAULT
        if total_timeout is not None and total_timeout <= 0:
            raise ValueError("total_timeout must be positive (or None for no overall limit)")
        self._total_timeout = total_timeout
        self._credentials = credentials
        self._profile = profile
        self._signer: Signer | None = None
        self._owns_http = http_client is None
        self._http = http_client
        self._state = _State.UNOPENED
        self._base_headers = {
            "Content-Type": protocol.content_type(self._json_version),
            "User-Agent": (
                f"aiocognito/{__version__} python/{platform.python_version()} "
                f"httpx/{httpx.__version__}"
            ),
        }

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def region(self) -> str | None:
        return self._region

    @property
    def endpoint_url(self) -> str:
        return self._url

    def _client(self) -> httpx.AsyncClient:
        if self._state is _State.CLOSED:
            raise ClientClosedError("this client is closed; create a new one")
        if self._http is None:
            self._http = httpx.AsyncClient(verify=shared_ssl_context(), timeout=DEFAULT_TIMEOUT)
        self._state = _State.OPENED
        return self._http

    async def close(self) -> None:
        """Release what the client owns; a caller-provided ``httpx.AsyncClient`` stays open."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._owns_http and self._http is not None:
            await self._http.aclose()

    async def __aenter__(self: _C) -> _C:
        self._client()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- the call ---------------------------------------------------------------------------
    def _signer_for(self) -> Signer:
        if self._signer is None:
            from .signing import Signer

            self._signer = Signer(
                service=self._signing_name,
                region=self._region,
                credentials=self._credentials,
                profile=self._profile,
            )
        return self._signer

    def _build_input(self, op: OperationSpec[Any], params: dict[str, Any]) -> Any:
        if op.input_ref is None:
            return None
        cls = op._input_cls
        if cls is None:
            cls = op._input_cls = _load(self._package, op.input_ref)
        for name in op.idempotency_tokens:
            if params.get(name) is None:
                params[name] = str(uuid.uuid4())
        try:
            shape = cls(**params)
        except TypeError as exc:  # only reachable when type checking was bypassed
            raise ParamValidationError(f"{op.name}: {exc}") from None
        from .validate import validate

        validate(shape)
        return shape

    def _parse_output(self, op: OperationSpec[OutputT], data: dict[str, Any]) -> OutputT:
        if op.output_ref is None:
            return None  # type: ignore[return-value]
        cls = op._output_cls
        if cls is None:
            cls = op._output_cls = _load(self._package, op.output_ref)
        from .serde import describe_structure_error, from_wire

        try:
            result: OutputT = from_wire(cls, data)
        except Exception as exc:
            raise ResponseParseError(
                f"{op.name}: the response does not match {cls.__name__}: "
                f"{describe_structure_error(exc)}",
                operation=op.name,
            ) from None
        return result

    async def _invoke(self, op: OperationSpec[OutputT], params: dict[str, Any]) -> OutputT:
        from .serde import to_wire

        shape = self._build_input(op, params)
        body = protocol.encode_body(to_wire(shape) if shape is not None else {})
        url = self._request_url(op, shape)
        http = self._client()
        if self._total_timeout is None:
            return await self._send(op, http, url, body)
        attempts = [0]
        try:
            async with asyncio.timeout(self._total_timeout):
                return await self._send(op, http, url, body, attempts)
        except builtins.TimeoutError:
            exc = TimeoutError(
                f"{op.name}: no answer within the total timeout of {self._total_timeout:g} s"
            )
            exc.attempts = attempts[0]
            raise exc from None

    def _request_url(self, op: OperationSpec[Any], shape: Any) -> str:
        """The endpoint with the operation's path, and its host prefix filled from the input."""
        host = self._netloc
        if op.host_prefix:
            prefix = op.host_prefix
            for label, field_name in op.host_labels.items():
                value = getattr(shape, field_name, None)
                if not isinstance(value, str) or not endpoints.is_valid_host_label(value):
                    raise ParamValidationError(
                        f"invalid parameter {field_name}: must be a valid host label "
                        "(letters, digits and hyphens)",
                        path=field_name,
                    )
                prefix = prefix.replace("{" + label + "}", value)
            host = prefix + host
        return f"{self._scheme}://{host}{self._base_path}{op.path}"

    async def _send(
        self,
        op: OperationSpec[OutputT],
        http: httpx.AsyncClient,
        url: str,
        body: bytes,
        attempts: list[int] | None = None,
    ) -> OutputT:
        """Attempts, with retries, until a result or a final error."""
        policy = self._retry
        invocation = str(uuid.uuid4())
        acquired = 0
        attempt = 0
        while True:
            attempt += 1
            if attempts is not None:
                attempts[0] = attempt
            try:
                data = await self._attempt(
                    op, http, url, body, invocation=invocation, attempt=attempt
                )
            except (ServiceError, TransportError) as exc:
                if attempt < policy.max_attempts and is_retryable(exc):
                    cost = policy.quota.acquire(exc)
                    if cost:
                        acquired = cost
                        delay = policy.backoff(attempt)
                        logger.debug(
                            "%s retry after %s in %.3fs",
                            op.name,
                            exc.code if isinstance(exc, ServiceError) else type(exc).__name__,
                            delay,
                        )
                        await policy.sleep(delay)
                        continue
                exc.attempts = attempt
                raise
            policy.quota.release(acquired)
            return self._parse_output(op, data)

    async def _attempt(
        self,
        op: OperationSpec[Any],
        http: httpx.AsyncClient,
        url: str,
        body: bytes,
        *,
        invocation: str,
        attempt: int,
    ) -> dict[str, Any]:
        """One HTTP exchange: the parsed JSON object of a 2xx answer, or an exception."""
        headers = {
            **self._base_headers,
            "X-Amz-Target": op.target,
            "amz-sdk-invocation-id": invocation,
            "amz-sdk-request": f"attempt={attempt}; max={self._retry.max_attempts}",
        }
        if op.signed:
            headers = await self._signer_for().sign(url, headers, body)
        started = time.perf_counter()
        try:
            response = await http.post(url, content=body, headers=headers, timeout=self._timeout)
            content = response.content
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"{op.name}: {type(exc).__name__} (HTTP timeout)") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{op.name}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        request_id = response.headers.get("x-amzn-requestid")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s attempt=%d status=%s duration_ms=%.1f request_id=%s",
                op.name,
                attempt,
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )
        if status >= 300:
            raise protocol.parse_error(
                status=status,
                headers=response.headers,
                body=content,
                operation=op.name,
                errors=self._errors,
            )
        return protocol.parse_output(
            content, operation=op.name, media_type=response.headers.get("content-type", "")
        )


_C = TypeVar("_C", bound=BaseClient)
