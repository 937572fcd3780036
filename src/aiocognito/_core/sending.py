"""The transport seam: how HTTP requests leave the process, chosen once when a client opens.

Everything in aiocognito that sends HTTP (the API client, the JWKS and OAuth helpers) goes
through a ``Sender`` from ``open_sender``, so that each gets the SDK's own connection pool by
default, honours a caller's ``transport=`` or ``http_client=``, and inherits the same timeouts,
trust roots and proxy handling. There is one implementation per way of sending:

===============================================  ==============================================
what the caller gave                             the sender
===============================================  ==============================================
``http_client=`` (an ``httpx.AsyncClient``)      ``_ClientSender``: through it, with its hooks,
                                                 auth and mounts; never closed by us
``transport=`` our ``AsyncioTransport``          ``_PoolSender`` on that transport's pool
``transport=`` any other httpx transport         ``_TransportSender`` on it
nothing, while a test double mocks httpcore      ``_TransportSender`` on httpx's default
(respx)                                          transport, where the mock sees the requests
nothing, with a proxy variable set               ``_ProxySender``: per URL our pool, or httpx's
                                                 proxy transport (NO_PROXY honoured)
nothing                                          ``_PoolSender`` on our own HTTP/1.1 pool
                                                 (``http11``): httpx is never imported
===============================================  ==============================================

A sender returns the whole answer (``HTTPResponse``) whatever its status: interpreting the
status is the caller's business. Anything that is not an answer raises ``TransportError``
(``TimeoutError`` for timeouts) with a message naming what failed, never a header value or a
body, chained to the underlying exception. There are no retries here: retry policy belongs to
the caller.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import http11, httpx_compat
from .config import DEFAULT_TIMEOUTS, shared_ssl_context, ssl_context_for
from .errors import ConfigurationError, TimeoutError, TransportError

if TYPE_CHECKING:
    import httpx

Timeouts = Mapping[str, float | None]
"""Seconds per phase (connect, read, write, pool), ``None`` for no limit: httpx's names."""

_MAX_ROUTES = 64
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})


@dataclass(frozen=True, slots=True)
class HTTPResponse:
    """A whole HTTP answer."""

    status: int
    headers: Mapping[str, str]
    """Names in lower case."""
    content: bytes
    """The body, decoded from any ``Content-Encoding``."""


class Sender(Protocol):
    """One way of sending HTTP requests (see the module's table)."""

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        """Send one request and return the whole answer, or raise ``TransportError``."""
        ...

    async def aclose(self) -> None:
        """Release what the sender owns (a caller's ``http_client`` stays open)."""
        ...


def check_options(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
    verify: str | ssl.SSLContext | None = None,
) -> None:
    """Refuse combinations that cannot all apply (``open_sender`` checks them too)."""
    if http_client is not None and transport is not None:
        raise ConfigurationError(
            "pass either http_client or transport: a caller's httpx client has its own"
        )
    if verify is not None and (http_client is not None or transport is not None):
        raise ConfigurationError(
            "verify= applies to the connections aiocognito opens; a caller's transport or "
            "http_client keeps its own TLS settings"
        )


def open_sender(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
    timeouts: Timeouts | None = None,
    verify: str | ssl.SSLContext | None = None,
) -> Sender:
    """The sender for these options, chosen once (see the module's table).

    Args:
        transport: an httpx transport to send with; it is closed with the sender.
        http_client: an ``httpx.AsyncClient`` to send through; never closed by the sender.
        timeouts: seconds per phase; default connect 10 s, read/write 30 s, pool 10 s (a
            caller's ``http_client`` keeps its own unless this is given).
        verify: trust roots for the connections we open: a CA bundle (file or directory)
            or an ``ssl.SSLContext``; default certifi's bundle.

    Raises:
        ConfigurationError: both ``transport`` and ``http_client``, or ``verify`` with
            either.
    """
    check_options(transport=transport, http_client=http_client, verify=verify)
    if http_client is not None:
        return _ClientSender(http_client, timeouts)
    limits = dict(DEFAULT_TIMEOUTS if timeouts is None else timeouts)
    if transport is not None:
        from .transport import AsyncioTransport  # httpx is loaded: a transport was given

        if isinstance(transport, AsyncioTransport):
            return _PoolSender(transport.pool, limits)
        return _TransportSender(transport, limits, limit_concurrency=True)
    context = None if verify is None else ssl_context_for(verify)
    if httpx_compat.httpcore_mocked():
        mocked = httpx_compat.default_transport(context or shared_ssl_context())
        return _TransportSender(mocked, limits)
    pool = http11.ConnectionPool(ssl_context=context, max_connections=httpx_compat.MAX_CONNECTIONS)
    direct = _PoolSender(pool, limits)
    if httpx_compat.proxies_configured():
        return _ProxySender(direct, context, limits)
    return direct


# -- failures ----------------------------------------------------------------------------------
def _describe_timeout(name: str, phase: str | None, limits: Timeouts | None) -> str:
    """``ReadTimeout: nothing within the read timeout of 0.3 s``."""
    limit = None if phase is None or limits is None else limits.get(phase)
    if limit is None:
        return f"{name} (HTTP timeout)"
    return f"{name}: nothing within the {phase} timeout of {limit:g} s"


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


def _http11_failure(exc: http11.HTTPFailure, limits: Timeouts | None) -> TransportError:
    if exc.phase is not None:
        return TimeoutError(_describe_timeout(type(exc).__name__, exc.phase, limits))
    return TransportError(_describe(exc))


