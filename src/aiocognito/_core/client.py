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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._version import __version__
from . import endpoints, http11, protocol, sending
from .config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUTS,
    DEFAULT_TOTAL_TIMEOUT,
    Profile,
    resolve_region,
    resolve_retries,
)
from .errors import (
    ClientClosedError,
    ConfigurationError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    TransportError,
    TransportTimeoutError,
)
from .retries import RetryConfig, RetryPolicy

if TYPE_CHECKING:
    import os
    import ssl

    import httpx

    from .sending import Sender
    from .signing import CredentialsLike, Signer

logger = logging.getLogger("aiocognito")

OutputT = TypeVar("OutputT")


class OperationSpec(Generic[OutputT]):
    """What the runtime needs to know of one operation; shape classes resolve on first use."""

    __slots__ = (
        "compression",
        "event_stream",
        "host_labels",
        "host_prefix",
        "idempotency_tokens",
        "input_cls",
        "input_ref",
        "name",
        "output_cls",
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
        compression: tuple[str, ...] = (),
        event_stream: tuple[str, Mapping[str, tuple[str | None, str]]] | None = None,
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
        self.compression = compression
        """Content encodings the operation accepts for its request body (e.g. gzip)."""
        self.event_stream = event_stream
        """Output member carrying an event stream, and per event its payload member and type."""
        self.input_cls: type[Any] | None = None
        """The input shape class, once the first call has loaded it."""
        self.output_cls: type[Any] | None = None

    def __repr__(self) -> str:
        return f"OperationSpec({self.name!r})"


def _load(package: str, ref: str) -> type[Any]:
    module, _, name = ref.partition(":")
    cls: type[Any] = getattr(importlib.import_module(f"{package}._shapes.{module}"), name)
    return cls


@dataclass(slots=True)
class _Request:
    """What every attempt of one call sends; signing and attempt headers are added per attempt."""

    url: str
    body: bytes
    headers: dict[str, str]


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


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
    _query_compatible: bool = False
    _min_compression_bytes: int = 10240

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
        max_attempts: int | None = None,
        retry: RetryConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        verify: str | os.PathLike[str] | ssl.SSLContext | None = None,
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
            timeout: per-request timeout, in seconds for every phase, as an ``httpx.Timeout``,
                or ``None`` for none; default connect 10 s, read/write 30 s, pool 10 s (a
                caller's ``http_client`` keeps its own unless this is given).
            total_timeout: limit for a whole call, retries and backoff included (seconds).
            max_attempts: attempts per call, the first included; 1 disables retries.
                Default: ``AWS_MAX_ATTEMPTS``, else the profile's ``max_attempts``, else 3.
            retry: the retry mode (``RetryConfig(mode="adaptive")`` for bulk jobs) and hooks
                to watch or replace the backoff sleeps, used as given. Default: the mode of
                ``AWS_RETRY_MODE``, else of the profile's ``retry_mode``, else botocore's
                standard mode.
            http_client: an ``httpx.AsyncClient`` to send with; it stays open when this client
                closes, and every request goes through it (its hooks, auth and mounts apply).
            transport: an httpx transport to send with instead of the client's own HTTP/1.1
                connection pool, e.g. ``httpx.AsyncHTTPTransport(http2=True)`` or
                ``httpx_aiohttp.AiohttpTransport()``; it is closed with this client. Not with
                ``http_client``.
            max_response_bytes: the largest answer body accepted, as sent or once decoded
                (default 64 MiB; Cognito's answers are kilobytes); a larger one ends the call
                with ``ResponseTooLargeError``, unretried. ``None`` for no limit.
            verify: the TLS trust roots of the connections the client opens: a CA bundle
                (a PEM file or a directory) or an ``ssl.SSLContext`` (e.g. truststore's, for
                the operating system's store). Default: ``AWS_CA_BUNDLE``, the profile's
                ``ca_bundle``, ``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``, ``SSL_CERT_DIR``
                (the first set), else certifi's bundle. Not with ``http_client`` or
                ``transport``, which keep their own.

        Raises:
            NoRegionError: no region given or found, and no ``endpoint_url``.
            InvalidRegionError: the region (given or found) is not a valid host label.
            ConfigurationError: the endpoint rules reject the combination (e.g. FIPS with a
                custom endpoint), or ``AWS_MAX_ATTEMPTS``/``AWS_RETRY_MODE`` (or the
                profile's) holds a value that is not one.
        """
        settings = Profile(profile)  # the AWS config file read at most once, if needed
        self._region = resolve_region(region, settings, endpoint_url)
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
        attempts, mode = resolve_retries(
            max_attempts, None if retry is None else retry.mode, settings
        )
        self._retry = RetryPolicy(max_attempts=attempts, config=retry or RetryConfig(mode=mode))
        # An explicit timeout applies to every request; otherwise our default for the client we
        # create, and a caller-provided client keeps its own.
        timeouts = _timeouts(timeout) if timeout is not _NOT_GIVEN else None
        if total_timeout is not None and total_timeout <= 0:
            raise ValueError("total_timeout must be positive (or None for no overall limit)")
        self._total_timeout = total_timeout
        self._credentials = credentials
        self._profile = profile
        self._signer: Signer | None = None
        sending.check_options(
            transport=transport,
            http_client=http_client,
            verify=verify,
            max_response_bytes=max_response_bytes,
        )
        self._sending: dict[str, Any] = {
            "transport": transport,
            "http_client": http_client,
            "timeouts": timeouts,
            "max_response_bytes": max_response_bytes,
            "verify": verify,
            "profile": profile,
        }
        """``sending.open_sender``'s arguments, for the first call."""
        self._sender: Sender | None = None
        self._state = _State.UNOPENED
        self._base_headers = {
            "Content-Type": protocol.content_type(self._json_version),
            "User-Agent": f"aiocognito/{__version__} python/{platform.python_version()}",
        }
        if self._query_compatible:
            self._base_headers["x-amzn-query-mode"] = "true"

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def region(self) -> str | None:
        """The region requests are signed for (``None`` with an ``endpoint_url`` and no region)."""
        return self._region

    @property
    def endpoint_url(self) -> str:
        """The endpoint requests go to: the one given, or the one the rule set resolved."""
        return self._url

    @property
    def retry(self) -> RetryConfig:
        """The retry mode and hooks this client was created with (``retry=``)."""
        return self._retry.config

    def _open(self) -> None:
        if self._state is _State.CLOSED:
            raise ClientClosedError("this client is closed; create a new one")
        self._state = _State.OPENED

    def _sender_for(self) -> Sender:
        """The way this client sends, chosen once, on its first request (see ``sending``).

        Not at ``async with``: a test that opens the client and then starts a mock of httpx
        (respx) must still see the requests.
        """
        sender = self._sender
        if sender is None:
            sender = self._sender = sending.open_sender(**self._sending)
        return sender

    async def close(self) -> None:
        """Release what the client owns; a caller-provided ``httpx.AsyncClient`` stays open."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._sender is not None:
            await self._sender.aclose()
        else:
            transport = self._sending["transport"]
            if transport is not None:  # given, never used: still ours to close
                await transport.aclose()

    async def __aenter__(self: _C) -> _C:
        self._open()
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
        cls = op.input_cls
        if cls is None:
            cls = op.input_cls = _load(self._package, op.input_ref)
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
        cls = op.output_cls
        if cls is None:
            cls = op.output_cls = _load(self._package, op.output_ref)
        from .serde import describe_structure_error, from_wire

        try:
            result: OutputT = from_wire(cls, data)
            return result
        except Exception as exc:
            problem = describe_structure_error(exc)
        # Raised outside the handler: cattrs' errors may quote values of the answer.
        raise ResponseParseError(
            f"{op.name}: the response does not match {cls.__name__}: {problem}",
            operation=op.name,
        )

    async def _invoke(self, op: OperationSpec[OutputT], params: dict[str, Any]) -> OutputT:
        from .serde import to_wire

        shape = self._build_input(op, params)
        body = protocol.encode_body(to_wire(shape) if shape is not None else {})
        request = _Request(self._request_url(op, shape), body, {"X-Amz-Target": op.target})
        if "gzip" in op.compression and len(body) >= self._min_compression_bytes:
            import gzip  # only operations that accept a compressed body need it

            request.body = gzip.compress(body)
            request.headers["Content-Encoding"] = "gzip"
        self._open()
        if self._total_timeout is None:
            return await self._send(op, request)
        attempts = [0]
        deadline = asyncio.timeout(self._total_timeout)
        try:
            async with deadline:
                return await self._send(op, request, attempts)
        except builtins.TimeoutError:
            # Our TransportTimeoutError (a read or connect timeout on the last attempt) is a
            # builtins.TimeoutError too: relabel only when the total deadline itself expired.
            if not deadline.expired():
                raise
            exc = TransportTimeoutError(
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
        request: _Request,
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
            await policy.before_attempt()  # adaptive mode: a token of the client's send rate
            try:
                data = await self._attempt(op, request, invocation=invocation, attempt=attempt)
            except (ServiceError, TransportError) as exc:
                retry = policy.failed(exc, attempt)
                if retry is None:
                    exc.attempts = attempt
                    raise
                delay, acquired = retry
                logger.debug(
                    "%s retry after %s in %.3fs",
                    op.name,
                    exc.code if isinstance(exc, ServiceError) else type(exc).__name__,
                    delay,
                )
                await policy.config.sleep(delay)
                continue
            policy.succeeded(acquired)
            return self._parse_output(op, data)

    @staticmethod
    def _log_attempt(
        op: OperationSpec[Any],
        attempt: int,
        status: int | str,
        started: float,
        request_id: str | None,
    ) -> None:
        """One debug record per attempt: an HTTP status, or the transport error's name."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s attempt=%d status=%s duration_ms=%.1f request_id=%s",
                op.name,
                attempt,
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )

    async def _attempt(
        self,
        op: OperationSpec[Any],
        request: _Request,
        *,
        invocation: str,
        attempt: int,
    ) -> dict[str, Any]:
        """One HTTP exchange: the parsed JSON object of a 2xx answer, or an exception."""
        url, body = request.url, request.body
        headers = {
            **self._base_headers,
            **request.headers,
            "amz-sdk-invocation-id": invocation,
            "amz-sdk-request": f"attempt={attempt}; max={self._retry.max_attempts}",
        }
        sender = self._sender_for()
        if op.signed:
            host = http11.route(url).host
            headers = await self._signer_for().sign(url, headers, body, host=host)
        started = time.perf_counter()
        try:
            response = await sender.send("POST", url, headers, body)
        except TransportError as exc:
            # The underlying failure's name (ReadTimeout, ConnectError, ...) for the log line.
            self._log_attempt(op, attempt, type(exc.__cause__ or exc).__name__, started, None)
            exc.args = (f"{op.name}: {exc.args[0]}", *exc.args[1:])
            raise
        status, response_headers, content = response.status, response.headers, response.content
        request_id = response_headers.get("x-amzn-requestid")
        self._log_attempt(op, attempt, status, started, request_id)
        if status >= 300:
            raise protocol.parse_error(
                status=status,
                headers=response_headers,
                body=content,
                operation=op.name,
                errors=self._errors,
            )
        if op.event_stream is not None:
            from .eventstream import decode_output

            member, events = op.event_stream
            return decode_output(
                content, operation=op.name, member=member, events=events, errors=self._errors
            )
        return protocol.parse_output(
            content, operation=op.name, media_type=response_headers.get("content-type", "")
        )


_C = TypeVar("_C", bound=BaseClient)


def _timeouts(value: Any) -> dict[str, float | None]:
    """Seconds per phase from a number, ``None`` (no limits) or an ``httpx.Timeout``."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return dict.fromkeys(DEFAULT_TIMEOUTS, None if value is None else float(value))
    as_dict = getattr(value, "as_dict", None)
    if as_dict is None:
        raise TypeError(f"timeout must be seconds, None or an httpx.Timeout, not {value!r}")
    limits: dict[str, float | None] = as_dict()
    return limits
