"""Every use of httpx's and httpcore's private APIs, and the exception table, in one place.

The rest of the runtime talks to httpx only through its public API and through this module.
pyproject.toml bounds httpx to the versions the tests have seen, because of what is here; when
a new httpx changes one of these, this module is what to fix (``nox -s httpx_latest`` runs the
transport tests against the newest httpx). Each helper degrades to "nothing to do" rather than
failing when the private name it needs is gone.

Nothing here imports httpx at module level: the client's default path never imports it, and
the helpers below are only called once something (a caller's transport or client, a proxy, a
mock) has brought httpx in.
"""

from __future__ import annotations

import contextlib
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

    import httpx

    from . import http11

MAX_CONNECTIONS = 100
"""Connections per transport we create (httpx's default pool size)."""

Failure = tuple[str, str | None]
"""``("timeout", phase)`` (connect/read/write/pool, or None when httpx does not say),
``("too large", None)`` for an answer past a size limit, ``("error", None)`` for the rest."""
_ERROR: Failure = ("error", None)


@cache
def exception_table() -> tuple[tuple[type[Exception], Failure], ...]:
    """httpx's exceptions, most specific first, and what each means for the client.

    As httpx's own ``HTTPCORE_EXC_MAP``, an explicit table checked with ``isinstance`` in
    order: a new httpx subclass of one of these lands on its parent's row. ``HTTPError``
    last: whatever else httpx (or a caller's event hook) raises is still a failure to
    send, never an answer.
    """
    import httpx

    return (
        (httpx.ConnectTimeout, ("timeout", "connect")),
        (httpx.ReadTimeout, ("timeout", "read")),
        (httpx.WriteTimeout, ("timeout", "write")),
        (httpx.PoolTimeout, ("timeout", "pool")),
        (httpx.TimeoutException, ("timeout", None)),
        (httpx.ConnectError, _ERROR),
        (httpx.ReadError, _ERROR),
        (httpx.WriteError, _ERROR),
        (httpx.CloseError, _ERROR),
        (httpx.ProxyError, _ERROR),
        (httpx.UnsupportedProtocol, _ERROR),
        (httpx.RemoteProtocolError, _ERROR),
        (httpx.LocalProtocolError, _ERROR),
        (httpx.DecodingError, _ERROR),
        (httpx.TooManyRedirects, _ERROR),
        (httpx.HTTPError, _ERROR),
    )


def failure_kind(exc: BaseException) -> Failure | None:
    """What an httpx exception means (see ``exception_table``); ``None`` for anything else."""
    if "httpx" not in sys.modules:  # an httpx exception implies httpx is loaded
        return None
    for cls, kind in exception_table():
        if isinstance(exc, cls):
            if kind == _ERROR and _header_block_too_large(exc):
                return ("too large", None)
            return kind
    return None


def _header_block_too_large(exc: BaseException) -> bool:
    """Whether httpcore gave up on a header block past its limit (100 KiB).

    h11 says so with ``error_status_hint == 431`` ("Receive buffer too long"); httpcore and
    httpx chain their exceptions to it, so it is found down the chain of causes.
    """
    cause: BaseException | None = exc
    for _ in range(5):
        if cause is None:
            return False
        if getattr(cause, "error_status_hint", None) == 431:
            return True
        cause = cause.__cause__ or cause.__context__
    return False


@cache
def _http11_table() -> tuple[tuple[type[Exception], type[httpx.TransportError]], ...]:
    import httpx

    from . import http11

    return (
        (http11.ConnectTimeout, httpx.ConnectTimeout),
        (http11.ReadTimeout, httpx.ReadTimeout),
        (http11.WriteTimeout, httpx.WriteTimeout),
        (http11.PoolTimeout, httpx.PoolTimeout),
        (http11.ConnectError, httpx.ConnectError),
        (http11.ReadError, httpx.ReadError),
        (http11.RemoteProtocolError, httpx.RemoteProtocolError),
        (http11.LocalProtocolError, httpx.LocalProtocolError),
        (http11.ResponseTooLarge, httpx.RemoteProtocolError),
        (http11.HTTPFailure, httpx.TransportError),
    )


def to_httpx_error(exc: http11.HTTPFailure, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for a failure of our own transport (``transport.AsyncioTransport``).

    The httpx exception is chained to ours, so that the client can still tell the precise
    failure (a size limit, say) when an httpx client hands it the httpx one.
    """
    cls = next(theirs for ours, theirs in _http11_table() if isinstance(exc, ours))
    error = cls(str(exc), request=request)
    error.__cause__ = exc
    return error


def default_transport(ssl_context: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    """httpx's default transport (httpcore), for while a test double replaced httpcore."""
    import httpx

    return httpx.AsyncHTTPTransport(verify=ssl_context)


# -- proxies from the environment ------------------------------------------------------------
def proxies_configured() -> bool:
    """Whether any proxy variable is set (checked without importing httpx)."""
    return any(
        value and key.lower() in ("http_proxy", "https_proxy", "all_proxy")
        for key, value in os.environ.items()
    )


class ProxyRouter:
    """The proxy URL (or ``None``: direct) for each request URL, as httpx reads the variables.

    httpx reads HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY only for a client it builds its
    own transport for; we use its private reading of them (``get_environment_proxies``) and its
    private matcher (``URLPattern``, which orders patterns most specific first). Without them
    (a future httpx), no proxy.
    """

    def __init__(self) -> None:
        import httpx

        try:
            from httpx._utils import URLPattern, get_environment_proxies
        except ImportError:  # pragma: no cover - a future httpx
            self._patterns: list[tuple[Any, str | None]] = []
        else:
            found = get_environment_proxies().items()
            self._patterns = sorted(((URLPattern(k), v) for k, v in found), key=lambda kv: kv[0])
        self._url = httpx.URL

    def proxy_for(self, url: str) -> str | None:
        parsed = self._url(url)
        for pattern, proxy in self._patterns:
            if pattern.matches(parsed):
                return proxy
        return None


def proxy_transport(proxy: str, ssl_context: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    import httpx

    return httpx.AsyncHTTPTransport(
        proxy=proxy,
        verify=ssl_context,
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        ),
    )


# -- test doubles ------------------------------------------------------------------------------
def httpcore_mocked() -> bool:
    """Whether a test double (respx's default mocker) replaced httpcore's pool method.

    Our own transport does not go through httpcore, so such a mock would not see our requests;
    while it is in place, a client opening its connections takes httpx's default transport.
    """
    httpcore = sys.modules.get("httpcore")
    if httpcore is None:  # never imported, so never patched
        return False
    method = httpcore.AsyncConnectionPool.__dict__.get("handle_async_request")
    return getattr(method, "__module__", None) != "httpcore._async.connection_pool"


# -- httpcore's pool after a cancellation ------------------------------------------------------
async def close_orphaned_connections(holder: object) -> None:
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
