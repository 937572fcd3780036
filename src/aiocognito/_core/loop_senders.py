"""A ``Sender`` per event loop, for objects that outlive a loop: ``TokenVerifier``,
``OAuth2Client``.

A connection belongs to the event loop that opened it, so an object made once and used from
several loops (a script's second ``asyncio.run``, a test suite's loop per test, another
thread's loop) needs a sender on each. ``LoopSenders`` opens one per loop on first use and
closes each on its own loop:

- when the loop shuts down. Each sender is tied to an async generator started on its loop,
  and ``asyncio.run`` (``asyncio.Runner``, pytest-asyncio) finalizes a loop's async
  generators before it closes the loop (``loop.shutdown_asyncgens()``): the generator's
  ``finally`` closes the sender there. So does asyncio when the generator is dropped while
  its loop is open. A long-lived verifier leaves no connection behind any ``asyncio.run``.
- on ``aclose()``: the running loop's sender at once, a sender of another thread's running
  loop on that loop.

A loop closed by hand, without ``shutdown_asyncgens()``, leaves its connections to the garbage
collector, as asyncio leaves every transport of a closed loop; its entry is dropped when the
next loop opens a sender, so at most one sender is kept per loop that is still open.

A caller's ``transport`` is the caller's to close: each loop gets its own wrapper of it (a
wrapper's concurrency limit belongs to one loop), none is closed with its loop, and
``aclose()`` closes the transport itself once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from .sending import Sender

__all__ = ["LoopSenders"]


class LoopSenders:
    """The ``Sender`` of the running loop, opened with these ``open_sender`` options."""

    __slots__ = ("_max_response_bytes", "_senders", "_timeouts", "_transport")

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeouts: Mapping[str, float | None] | None,
        max_response_bytes: int,
    ) -> None:
        self._transport = transport
        self._timeouts = timeouts
        self._max_response_bytes = max_response_bytes
        self._senders: dict[
            asyncio.AbstractEventLoop, tuple[Sender, AsyncGenerator[None, None]]
        ] = {}

    async def get(self) -> Sender:
        """This loop's sender, opened on the first call in the loop."""
        loop = asyncio.get_running_loop()
        found = self._senders.get(loop)
        if found is not None:
            return found[0]
        for ended in [other for other in self._senders if other.is_closed()]:
            del self._senders[ended]
        from .sending import open_sender  # on first use: importing aiocognito stays light

        sender = open_sender(
            transport=self._transport,
            timeouts=self._timeouts,
            max_response_bytes=self._max_response_bytes,
        )
        keeper = self._keep(loop, sender)
        self._senders[loop] = (sender, keeper)
        await anext(keeper)  # started on this loop: asyncio finalizes it with the loop
        return sender

    async def _keep(
        self, loop: asyncio.AbstractEventLoop, sender: Sender
    ) -> AsyncGenerator[None, None]:
        """Yields once, then (finalized with its loop, or by ``aclose``) closes ``sender``."""
        try:
            yield
        finally:
            entry = self._senders.get(loop)
            if entry is not None and entry[0] is sender:  # not a later sender of this loop
                del self._senders[loop]
            if self._transport is None:  # our own pool; a caller's transport stays open
                await sender.aclose()

    async def aclose(self) -> None:
        """Close every sender whose loop can still run code, then a caller's ``transport``."""
        senders, self._senders = self._senders, {}
        running = asyncio.get_running_loop()
        for loop, (_, keeper) in senders.items():
            if loop is running:
                await keeper.aclose()
            elif loop.is_running():  # another thread's loop: closed there
                closing = asyncio.run_coroutine_threadsafe(keeper.aclose(), loop)
                await asyncio.wrap_future(closing)
            # A closed loop's connections went with it. A loop that is open but not running
            # gets the keeper's finalization from asyncio when the keeper is dropped here.
        if self._transport is not None:
            await self._transport.aclose()
