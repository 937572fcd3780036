"""Retries in botocore's "standard" mode: which failures to retry, how long to wait, how often.

- at most ``max_attempts`` attempts (the first one included);
- retried: connection errors and timeouts, HTTP 500/502/503/504, 429 without a modeled code, and
  the throttling/transient error codes botocore's standard mode knows; never other 4xx;
- backoff: ``random() * min(2 ** (attempt - 1), 20)`` seconds;
- a per-client retry quota (a token bucket of 500; a retry costs 5, or 10 after a timeout; a
  success refunds what its retry took, or 1) so a broken dependency cannot start a retry storm.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .errors import ServiceError, TimeoutError, TransportError

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
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
MAX_BACKOFF = 20.0

INITIAL_QUOTA = 500
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
NO_RETRY_INCREMENT = 1


def is_retryable(exc: BaseException, modeled: bool = False) -> bool:
    """Whether standard mode retries this failure."""
    if isinstance(exc, TransportError):  # connection errors and timeouts
        return True
    if isinstance(exc, ServiceError):
        if exc.code in THROTTLING_CODES or exc.code in TRANSIENT_CODES:
            return True
        if exc.status_code in TRANSIENT_STATUS:
            return True
        return exc.status_code == 429 and type(exc) is ServiceError
    return False


@dataclass
class RetryQuota:
    """The per-client token bucket that bounds retries when everything is failing."""

    capacity: int = INITIAL_QUOTA
    available: int = INITIAL_QUOTA

    def acquire(self, exc: BaseException) -> int:
        """Take the cost of retrying after ``exc``; 0 when the bucket cannot pay it."""
        cost = TIMEOUT_RETRY_COST if isinstance(exc, TimeoutError) else RETRY_COST
        if cost > self.available:
            return 0
        self.available -= cost
        return cost

    def release(self, acquired: int) -> None:
        """A success gives back what its retries took (or a little, when it needed none)."""
        self.available = min(self.capacity, self.available + (acquired or NO_RETRY_INCREMENT))


@dataclass
class RetryPolicy:
    max_attempts: int = 3
    quota: RetryQuota = field(default_factory=RetryQuota)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    random: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return self.random() * min(2.0 ** (attempt - 1), MAX_BACKOFF)
