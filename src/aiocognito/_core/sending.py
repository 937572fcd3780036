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
status is the caller's business. The body is bounded (``max_response_bytes``, compressed and
decoded alike, enforced while it arrives); past it, ``ResponseTooLargeError`` and the
connection is closed. Anything that is not an answer raises ``TransportError``
(``TransportTimeoutError`` for timeouts) with a message naming what failed, never a header
value or a body, chained to the underlying exception. There are no retries here: retry policy
belongs to the caller.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import zlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import http11, httpx_compat
from .config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUTS,
    Verify,
    check_verify,
    shared_ssl_context,
    ssl_context_for,
)
from .errors import (
    ConfigurationError,
    ResponseTooLargeError,
    TransportError,
    TransportTimeoutError,
)

if TYPE_CHECKING:
    import httpx

Timeouts = Mapping[str, float | None]
"""Seconds per phase (connect, read, write, pool), ``None`` for no limit: httpx's names."""

_MAX_ROUTES = 64
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})
_QUOTED_BYTES = re.compile(r"(?:bytearray\()?b['\"].*", re.DOTALL)
"""Where a parser's error quotes what the peer sent (h11: ``illegal header line: b'...'``)."""
_MAX_REASON = 200


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
    verify: Verify | None = None,
    max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
) -> None:
    """Refuse options that cannot apply (``open_sender`` checks them too)."""
    check_verify(verify)
    if max_response_bytes is not None and max_response_bytes < 1:
        raise ValueError("max_response_bytes must be positive (or None for no limit)")
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
    verify: Verify | None = None,
    max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    profile: str | None = None,
) -> Sender:
    """The sender for these options, chosen once (see the module's table).

    Args:
        transport: an httpx transport to send with; it is closed with the sender.
        http_client: an ``httpx.AsyncClient`` to send through; never closed by the sender.
        timeouts: seconds per phase (``None``: no limit); phases left out, or all when this
            is ``None``, get connect 10 s, read/write 30 s, pool 10 s (a caller's
            ``http_client`` keeps its own unless this is given).
        verify: trust roots for the connections we open: a CA bundle (file or directory)
            or an ``ssl.SSLContext``; default: what the environment names
            (``AWS_CA_BUNDLE``, the profile's ``ca_bundle``, ``REQUESTS_CA_BUNDLE``,
            ``SSL_CERT_FILE``, ``SSL_CERT_DIR``, in this order), else certifi's bundle.
        max_response_bytes: the largest answer body accepted, compressed or decoded
            (``None``: no limit).
        profile: the AWS profile whose ``ca_bundle`` counts (default: ``AWS_PROFILE``).

    Raises:
        ConfigurationError: both ``transport`` and ``http_client``, ``verify`` with
            either, or a CA bundle that cannot be read.
    """
    check_options(
        transport=transport,
        http_client=http_client,
        verify=verify,
        max_response_bytes=max_response_bytes,
    )
    most = max_response_bytes
    # Phases not given keep their default (an httpx.Timeout needs all four).
    limits = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
    if http_client is not None:
        return _ClientSender(http_client, None if timeouts is None else limits, most)
    if transport is not None:
        from .transport import AsyncioTransport  # httpx is loaded: a transport was given

        if isinstance(transport, AsyncioTransport):
            return _PoolSender(transport.pool, limits, most)
        return _TransportSender(transport, limits, most, limit_concurrency=True)
    context = ssl_context_for(verify, profile=profile)
    if httpx_compat.httpcore_mocked():
        mocked = httpx_compat.default_transport(context or shared_ssl_context())
        return _TransportSender(mocked, limits, most)
    pool = http11.ConnectionPool(ssl_context=context, max_connections=httpx_compat.MAX_CONNECTIONS)
    direct = _PoolSender(pool, limits, most)
    if httpx_compat.proxies_configured():
        return _ProxySender(direct, context, limits, most)
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
    of causes, in the operating system's error. What a parser quotes of the answer is left
    out (a malformed header line can be 64 KiB, and can repeat what the request sent), and
    the text is cut at 200 characters.
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
    text = _QUOTED_BYTES.sub("(the bytes received left out)", text)
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _http11_failure(exc: http11.HTTPFailure, limits: Timeouts | None) -> TransportError:
    if isinstance(exc, http11.ResponseTooLarge):
        return ResponseTooLargeError(str(exc))
    if exc.phase is not None:
        return TransportTimeoutError(_describe_timeout(type(exc).__name__, exc.phase, limits))
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
    what, phase = kind
    if what == "timeout":
        return TransportTimeoutError(_describe_timeout(type(exc).__name__, phase, limits))
    if what == "too large":
        return ResponseTooLargeError("answer header block over httpcore's limit")
    return TransportError(_describe(exc))


