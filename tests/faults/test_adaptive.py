"""Adaptive retry mode: a bulk job against a loopback server that throttles above a rate.

The server (``RateLimited``) answers ``TooManyRequestsException`` to whatever exceeds its
quota, as Cognito does per API category. In standard mode a job that sends as fast as it can
spends its retries and its retry quota, and throttling errors reach the caller; in adaptive
mode (botocore's ``retries/adaptive.py``: a client-side token bucket whose rate CUBIC sets
from the answers) the client slows itself to what the server allows. Real time, real sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from aiocognito import CognitoIdentityProviderClient, RetryConfig, errors
from tests.faults.server import FaultServer, RateLimited, ok
from tests.faults.support import login, new_client

CALLS = 500
WORKERS = 50
"""Calls in flight at a time: a bulk admin job, not a burst of 500 concurrent requests."""
MAX_RATE = 200.0
"""Requests per second the server allows at most (the loopback job could send thousands)."""
OVERSEND = 4
"""The quota is at most a quarter of what the machine manages now, however loaded it is: the
job always sends faster than the quota, so the contrast between the modes always shows."""
JOB_LIMIT = 45.0


async def _job(client: CognitoIdentityProviderClient, calls: int = CALLS) -> Counter[str]:
    """``calls`` sign-ins, ``WORKERS`` at a time; how each ended."""
    outcomes: Counter[str] = Counter()
    queue = iter(range(calls))

    async def worker() -> None:
        for _ in queue:
            try:
                await login(client, JOB_LIMIT)
                outcomes["ok"] += 1
            except errors.TooManyRequestsException:
                outcomes["TooManyRequestsException"] += 1

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return outcomes


def _client(url: str, mode: str) -> CognitoIdentityProviderClient:
    # Real backoff sleeps, as in production; timeouts are not under test.
    return new_client(
        url,
        retry=RetryConfig(mode=mode),
        timeout=10.0,
        total_timeout=JOB_LIMIT,  # type: ignore[arg-type]
    )


async def _capacity() -> float:
    """Sign-ins per second the machine manages now, against a server that never throttles."""
    with FaultServer() as server:
        server.script(then=ok())
        client = _client(server.url, "standard")
        try:
            started = time.perf_counter()
            await asyncio.wait_for(_job(client, calls=200), JOB_LIMIT)
            elapsed = time.perf_counter() - started
        finally:
            await client.close()
        await server.wait_all_closed()
    return 200 / elapsed


async def _run(
    mode: str, rate: float
) -> tuple[Counter[str], RateLimited, CognitoIdentityProviderClient]:
    with FaultServer() as server:
        quota = RateLimited(rate=rate, burst=10)
        server.script(then=quota)
        client = _client(server.url, mode)
        try:
            outcomes = await asyncio.wait_for(_job(client), JOB_LIMIT)
        finally:
            await client.close()
        await server.wait_all_closed()
    return outcomes, quota, client


@pytest.mark.timeout(3 * JOB_LIMIT)
async def test_adaptive_mode_finishes_a_throttled_bulk_job_without_throttling_errors() -> None:
    rate = min(MAX_RATE, await _capacity() / OVERSEND)
    started = time.perf_counter()
    outcomes, quota, client = await _run("adaptive", rate)
    elapsed = time.perf_counter() - started
    print(
        f"quota {rate:.0f}/s; adaptive: {outcomes}, {quota.throttled} throttled of {quota.allowed + quota.throttled}"
    )
    assert outcomes == Counter(ok=CALLS)  # no TooManyRequestsException reached the caller
    assert quota.allowed == CALLS
    assert quota.throttled > 0  # the server did throttle: the client adapted to it
    assert client._retry.limiter is not None and client._retry.limiter.enabled
    assert elapsed < JOB_LIMIT

    # The contrast: the same job against the same quota, without the rate limiter, keeps
    # running into it (and throttling errors often reach the caller: a few per run here).
    outcomes, standard, client = await _run("standard", rate)
    print(
        f"standard: {outcomes}, {standard.throttled} throttled of {standard.allowed + standard.throttled}"
    )
    assert client._retry.limiter is None
    assert standard.throttled > 3 * quota.throttled
