"""Print what the client does for each fault, as a Markdown table (for the closing note).

    python -m tests.faults.report

Runs every row of ``scenarios.SCENARIOS`` against the fault server with the suite's client
settings (the client's own transport, default limits) and reports the outcome as measured, not
as expected, then two faults that need more than one call: a stray answer and a cancel during
write backpressure. Each run also waits until the server saw every connection closed after
``client.close()`` (it fails otherwise). "peak MB" is how far the process's resident memory
rose above where it was when the row started (sampled every 5 ms; the server runs in this
process too, so its buffers count).
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import aiocognito
from tests.faults.scenarios import SCENARIOS, TOKEN_BODY, Scenario
from tests.faults.server import DeafServer, FaultServer, StrayAnswer, ok
from tests.faults.support import login, new_client

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


@contextmanager
def _peak_rss() -> Iterator[list[float]]:
    """Yields a list that holds, on exit, the peak RSS growth in MB over the block."""
    result: list[float] = []
    start = _rss()
    peak = [start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], _rss())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result.append((max(peak[0], _rss()) - start) / 2**20)


def _outcome(exc: BaseException | None) -> tuple[str, str]:
    if exc is None:
        return "result", ""
    name = type(exc).__name__
    code = getattr(exc, "code", name)
    message = str(exc)
    if len(message) > 110:
        message = message[:60] + " … " + message[-45:]
    return f"`{name}`" + ("" if code == name else f" (code `{code}`)"), message


def _row(
    fault: str,
    outcome: str,
    message: str,
    *,
    attempts: object,
    seen: object,
    seconds: float,
    mb: float,
) -> str:
    message = message.replace("|", "\\|")
    return f"| {fault} | {outcome} | {attempts} | {seen} | {seconds:.2f} | {mb:.0f} | {message} |"


async def _run(scenario: Scenario) -> str:
    with FaultServer() as server:
        first, then = scenario.script()
        server.script(*first, then=then)
        client = new_client(server.url, **scenario.client)
        exc: BaseException | None = None
        with _peak_rss() as peak:
            started = time.perf_counter()
            try:
                await login(client)
            except aiocognito.CognitoError as error:
                exc = error
            elapsed = time.perf_counter() - started
            await client.close()
            await server.wait_all_closed()
        outcome, message = _outcome(exc)
        attempts = exc.attempts if isinstance(exc, aiocognito.CognitoError) else server.count
        return _row(
            scenario.fault,
            outcome,
            message,
            attempts=attempts,
            seen=server.count,
            seconds=elapsed,
            mb=peak[0],
        )


async def _stray_answer() -> str:
    with FaultServer() as server:
        server.script(StrayAnswer(TOKEN_BODY), then=ok({"Session": "mine"}))
        client = new_client(server.url)
        with _peak_rss() as peak:
            started = time.perf_counter()
            await login(client)
            later = [await login(client) for _ in range(3)]
            elapsed = time.perf_counter() - started
            await client.close()
            await server.wait_all_closed()
        sessions = {result.session for result in later}
        outcome = "result" if sessions == {"mine"} else f"wrong answers: {sessions}"
        message = f"{server.accepted} connections for 4 calls: the one with the stray was closed"
        return _row(
            "a second answer right after the first (then 3 more calls)",
            outcome,
            message,
            attempts="1 each",
            seen=server.count,
            seconds=elapsed,
            mb=peak[0],
        )


async def _backpressure_cancel() -> str:
    big = {f"K{i}": "x" * 100_000 for i in range(160)}
    lost: list[str] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: lost.append(str(context.get("message"))))
    try:
        async with DeafServer() as deaf:
            client = new_client(deaf.url, timeout=30.0)
            with _peak_rss() as peak:
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(0.5):
                        await client.initiate_auth(
                            auth_flow="USER_PASSWORD_AUTH",
                            client_id="app-client",
                            auth_parameters=big,
                        )
                    outcome = "result"
                except TimeoutError:
                    outcome = "cancelled by the caller's `asyncio.timeout(0.5)`"
                await deaf.wait_all_closed()  # before client.close(): closed by the cancel
                elapsed = time.perf_counter() - started
                await client.close()
            gc.collect()
            await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(previous)
    message = f"socket closed at once; asyncio errors logged: {len(lost)}"
    return _row(
        "16 MB request body, peer never reads; call cancelled after 0.5 s",
        outcome,
        message,
        attempts=1,
        seen=f"{len(deaf.accepted)} connection, body unread",
        seconds=elapsed,
        mb=peak[0],
    )


EXTRA: list[Callable[[], Awaitable[str]]] = [_stray_answer, _backpressure_cancel]


async def main() -> None:
    print("| fault | client did | attempts | requests seen | seconds | peak MB | str(exc) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for scenario in SCENARIOS:
        print(await _run(scenario))
    for extra in EXTRA:
        print(await extra())


if __name__ == "__main__":
    asyncio.run(main())
