"""The runtime every generated client method goes through: one call, many operations."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import enum
import gzip
import importlib
import logging
import os
import platform
import sys
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._version import __version__
from . import endpoints, http11, protocol
from .config import DEFAULT_TIMEOUTS, DEFAULT_TOTAL_TIMEOUT, resolve_region, shared_ssl_context
from .errors import (
    CognitoError,
    ConfigurationError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    TimeoutError,
    TransportError,
)
from .retries import RetryConfig, RetryPolicy

if TYPE_CHECKING:
    import httpx

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


class ClientClosedError(CognitoError, RuntimeError):
    """The client was closed; create a new one."""


_NOT_GIVEN: Any = object()
_MAX_CONNECTIONS = 100
"""Connections per client we create (httpx's default pool size)."""
_MAX_ROUTES = 64


@dataclass(slots=True)
class _Route:
    """Where one endpoint URL goes, worked out once per URL."""

    origin: http11.Origin
    target: bytes
    host: bytes
    transport: Any = None
    """``None``: our own connection pool; else the httpx transport for the URL (a proxy)."""


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
        max_attempts: int = 3,
        retry: RetryConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
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
            retry: the retry mode (``RetryConfig(mode="adaptive")`` for bulk jobs) and hooks
                to watch or replace the backoff sleeps; default: botocore's standard mode.
            http_client: an ``httpx.AsyncClient`` to send with; it stays open when this client
                closes, and every request goes through it (its hooks, auth and mounts apply).
            transport: an httpx transport to send with instead of the client's own HTTP/1.1
                connection pool, e.g. ``httpx.AsyncHTTPTransport(http2=True)`` or
                ``httpx_aiohttp.AiohttpTransport()``; it is closed with this client. Not with
                ``http_client``.

        Raises:
            NoRegionError: no region given or found, and no ``endpoint_url``.
            InvalidRegionError: the region (given or found) is not a valid host label.
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
        self._retry = RetryPolicy(max_attempts=max_attempts, config=retry or RetryConfig())
        # An explicit timeout applies to every request; otherwise our default for the client we
        # create, and a caller-provided client keeps its own.
        self._timeout_given = timeout is not _NOT_GIVEN
        self._timeouts = _timeouts(timeout) if self._timeout_given else dict(DEFAULT_TIMEOUTS)
        self._extensions: dict[str, Any] = {"timeout": self._timeouts}
        if total_timeout is not None and total_timeout <= 0:
            raise ValueError("total_timeout must be positive (or None for no overall limit)")
        self._total_timeout = total_timeout
        self._credentials = credentials
        self._profile = profile
        self._signer: Signer | None = None
        if http_client is not None and transport is not None:
            raise ConfigurationError(
                "pass either http_client or transport: a caller's httpx client has its own"
            )
        self._owns_http = http_client is None
        self._http = http_client
        """The caller's httpx client, or one of ours when a transport or proxy needs it."""
        self._transport_arg = transport
        self._pool: http11.ConnectionPool | None = None
        self._routes: dict[str, _Route] = {}
        self._mock_transport: httpx.AsyncBaseTransport | None = None
        self._slots: asyncio.Semaphore | None = None
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
        if self._state is _State.UNOPENED and self._owns_http:
            self._set_up_transport()
        self._state = _State.OPENED

    def _set_up_transport(self) -> None:
        """Our own connection pool, plus an httpx client only when a transport or proxy needs one.

        Each request then goes straight to the transport httpx would pick for its URL: our
        requests need nothing of httpx's client layer (hooks, auth, cookies, redirects), which
        costs more per call than our whole request cycle, and without it httpx is not even
        imported.
        """
        transport = self._transport_arg
        if transport is None:
            self._pool = http11.ConnectionPool(max_connections=_MAX_CONNECTIONS)
        else:
            from .transport import AsyncioTransport

            if isinstance(transport, AsyncioTransport):
                self._pool = transport.pool
            else:
                # httpcore 1.0's pool does O(queued requests x connections) work, plus
                # O(connections^2), each time a request starts or ends: with hundreds of calls
                # queued on one client it spends most of its time there (500 concurrent calls
                # against a local server failing 30% of requests: 7 s instead of 1.5 s). Calls
                # beyond the pool's size wait for a slot here instead, in O(1).
                self._slots = asyncio.Semaphore(_MAX_CONNECTIONS)
        if (transport is not None and self._pool is None) or _proxies_configured():
            import httpx

            from .transport import AsyncioTransport

            if transport is None:
                transport = AsyncioTransport(pool=self._pool)
            self._http = httpx.AsyncClient(transport=transport, mounts=_environment_proxies())

    async def close(self) -> None:
        """Release what the client owns; a caller-provided ``httpx.AsyncClient`` stays open."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._owns_http:
            if self._http is not None:
                await self._http.aclose()
            if self._pool is not None:
                await self._pool.aclose()
        if self._mock_transport is not None:
            await self._mock_transport.aclose()

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
            # Our TimeoutError (a read or connect timeout on the last attempt) is a builtins
            # TimeoutError too: relabel only when the total deadline itself expired.
            if not deadline.expired():
                raise
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

    def _describe_timeout(self, name: str, phase: str | None) -> str:
        """``ReadTimeout: nothing within the read timeout of 0.3 s``."""
        limit: float | None = None
        if phase is not None:
            if self._owns_http or self._timeout_given:
                limit = self._timeouts.get(phase)
            elif self._http is not None:
                limit = getattr(self._http.timeout, phase, None)
        if limit is None:
            return f"{name} (HTTP timeout)"
        return f"{name}: nothing within the {phase} timeout of {limit:g} s"

    def _route(self, url: str) -> _Route:
        route = self._routes.get(url)
        if route is None:
            if len(self._routes) >= _MAX_ROUTES:  # host prefixes can make URLs many
                self._routes.clear()
            origin, target, host = http11.split_url(url)
            route = _Route(origin, target.encode(), host.encode("idna"))
            if self._owns_http and self._http is not None:  # our httpx client: its pick
                import httpx

                # Private, but unchanged since httpx 0.18.
                chosen = self._http._transport_for_url(httpx.URL(url))  # pyright: ignore[reportPrivateUsage]
                if self._pool is None or getattr(chosen, "pool", None) is not self._pool:
                    route.transport = chosen
            self._routes[url] = route
        return route

    async def _send_pool(
        self, route: _Route, headers: dict[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """POST through our own connection pool."""
        assert self._pool is not None
        raw = [(b"Host", route.host)]
        raw += [(k.encode(), v.encode()) for k, v in headers.items()]
        raw.append((b"Content-Length", str(len(body)).encode()))
        status, raw_headers, content = await self._pool.exchange(
            route.origin, b"POST", route.target, raw, body, timeouts=self._timeouts
        )
        response_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
        if response_headers.get("content-encoding", "identity") != "identity":
            # A compressed answer we did not ask for: httpx decodes it.
            import httpx

            response = httpx.Response(status, headers=raw_headers, content=content)
            return status, response.headers, response.content
        return status, response_headers, content

    async def _send_transport(
        self, route: _Route, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """POST through an httpx transport: the one given, a proxy's, or httpx's own under a mock."""
        import httpx

        transport = route.transport or self._mock_route()
        request = httpx.Request(
            "POST", url, headers=headers, content=body, extensions=self._extensions
        )
        response = await transport.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        return response.status_code, response.headers, content

    async def _send_http_client(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """POST through the caller's httpx client, with all it applies (hooks, auth, mounts)."""
        import httpx

        assert self._http is not None
        timeout: Any = (
            httpx.Timeout(**self._timeouts) if self._timeout_given else httpx.USE_CLIENT_DEFAULT
        )
        response = await self._http.post(url, content=body, headers=headers, timeout=timeout)
        return response.status_code, response.headers, response.content

    def _mock_route(self) -> httpx.AsyncBaseTransport:
        """httpx's default transport, for while httpcore is mocked (see ``_httpcore_mocked``)."""
        if self._mock_transport is None:
            import httpx

            self._mock_transport = httpx.AsyncHTTPTransport(verify=shared_ssl_context())
        return self._mock_transport

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
        route = self._route(url)
        if op.signed:
            headers = await self._signer_for().sign(url, headers, body, host=route.host)
        started = time.perf_counter()
        try:
            async with self._slots or contextlib.nullcontext():
                if not self._owns_http:
                    status, response_headers, content = await self._send_http_client(
                        url, headers, body
                    )
                elif route.transport is None and not _httpcore_mocked():
                    status, response_headers, content = await self._send_pool(route, headers, body)
                else:
                    status, response_headers, content = await self._send_transport(
                        route, url, headers, body
                    )
        except asyncio.CancelledError:
            for holder in (self._http, self._transport_arg, self._mock_transport):
                await _close_orphaned_connections(holder)
            raise
        except Exception as exc:
            failure = _failure_kind(exc)
            if failure is None:
                raise
            name = type(exc).__name__
            self._log_attempt(op, attempt, name, started, None)
            timed_out, phase = failure
            if timed_out:
                raise TimeoutError(f"{op.name}: {self._describe_timeout(name, phase)}") from exc
            raise TransportError(f"{op.name}: {_describe(exc)}") from exc
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

_TIMEOUT_PHASES = {
    "ConnectTimeout": "connect",
    "ReadTimeout": "read",
    "WriteTimeout": "write",
    "PoolTimeout": "pool",
}
"""By exception name: httpx's timeouts and ours (``http11``) share their names."""


def _failure_kind(exc: Exception) -> tuple[bool, str | None] | None:
    """``(timed out, which timeout)`` for a transport failure, ``None`` for anything else."""
    if isinstance(exc, http11.HTTPFailure):
        return (exc.phase is not None, exc.phase)
    httpx = sys.modules.get("httpx")  # an httpx failure implies httpx is loaded
    if httpx is None or not isinstance(exc, httpx.HTTPError):
        return None
    if isinstance(exc, httpx.TimeoutException):
        return (True, _TIMEOUT_PHASES.get(type(exc).__name__))
    return (False, None)


def _timeouts(value: Any) -> dict[str, float | None]:
    """Seconds per phase from a number, ``None`` (no limits) or an ``httpx.Timeout``."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return dict.fromkeys(DEFAULT_TIMEOUTS, None if value is None else float(value))
    as_dict = getattr(value, "as_dict", None)
    if as_dict is None:
        raise TypeError(f"timeout must be seconds, None or an httpx.Timeout, not {value!r}")
    limits: dict[str, float | None] = as_dict()
    return limits


async def _close_orphaned_connections(holder: object) -> None:
    """Close pool connections that no request owns, after a cancelled request.

    httpcore 1.0.x can leave a connection behind when a request is cancelled between getting
    a connection and starting to use it (encode/httpcore#1093): the connection is neither
    idle nor closed, so the pool never reuses nor reclaims it, and its socket stays open.
    Enough of them fill the pool, and every later call fails with a pool timeout. A
    connection in use always belongs to a request the pool still holds, so a busy connection
    without one is such an orphan. Only httpcore's private state tells; when it changes, this
    does nothing.
    """
    transport = getattr(holder, "_transport", holder)  # an httpx client's, or a transport
    pool = getattr(transport, "_pool", None)
    connections = getattr(pool, "_connections", None)
    requests = getattr(pool, "_requests", None)
    if not isinstance(connections, list) or not isinstance(requests, list):
        return
    # httpcore's private lists are untyped to pyright, whatever this annotation says.
    pooled: list[Any] = connections  # pyright: ignore[reportUnknownVariableType]
    held: list[Any] = requests  # pyright: ignore[reportUnknownVariableType]
    owned = {id(getattr(request, "connection", None)) for request in held}
    orphans = [c for c in pooled if id(c) not in owned and not c.is_idle() and not c.is_closed()]
    for connection in orphans:
        pooled.remove(connection)
    for connection in orphans:
        with contextlib.suppress(Exception):
            await connection.aclose()


def _environment_proxies() -> dict[str, httpx.AsyncBaseTransport | None]:
    """Transports for the proxies of HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY.

    httpx reads these only for a client it builds its own transport for, so we mount them
    ourselves, with httpx's own reading of the variables (a private helper; without it, none).
    ``None`` sends a URL to our transport (NO_PROXY).
    """
    import httpx

    try:
        from httpx._utils import get_environment_proxies
    except ImportError:  # pragma: no cover - a future httpx
        return {}
    return {
        pattern: None
        if url is None
        else httpx.AsyncHTTPTransport(
            proxy=url,
            verify=shared_ssl_context(),
            limits=httpx.Limits(
                max_connections=_MAX_CONNECTIONS, max_keepalive_connections=_MAX_CONNECTIONS
            ),
        )
        for pattern, url in get_environment_proxies().items()
    }


def _httpcore_mocked() -> bool:
    """Whether a test double (respx's default mocker) replaced httpcore's pool method.

    Our own transport does not go through httpcore, so such a mock would not see our requests;
    while it is in place, requests take httpx's default transport instead.
    """
    httpcore = sys.modules.get("httpcore")
    if httpcore is None:  # never imported, so never patched
        return False
    method = httpcore.AsyncConnectionPool.__dict__.get("handle_async_request")
    return getattr(method, "__module__", None) != "httpcore._async.connection_pool"


def _proxies_configured() -> bool:
    """Whether any proxy variable is set (httpx reads them; this only decides whether to ask)."""
    return any(
        value and key.lower() in ("http_proxy", "https_proxy", "all_proxy")
        for key, value in os.environ.items()
    )


def _describe(exc: BaseException) -> str:
    """``ReadError: [Errno 104] Connection reset by peer``.

    httpx's exception for a reset connection has an empty message, and the one for a refused
    connection says "All connection attempts failed": the reason is further down the chain
    of causes, in the operating system's error.
    """
    text = ""
    cause: BaseException | None = exc
    while cause is not None:
        text = text or str(cause)
        if isinstance(cause, OSError) and cause.errno is not None:
            reason = str(cause)
            text = reason if not text or text == reason else f"{text} ({reason})"
            break
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
