"""``http11.ConnectionPool`` behind httpx's transport interface.

It lets the pool be given as ``transport=`` (the client then sends on the pool directly) or
used by any ``httpx.AsyncClient``.
"""

from __future__ import annotations

import ssl

import httpx

from . import http11, httpx_compat
from .config import DEFAULT_MAX_RESPONSE_BYTES


class AsyncioTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` on aiocognito's own HTTP/1.1 connection pool."""

    def __init__(
        self,
        pool: http11.ConnectionPool | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        keepalive_expiry: float = 5.0,
        parser: str | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """Send through ``pool``, or a new pool with these settings (see ``ConnectionPool``).

        ``max_response_bytes`` bounds each answer body read here (httpx decodes it after);
        a client given this transport applies its own ``max_response_bytes`` instead.
        """
        self.max_response_bytes = max_response_bytes
        self.pool = pool or http11.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            parser=parser,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        body = await request.aread()
        timeouts: http11.Timeouts = request.extensions.get("timeout", {})
        try:
            status, headers, content = await self.pool.exchange(
                origin,
                request.method.encode(),
                url.raw_path,
                request.headers.raw,
                body,
                timeouts=timeouts,
                max_body=self.max_response_bytes,
            )
        except http11.HTTPFailure as exc:
            raise httpx_compat.to_httpx_error(exc, request) from exc
        return httpx.Response(
            status,
            headers=headers,
            content=content,
            extensions={"http_version": b"HTTP/1.1"},
            request=request,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
