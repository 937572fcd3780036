"""Retries as botocore 1.44 does them: the "standard" mode, and "adaptive" on top of it.

Which failures are retried (botocore ``retries/standard.py``, ``StandardRetryConditions``):
connection errors and timeouts, HTTP 500/502/503/504, the transient and throttling error codes
below, and a 429 whose code the model does not know; never another 4xx. At most
``max_attempts`` attempts, the first included.

How long to wait (``ExponentialBackoff.delay_amount``), after failed attempt ``attempt``::

    random() * min(base * 2 ** (attempt - 1), 20)

with ``base`` 1 s after a throttling error and 0.05 s after any other; an
``x-amz-retry-after`` header (milliseconds) raises the delay to what it asks, up to 5 s more
than the computed one.

How often (``RetryQuotaChecker``): a per-client quota of 500; a retry costs 14, or 5 after a
throttling error; a call that succeeds gives back what its retry took, or 1. When the quota
cannot pay, the failure is raised at once: an outage is not multiplied by ``max_attempts``.

These are botocore 1.44's defaults (its "new retries", opt-in from 1.43 via boto/botocore#3678,
commit b8db539, then always on): ``_BASE``/``_MAX_BACKOFF``/``_DEFAULT_BACKOFF_CONFIG``,
``_RETRY_AFTER_MAX_ADDITIONAL``, ``_RETRY_COST``/``_THROTTLING_RETRY_COST`` there.

"adaptive" adds botocore's client-side rate limiter (``retries/adaptive.py``,
``bucket.py``, ``throttling.py``): after the first throttling error, every attempt first takes
a token from a bucket that fills at a rate found by CUBIC congestion control, so a client
that is being throttled slows itself down instead of spending its retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .errors import ServiceError, TransportError

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
"""``ThrottledRetryableChecker._THROTTLED_ERROR_CODES``."""
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})

MAX_BACKOFF = 20.0
TRANSIENT_BASE = 0.05
"""Seconds: the first retry after a transient error waits up to this."""
THROTTLING_BASE = 1.0
"""Seconds: the first retry after a throttling error waits up to this."""
RETRY_AFTER_HEADER = "x-amz-retry-after"
RETRY_AFTER_MAX_EXTRA = 5.0
"""Seconds an ``x-amz-retry-after`` may add to the computed delay, at most."""

INITIAL_QUOTA = 500
RETRY_COST = 14
THROTTLING_RETRY_COST = 5
NO_RETRY_INCREMENT = 1

Mode = Literal["standard", "adaptive"]
MODES: tuple[Mode, ...] = ("standard", "adaptive")


def is_throttling(exc: BaseException) -> bool:
    """botocore's ``ThrottlingErrorDetector``: a throttling code, or a 429 whose code the
    model does not know (a modeled error's class says what it is)."""
    if not isinstance(exc, ServiceError):
        return False
    if exc.code in THROTTLING_CODES:
        return True
    return exc.status_code == 429 and type(exc) is ServiceError


def is_retryable(exc: BaseException) -> bool:
    """Whether standard mode retries this failure (attempts and quota allowing)."""
    if isinstance(exc, TransportError):  # connection errors and timeouts, not size limits
        return exc.retryable
    if isinstance(exc, ServiceError):
        return (
            exc.code in TRANSIENT_CODES or exc.status_code in TRANSIENT_STATUS or is_throttling(exc)
        )
    return False


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds asked by ``x-amz-retry-after`` (whole milliseconds), or ``None`` when absent
    or not a non-negative integer (``ExponentialBackoff._get_retry_after_delay``)."""
    raw = headers.get(RETRY_AFTER_HEADER)
    if raw is None:
        return None
    try:
        milliseconds = int(raw)
        return milliseconds / 1000.0 if milliseconds >= 0 else None
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True, kw_only=True)
class RetryConfig:
    """How a client retries: the mode, and the hooks to watch or replace its waiting.

    ```python
    client = CognitoIdentityProviderClient("eu-west-1", retry=RetryConfig(mode="adaptive"))
    ```

    Attributes:
        mode: ``"standard"`` (the default: botocore's standard mode) or ``"adaptive"`` (the
            same, plus a client-side rate limiter that slows the client down once it is
            throttled: for bulk jobs that meet the service's quotas).
        sleep: awaited with each backoff delay, in seconds, before a retry. Replace it to see
            the delays or to skip them (in tests); the default is ``asyncio.sleep``. The
            adaptive limiter's waits are real time and do not go through it.
        random: the jitter, a float in [0, 1) per delay; the default is ``random.random``.
    """

    mode: Mode = "standard"
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    random: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"retry mode must be 'standard' or 'adaptive', not {self.mode!r}")


@dataclass
class RetryQuota:
    """The per-client token bucket that bounds retries when everything is failing."""

    capacity: int = INITIAL_QUOTA
    available: int = INITIAL_QUOTA

    def acquire(self, exc: BaseException) -> int:
        """Take the cost of retrying after ``exc``; 0 when the bucket cannot pay it."""
        cost = THROTTLING_RETRY_COST if is_throttling(exc) else RETRY_COST
        if cost > self.available:
            return 0
        self.available -= cost
        return cost

    def release(self, acquired: int) -> None:
        """A success gives back what its retry took (or a little, when it needed none)."""
        self.available = min(self.capacity, self.available + (acquired or NO_RETRY_INCREMENT))


# -- adaptive mode: botocore's retries/bucket.py, throttling.py and adaptive.py ----------------


class TokenBucket:
    """Send tokens that fill at ``max_rate`` per second (at least 0.5), holding at most
    ``max(max_rate, 1)``; callers wait their turn, first come first served."""

    MIN_RATE = 0.5

    def __init__(self, max_rate: float, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._capacity = 0.0
        self._last: float | None = None
        self._fill_rate = self.MIN_RATE
        self._max_capacity = 1.0
        # One waiter at a time (asyncio's lock is FIFO): the others need not wake up for
        # each token only to find it taken.
        self._turn = asyncio.Lock()
        self._rate_changed = asyncio.Event()
        self.max_rate = max_rate

    @property
    def max_rate(self) -> float:
        return self._fill_rate

    @max_rate.setter
    def max_rate(self, value: float) -> None:
        self._refill()  # what accrued so far, at the rate it accrued at
        self._fill_rate = max(value, self.MIN_RATE)
        self._max_capacity = max(value, 1.0)
        self._capacity = min(self._capacity, self._max_capacity)
        # A waiter sleeping for a token at the old rate works its wait out again (botocore's
        # condition variable does the same).
        self._rate_changed.set()
        self._rate_changed = asyncio.Event()

    @property
    def available(self) -> float:
        """Tokens there now (a fraction while one is filling)."""
        self._refill()
        return self._capacity

    async def acquire(self) -> None:
        """Take one token, waiting (in real time) until there is one."""
        async with self._turn:
            while True:
                self._refill()
                if self._capacity >= 1:
                    self._capacity -= 1
                    return
                changed = self._rate_changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout((1 - self._capacity) / self._fill_rate):
                        await changed.wait()

    def _refill(self) -> None:
        now = self._clock()
        if self._last is not None:
            filled = self._capacity + (now - self._last) * self._fill_rate
            self._capacity = min(self._max_capacity, filled)
        self._last = now


class CubicCalculator:
    """The send rate after each answer: CUBIC (RFC 8312) on requests per second."""

    SCALE = 0.4
    BETA = 0.7

    def __init__(self, start_time: float, starting_max_rate: float = 0.0) -> None:
        self._w_max = starting_max_rate
        self._k = self._zero_point()
        self._last_fail = start_time

    def _zero_point(self) -> float:
        return float((self._w_max * (1 - self.BETA) / self.SCALE) ** (1 / 3))

    def success_received(self, now: float) -> float:
        return self.SCALE * (now - self._last_fail - self._k) ** 3 + self._w_max

    def error_received(self, current_rate: float, now: float) -> float:
        self._w_max = current_rate
        self._k = self._zero_point()
        self._last_fail = now
        return current_rate * self.BETA


class RateClocker:
    """The rate answers arrive at, smoothed, measured over half-second buckets."""

    SMOOTHING = 0.8
    BUCKET = 0.5

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._rate = 0.0
        self._count = 0
        self._last_bucket: float = math.floor(clock())  # whole seconds, as botocore starts

    def record(self) -> float:
        bucket = math.floor(self._clock() / self.BUCKET) * self.BUCKET
        self._count += 1
        if bucket > self._last_bucket:
            current = self._count / (bucket - self._last_bucket)
            self._rate = current * self.SMOOTHING + self._rate * (1 - self.SMOOTHING)
            self._count = 0
            self._last_bucket = bucket
        return self._rate


class RateLimiter:
    """botocore's ``ClientRateLimiter``: off until the first throttling error, then every
    attempt waits for a token of a bucket whose rate CUBIC sets from each answer."""

    MAX_RATE_ADJUST_SCALE = 2.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cubic = CubicCalculator(start_time=clock())
        self.bucket = TokenBucket(max_rate=1.0, clock=clock)
        self._clocker = RateClocker(clock)
        self.enabled = False

    async def before_attempt(self) -> None:
        if self.enabled:
            await self.bucket.acquire()

    def record(self, throttled: bool) -> None:
        """After each attempt: whatever it ended with, throttled or not."""
        measured = self._clocker.record()
        now = self._clock()
        if not throttled:
            rate = self._cubic.success_received(now)
        else:
            current = min(measured, self.bucket.max_rate) if self.enabled else measured
            rate = self._cubic.error_received(current, now)
            self.enabled = True
        self.bucket.max_rate = min(rate, self.MAX_RATE_ADJUST_SCALE * measured)


@dataclass
class RetryPolicy:
    """One client's retrying: its configuration, quota and (adaptive) rate limiter."""

    max_attempts: int = 3
    config: RetryConfig = field(default_factory=RetryConfig)
    quota: RetryQuota = field(default_factory=RetryQuota)
    limiter: RateLimiter | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.config.mode == "adaptive" and self.limiter is None:
            self.limiter = RateLimiter()

    async def before_attempt(self) -> None:
        if self.limiter is not None:
            await self.limiter.before_attempt()

    def succeeded(self, acquired: int) -> None:
        """A call's attempt succeeded, after retries that took ``acquired`` from the quota."""
        if self.limiter is not None:
            self.limiter.record(throttled=False)
        self.quota.release(acquired)

    def failed(self, exc: BaseException, attempt: int) -> tuple[float, int] | None:
        """After failed attempt ``attempt``: ``(delay, quota taken)`` to retry, else ``None``."""
        if self.limiter is not None:
            self.limiter.record(throttled=is_throttling(exc))
        if attempt >= self.max_attempts or not is_retryable(exc):
            return None
        cost = self.quota.acquire(exc)
        if not cost:
            return None
        return self.backoff(exc, attempt), cost

    def backoff(self, exc: BaseException, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = THROTTLING_BASE if is_throttling(exc) else TRANSIENT_BASE
        delay = self.config.random() * min(base * 2.0 ** (attempt - 1), MAX_BACKOFF)
        if isinstance(exc, ServiceError) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, delay + RETRY_AFTER_MAX_EXTRA))
        return delay
