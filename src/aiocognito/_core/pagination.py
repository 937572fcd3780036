"""Async iteration over token-paged operations: pages, or the items inside them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .client import BaseClient, OperationSpec

PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")

logger = logging.getLogger("aiocognito")


class Paginator(Generic[PageT, ItemT]):
    """Pages of one paged operation; ``async for page in paginator`` or ``paginator.items()``.

    Iteration stops when the service returns no token, an empty one, or a token it already
    returned (a server that repeats itself must not cause an endless loop).
    """

    def __init__(
        self,
        client: BaseClient,
        op: OperationSpec[PageT],
        params: dict[str, Any],
        *,
        input_token: str,
        output_token: str,
        result: str,
        limit: str | None,
        page_size: int | None,
        starting_token: str | None,
    ) -> None:
        self._client = client
        self._op = op
        self._params = params
        self._input_token = input_token
        self._output_token = output_token
        self._result = result
        if limit is not None and page_size is not None:
            self._params[limit] = page_size
        self._starting_token = starting_token

    def __repr__(self) -> str:
        return f"<Paginator of {self._op.name}>"

    def __aiter__(self) -> AsyncIterator[PageT]:
        return self.pages()

    async def pages(self) -> AsyncIterator[PageT]:
        """Each page (the operation's output), fetched as iteration reaches it."""
        token = self._starting_token
        seen: set[str] = set()
        while True:
            params = {**self._params, self._input_token: token}
            # BaseClient's one call path; generated methods and paginators are its callers.
            page = await self._client._invoke(self._op, params)  # pyright: ignore[reportPrivateUsage]
            yield page
            token = getattr(page, self._output_token, None)
            if not token:
                return
            if token in seen:
                logger.warning(
                    "%s: the service returned a page token it had already returned; "
                    "stopping pagination",
                    self._op.name,
                )
                return
            seen.add(token)

    async def items(self) -> AsyncIterator[ItemT]:
        """Each item of every page, in order."""
        async for page in self.pages():
            for item in getattr(page, self._result, None) or ():
                yield item