def _failure(exc: BaseException, limits: Timeouts | None) -> TransportError | None:
    """Our exception for a failure of ``http11`` or httpx; ``None`` for anything else."""
    if isinstance(exc, http11.HTTPFailure):
        return _http11_failure(exc, limits)
    kind = httpx_compat.failure_kind(exc)
    if kind is None:
        return None
    if isinstance(exc.__cause__, http11.HTTPFailure):  # our pool behind an httpx client
        return _http11_failure(exc.__cause__, limits)
    timed_out, phase = kind
    if timed_out:
        return TimeoutError(_describe_timeout(type(exc).__name__, phase, limits))
    return TransportError(_describe(exc))


# -- the senders -------------------------------------------------------------------------------
class _PoolSender:
    """Our own HTTP/1.1 connection pool (``http11``), without httpx."""

    def __init__(self, pool: http11.ConnectionPool, timeouts: Timeouts) -> None:
        self.pool = pool
        self._timeouts = timeouts

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        origin, target, host = http11.route(url)
        raw = [(b"Host", host)]
        if headers:
            raw += [(k.encode(), v.encode()) for k, v in headers.items()]
        if body or method not in _NO_BODY_METHODS:
            raw.append((b"Content-Length", str(len(body)).encode()))
        try:
            status, raw_headers, content = await self.pool.exchange(
                origin, method.encode(), target, raw, body, timeouts=self._timeouts
            )
        except http11.HTTPFailure as exc:
            raise _http11_failure(exc, self._timeouts) from exc
        answer = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
        if answer.get("content-encoding", "identity") != "identity":
            # A compressed answer we did not ask for: httpx decodes it.
            import httpx

            response = httpx.Response(status, headers=raw_headers, content=content)
            return HTTPResponse(status, response.headers, response.content)
        return HTTPResponse(status, answer, content)

    async def aclose(self) -> None:
        await self.pool.aclose()


class _TransportSender:
    """An httpx transport: a caller's, a proxy's, or httpx's default one under a mock."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        timeouts: Timeouts,
        *,
        limit_concurrency: bool = False,
    ) -> None:
        self.transport = transport
        self._timeouts = timeouts
        self._extensions: dict[str, Any] = {"timeout": dict(timeouts)}
        # httpcore 1.0's pool does O(queued requests x connections) work, plus
        # O(connections^2), each time a request starts or ends, so a caller's transport with
        # hundreds of calls queued spends most of its time there (benchmarks/RESULTS.md).
        # Calls beyond the pool's size wait for a slot here instead, in O(1).
        self.slots = asyncio.Semaphore(httpx_compat.MAX_CONNECTIONS) if limit_concurrency else None

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        if self.slots is None:
            return await self._send(method, url, headers, body)
        async with self.slots:
            return await self._send(method, url, headers, body)

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str] | None, body: bytes
    ) -> HTTPResponse:
        import httpx

        request = httpx.Request(
            method, url, headers=headers, content=body, extensions=self._extensions
        )
        try:
            response = await self.transport.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except asyncio.CancelledError:
            await httpx_compat.close_orphaned_connections(self.transport)
            raise
        except Exception as exc:
            error = _failure(exc, self._timeouts)
            if error is None:
                raise
            raise error from exc
        return HTTPResponse(response.status_code, response.headers, content)

    async def aclose(self) -> None:
        await self.transport.aclose()


class _ClientSender:
    """A caller's ``httpx.AsyncClient``, with all it applies (hooks, auth, mounts)."""

    def __init__(self, client: httpx.AsyncClient, timeouts: Timeouts | None) -> None:
        import httpx

        self.client = client
        self._timeouts = timeouts
        self._timeout: Any = (
            httpx.USE_CLIENT_DEFAULT if timeouts is None else httpx.Timeout(**timeouts)
        )

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        client = self.client
        request = client.build_request(
            method, url, content=body, headers=headers, timeout=self._timeout
        )
        try:
            response = await client.send(request, stream=True)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except asyncio.CancelledError:
            await httpx_compat.close_orphaned_connections(client)
            raise
        except Exception as exc:
            limits = self._timeouts
            if limits is None:
                limits = client.timeout.as_dict()
            error = _failure(exc, limits)
            if error is None:
                raise
            raise error from exc
        return HTTPResponse(response.status_code, response.headers, content)

    async def aclose(self) -> None:
        """The client is the caller's: it stays open."""


class _ProxySender:
    """Per URL, as the proxy variables say: our own pool, or httpx's transport for a proxy."""

    def __init__(
        self, direct: _PoolSender, context: ssl.SSLContext | None, timeouts: Timeouts
    ) -> None:
        self.direct = direct
        self._context = context
        self._timeouts = timeouts
        self._router = httpx_compat.ProxyRouter()
        self._proxies: dict[str, _TransportSender] = {}
        self._routes: dict[str, _PoolSender | _TransportSender] = {}

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        sender = self._routes.get(url) or self._route(url)
        return await sender.send(method, url, headers, body)

    def _route(self, url: str) -> _PoolSender | _TransportSender:
        if len(self._routes) >= _MAX_ROUTES:  # host prefixes can make URLs many
            self._routes.clear()
        proxy = self._router.proxy_for(url)
        sender: _PoolSender | _TransportSender
        if proxy is None:
            sender = self.direct
        else:
            found = self._proxies.get(proxy)
            if found is None:
                transport = httpx_compat.proxy_transport(
                    proxy, self._context or shared_ssl_context()
                )
                found = self._proxies[proxy] = _TransportSender(transport, self._timeouts)
            sender = found
        self._routes[url] = sender
        return sender

    async def aclose(self) -> None:
        for sender in self._proxies.values():
            await sender.aclose()
        await self.direct.aclose()
