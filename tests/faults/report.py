"""Print what the client does for each fault, as a Markdown table (for the closing note).

    python -m tests.faults.report

Runs every row of ``scenarios.SCENARIOS`` against the fault server with the suite's client
settings and reports the outcome as measured, not as expected. Each run also waits until the
server saw every connection closed after ``client.close()`` (it fails otherwise).
"""

from __future__ import annotations

import asyncio
import time

import aiocognito
from tests.faults.scenarios import SCENARIOS, Scenario
from tests.faults.server import FaultServer
from tests.faults.support import login, new_client


async def _run(scenario: Scenario) -> str:
    with FaultServer() as server:
        first, then = scenario.script()
        server.script(*first, then=then)
        client = new_client(server.url, **scenario.client)
        started = time.perf_counter()
        try:
            await login(client)
            outcome, attempts, message = "result", server.count, ""
        except aiocognito.CognitoError as exc:
            name = type(exc).__name__
            code = getattr(exc, "code", name)
            outcome = f"`{name}`" + ("" if code == name else f" (code `{code}`)")
            attempts, message = exc.attempts, str(exc)
            if len(message) > 110:
                message = message[:60] + " … " + message[-45:]
        elapsed = time.perf_counter() - started
        await client.close()
        await server.wait_all_closed()
        message = message.replace("|", "\\|")
        return (
            f"| {scenario.fault} | {outcome} | {attempts} | {server.count} "
            f"| {elapsed:.2f} | {message} |"
        )


async def main() -> None:
    print("| fault | client did | attempts | requests seen | seconds | str(exc) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for scenario in SCENARIOS:
        print(await _run(scenario))


if __name__ == "__main__":
    asyncio.run(main())
