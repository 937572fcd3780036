"""Stand-in for ``aiocognito._core.sending`` (the transport seam of issue 18.1) until it lands.

The same names and contract as the seam: ``open_sender(...)`` returns a ``Sender`` whose
``send`` gives an ``HTTPResponse`` or raises ``TransportError``/``TimeoutError`` from the
transport's own exception. Replaced by the import of the real module once it is on main.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._core.errors import TimeoutError, TransportError

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True, slots=True)
class HTTPResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes


class Sender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes = b""
    ) -> HTTPResponse:
        import httpx

        try:
            response = await self._client.request(method, url, headers=headers, content=body)
        except httpx.TimeoutException as exc:
            raise TimeoutError(
                f"{type(exc).__name__}: {method} {url.split('?', maxsplit=1)[0]}"
            ) from exc
        except httpx.HTTPError as exc:
            raise TransportError(
                f"{type(exc).__name__}: {method} {url.split('?', maxsplit=1)[0]}"
            ) from exc
        return HTTPResponse(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.content,
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def open_sender(
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
    timeouts: Mapping[str, float | None] | None = None,
    verify: object = None,
) -> Sender:
    import httpx

    from .._core.config import DEFAULT_TIMEOUTS, shared_ssl_context
    from .._core.transport import AsyncioTransport

    del http_client, verify  # not needed before the seam lands
    limits = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
    return Sender(
        httpx.AsyncClient(
            transport=transport or AsyncioTransport(ssl_context=shared_ssl_context()),
            timeout=httpx.Timeout(**limits),
            trust_env=False,
        )
    )