def _too_large(limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(f"answer body over the limit of {limit} bytes")


def _decode(encoding: str, content: bytes, limit: int | None) -> bytes:
    """A gzip or deflate body we did not ask for, decoded to at most ``limit`` bytes.

    Our requests send no Accept-Encoding, so a compressed answer comes from a proxy or a
    misbehaving server; a kilobyte of gzip can expand to gigabytes, hence the bound while
    decompressing. Other codings are left as they came (as httpx leaves unknown ones).
    """
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        wbits = zlib.MAX_WBITS | 16
    elif coding == "deflate":
        # Mostly zlib-wrapped as the RFC says, sometimes raw deflate, as httpx also accepts.
        wbits = (zlib.MAX_WBITS | 32) if content[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        return content
    decoder = zlib.decompressobj(wbits)
    try:
        if limit is None:
            return decoder.decompress(content) + decoder.flush()
        decoded = decoder.decompress(content, limit + 1)
    except zlib.error as exc:
        raise TransportError(f"DecodingError: {coding} body cannot be decoded ({exc})") from None
    if len(decoded) > limit:
        raise ResponseTooLargeError(
            f"{coding} answer body decodes to over the limit of {limit} bytes"
        )
    return decoded


async def _read_bounded(response: httpx.Response, limit: int | None) -> bytes:
    """An httpx response's body, decoded, failing as soon as it passes ``limit`` bytes."""
    if limit is None:
        return await response.aread()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)  # closing the unread response closes its connection
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_httpx(
    answer: Coroutine[Any, Any, httpx.Response],
    holder: object,
    max_body: int | None,
    limits: Callable[[], Timeouts],
) -> HTTPResponse:
    """The whole answer an httpx transport or client gives, or our exception for a failure.

    ``holder`` is the transport or client whose pool a cancelled request may leave a
    connection in (``httpx_compat.close_orphaned_connections``); ``limits`` gives the timeouts
    a timeout's message names.
    """
    try:
        response = await answer
        try:
            content = await _read_bounded(response, max_body)
        finally:
            await response.aclose()
    except asyncio.CancelledError:
        await httpx_compat.close_orphaned_connections(holder)
        raise
    except Exception as exc:
        error = _failure(exc, limits())
        if error is None:
            raise
        raise error from exc
    return HTTPResponse(response.status_code, response.headers, content)


# -- the senders -------------------------------------------------------------------------------
class _PoolSender:
    """Our own HTTP/1.1 connection pool (``http11``), without httpx."""

    def __init__(
        self, pool: http11.ConnectionPool, timeouts: Timeouts, max_body: int | None
    ) -> None:
        self.pool = pool
        self._timeouts = timeouts
        self._max_body = max_body

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
                origin,
                method.encode(),
                target,
                raw,
                body,
                timeouts=self._timeouts,
                max_body=self._max_body,
            )
        except http11.HTTPFailure as exc:
            raise _http11_failure(exc, self._timeouts) from exc
        answer = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
        encoding = answer.get("content-encoding")
        if encoding is not None and content:
            content = _decode(encoding, content, self._max_body)
        return HTTPResponse(status, answer, content)

    async def aclose(self) -> None:
        await self.pool.aclose()


class _TransportSender:
    """An httpx transport: a caller's, a proxy's, or httpx's default one under a mock."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        timeouts: Timeouts,
        max_body: int | None,
        *,
        limit_concurrency: bool = False,
    ) -> None:
        self.transport = transport
        self._timeouts = timeouts
        self._max_body = max_body
        self._extensions: dict[str, Any] = {"timeout": dict(timeouts)}
        # httpcore 1.0's pool does O(queued requests x connections) work, plus
        # O(connections^2), each time a request starts or ends, so with hundreds of calls
        # queued it spends most of its time there. Calls beyond the pool's size wait for a
        # slot here instead, in O(1).
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
        answer = self.transport.handle_async_request(request)
        return await _read_httpx(answer, self.transport, self._max_body, self._limits)

    def _limits(self) -> Timeouts:
        return self._timeouts

    async def aclose(self) -> None:
        await self.transport.aclose()


class _ClientSender:
    """A caller's ``httpx.AsyncClient``, with all it applies (hooks, auth, mounts)."""

    def __init__(
        self, client: httpx.AsyncClient, timeouts: Timeouts | None, max_body: int | None
    ) -> None:
        import httpx

        self.client = client
        self._timeouts = timeouts
        self._max_body = max_body
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
        answer = client.send(request, stream=True)
        return await _read_httpx(answer, client, self._max_body, self._limits)

    def _limits(self) -> Timeouts:
        """The timeouts in force: ours when given, else the client's own."""
        return self.client.timeout.as_dict() if self._timeouts is None else self._timeouts

    async def aclose(self) -> None:
        """The client is the caller's: it stays open."""


class _ProxySender:
    """Per URL, as the proxy variables say: our own pool, or httpx's transport for a proxy."""

    def __init__(
        self,
        direct: _PoolSender,
        context: ssl.SSLContext | None,
        timeouts: Timeouts,
        max_body: int | None,
    ) -> None:
        self.direct = direct
        self._context = context
        self._timeouts = timeouts
        self._max_body = max_body
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
                found = _TransportSender(transport, self._timeouts, self._max_body)
                self._proxies[proxy] = found
            sender = found
        self._routes[url] = sender
        return sender

    async def aclose(self) -> None:
        for sender in self._proxies.values():
            await sender.aclose()
        await self.direct.aclose()
