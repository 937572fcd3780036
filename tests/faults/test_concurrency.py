"""500 concurrent calls through one client against a server failing 30% of requests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import aiocognito
from aiocognito import CognitoIdentityProviderClient, shapes
from aiocognito._core.retries import INITIAL_QUOTA, RETRY_COST, RetryQuota
from tests.faults.server import FaultServer, RandomFailures
from tests.faults.support import assert_pool_quiet, login

CALLS = 500
TIME_LIMIT = 20.0
"""Generous for loaded CI machines; alone on a laptop a run takes 1.5-3 s."""
SETTINGS = {"max_attempts": 3, "timeout": 10.0, "total_timeout": TIME_LIMIT}
"""Timeouts are not under test here: under load a queued call may wait seconds for a slot."""


@dataclass
class CheckedQuota(RetryQuota):
    """The client's quota, checked on every change and counting the retries it paid for."""

    retries: int = 0
    lowest: int = INITIAL_QUOTA

    def acquire(self, exc: BaseException) -> int:
        cost = super().acquire(exc)
        self.retries += bool(cost)
        self.lowest = min(self.lowest, self.available)
        assert 0 <= self.available <= self.capacity
        return cost

    def release(self, acquired: int) -> None:
        super().release(acquired)
        assert 0 <= self.available <= self.capacity


async def test_500_concurrent_calls_with_random_failures(
    server: FaultServer, make_client: Callable[..., CognitoIdentityProviderClient]
) -> None:
    failures = RandomFailures(rate=0.3, seed=6)
    server.script(then=failures)
    client = make_client(**SETTINGS)
    quota = client._retry.quota = CheckedQuota()

    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(*(login(client, TIME_LIMIT) for _ in range(CALLS)), return_exceptions=True),
        TIME_LIMIT,
    )
    elapsed = time.perf_counter() - started

    # Every call ended, with a result or a typed error after at most 3 attempts.
    kinds = Counter(type(r).__name__ for r in results)
    ok = [r for r in results if isinstance(r, shapes.InitiateAuthResponse)]
    failed = [r for r in results if isinstance(r, aiocognito.ServiceError)]
    assert len(ok) + len(failed) == CALLS, kinds
    assert all(e.code == "HTTP503" and 1 <= e.attempts <= 3 for e in failed)
    # A burst of 500: about 150 first attempts fail at once, and at 14 a retry the quota pays
    # for 35 of them plus what successes give back (1 each). Retries still save many calls.
    assert quota.retries >= INITIAL_QUOTA // RETRY_COST
    assert len(failed) < CALLS * 0.25, kinds

    # Each request beyond the first of a call is a retry the quota paid for; nothing more.
    assert server.count == CALLS + quota.retries
    assert server.count <= 3 * CALLS
    assert sum(e.attempts for e in failed) <= server.count
    assert 0.2 < failures.failed / server.count < 0.4
    assert 0 <= quota.lowest <= quota.available <= INITIAL_QUOTA

    assert elapsed < TIME_LIMIT
    assert_pool_quiet(client)
    # At most the pool's 100 connections at a time; make_client's teardown checks they close.
    assert server.open <= 100


async def test_500_concurrent_calls_against_a_dead_dependency(
    server: FaultServer, make_client: Callable[..., CognitoIdentityProviderClient]
) -> None:
    """Every request fails: the quota pays for exactly 500 // 14 = 35 retries, then none."""
    from tests.faults.server import status

    server.script(then=status(503))
    client = make_client(**SETTINGS)
    quota = client._retry.quota = CheckedQuota()
    results = await asyncio.wait_for(
        asyncio.gather(*(login(client, TIME_LIMIT) for _ in range(CALLS)), return_exceptions=True),
        TIME_LIMIT,
    )
    assert all(isinstance(r, aiocognito.ServiceError) for r in results)
    assert quota.retries == INITIAL_QUOTA // RETRY_COST
    assert quota.available == INITIAL_QUOTA % RETRY_COST  # less than a retry costs
    assert server.count == CALLS + quota.retries
    assert sum(r.attempts for r in results if isinstance(r, aiocognito.ServiceError)) == (
        server.count
    )
    assert_pool_quiet(client)
