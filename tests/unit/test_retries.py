"""Adaptive mode's parts, against botocore's own (``botocore/retries/adaptive.py``,
``bucket.py``, ``throttling.py``): fed the same answers at the same instants of a fake clock,
they must compute the same rates, the same measured rates and the same tokens."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from botocore.exceptions import CapacityNotAvailableError
from botocore.retries import adaptive as bc_adaptive, bucket as bc_bucket, throttling

from aiocognito._core.retries import CubicCalculator, RateClocker, RateLimiter, TokenBucket


class FakeClock:
    """Both implementations read this: ours as a callable, botocore's as ``current_time()``."""

    def __init__(self, start: float = 1000.25) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def current_time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:  # botocore's Clock interface; never called here
        raise AssertionError("botocore's bucket would block")


def _events(seed: int, n: int = 400) -> list[tuple[float, bool]]:
    """(seconds since the previous answer, throttled?) for ``n`` answers."""
    rng = random.Random(seed)
    return [(rng.choice([0.0, 0.001, 0.01, 0.1, 0.4, 0.7]), rng.random() < 0.1) for _ in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_cubic_matches_botocore(seed: int) -> None:
    clock = FakeClock()
    ours = CubicCalculator(start_time=clock.now)
    theirs = throttling.CubicCalculator(starting_max_rate=0, start_time=clock.now)
    rng = random.Random(seed)
    for step, throttled in _events(seed):
        clock.now += step
        if throttled:
            rate = rng.uniform(0, 300)
            assert ours.error_received(rate, clock.now) == pytest.approx(
                theirs.error_received(rate, clock.now)
            )
        else:
            assert ours.success_received(clock.now) == pytest.approx(
                theirs.success_received(clock.now)
            )


@pytest.mark.parametrize("seed", range(5))
def test_measured_rate_matches_botocore(seed: int) -> None:
    clock = FakeClock()
    ours = RateClocker(clock)
    theirs = bc_adaptive.RateClocker(clock)
    for step, _ in _events(seed):
        clock.now += step
        assert ours.record() == pytest.approx(theirs.record())


@pytest.mark.parametrize("seed", range(5))
async def test_token_bucket_matches_botocore(seed: int) -> None:
    clock = FakeClock()
    ours = TokenBucket(max_rate=1, clock=clock)
    theirs = bc_bucket.TokenBucket(max_rate=1, clock=clock)
    rng = random.Random(seed)
    for _ in range(400):
        clock.now += rng.choice([0.0, 0.01, 0.1, 0.5, 2.0])
        if rng.random() < 0.2:
            rate = rng.choice([0.1, 0.5, 1.0, 3.7, 50.0, 400.0])
            ours.max_rate = rate
            theirs.max_rate = rate
        else:
            try:
                theirs.acquire(block=False)
            except CapacityNotAvailableError:
                pass
            else:  # a token there for botocore is one there for us: taken without waiting
                await asyncio.wait_for(ours.acquire(), 0.5)
        assert ours.max_rate == theirs.max_rate
        assert ours.available == pytest.approx(theirs.available_capacity)


class _Detector:
    """botocore's limiter asks a detector whether an answer was throttling: the test says."""

    def is_throttling_error(self, **kwargs: object) -> bool:
        return bool(kwargs["throttled"])


@pytest.mark.parametrize("seed", range(5))
def test_rate_limiter_matches_botocore(seed: int) -> None:
    clock = FakeClock()
    ours = RateLimiter(clock=clock)
    theirs = bc_adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.now),
        rate_clocker=bc_adaptive.RateClocker(clock),
        token_bucket=bc_bucket.TokenBucket(max_rate=1, clock=clock),
        throttling_detector=_Detector(),
        clock=clock,
    )
    for step, throttled in _events(seed):
        clock.now += step
        ours.record(throttled=throttled)
        theirs.on_receiving_response(throttled=throttled)
        assert ours.enabled == theirs._enabled
        assert ours.bucket.max_rate == pytest.approx(theirs._token_bucket.max_rate)


async def test_a_rate_limiter_is_off_until_the_first_throttling_answer() -> None:
    limiter = RateLimiter()
    for _ in range(100):  # no waiting at all: nothing has been throttled
        await asyncio.wait_for(limiter.before_attempt(), 0.1)
        limiter.record(throttled=False)
    assert not limiter.enabled
    limiter.record(throttled=True)
    assert limiter.enabled


async def test_a_waiter_wakes_when_the_rate_goes_up() -> None:
    """At 0.5 tokens a second the next one is 2 s away; a raised rate shortens the wait, as
    botocore's condition variable does."""
    bucket = TokenBucket(max_rate=0.5, clock=time.monotonic)
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    bucket.max_rate = 1000.0
    await asyncio.wait_for(waiter, 1.0)


async def test_waiters_are_served_in_order_and_a_cancelled_one_gives_up_its_turn() -> None:
    bucket = TokenBucket(max_rate=50.0, clock=time.monotonic)
    done: list[int] = []

    async def take(n: int) -> None:
        await bucket.acquire()
        done.append(n)

    tasks = [asyncio.create_task(take(n)) for n in range(6)]
    await asyncio.sleep(0)
    tasks[2].cancel()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 2.0)
    assert done == [0, 1, 3, 4, 5]
