"""Retries over real sockets: headers, limits, what is never retried, quota, backoff.

The figures are botocore 1.44's (``botocore/retries/standard.py``): ``ExponentialBackoff``
(base 0.05 s, 1 s after throttling, at most 20 s; ``x-amz-retry-after`` up to 5 s more) and
``RetryQuotaChecker`` (500; 14 a retry, 5 after throttling; a success gives back 1 or what
its retry took).
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient, RetryConfig, errors
from aiocognito._core import retries
from aiocognito._core.retries import INITIAL_QUOTA, RETRY_COST, THROTTLING_RETRY_COST
from tests.faults.server import Action, CloseNow, FaultServer, Reply, Stall, error, ok, status
from tests.faults.support import SleepRecorder, guarded, login, recorded, sleeps

MakeClient = Callable[..., CognitoIdentityProviderClient]


async def test_retry_headers(server: FaultServer, make_client: MakeClient) -> None:
    server.script(status(503), status(503), then=ok())
    client = make_client()
    await login(client)
    await login(client)
    first, second = server.requests[:3], server.requests[3:]
    ids = {r.headers["amz-sdk-invocation-id"] for r in first}
    assert len(ids) == 1  # one id for every attempt of one call...
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", *ids)
    assert second[0].headers["amz-sdk-invocation-id"] not in ids  # ...and a new one per call
    assert [r.headers["amz-sdk-request"] for r in first] == [
        "attempt=1; max=3",
        "attempt=2; max=3",
        "attempt=3; max=3",
    ]
    assert [r.json for r in first] == [first[0].json] * 3  # the same body every time


async def test_signed_calls_are_signed_again_on_every_attempt(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(status(503), then=ok({"UserPools": []}))
    client = make_client()
    await guarded(client.list_user_pools(max_results=1))
    assert server.count == 2
    assert all(r.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for r in server.requests)
    assert server.requests[0].headers["x-amz-date"] and server.requests[1].headers["x-amz-date"]


@pytest.mark.parametrize("max_attempts", [1, 2, 5])
async def test_max_attempts_is_the_limit(
    server: FaultServer, make_client: MakeClient, max_attempts: int
) -> None:
    server.script(then=status(503))
    client = make_client(max_attempts=max_attempts)
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert server.count == info.value.attempts == max_attempts
    assert server.requests[-1].headers["amz-sdk-request"] == (
        f"attempt={max_attempts}; max={max_attempts}"
    )
    assert len(sleeps(client)) == max_attempts - 1
    if max_attempts == 1:  # retries disabled: one request, no mention of attempts
        assert "attempt" not in str(info.value)
    else:
        assert f"(after {max_attempts} attempts)" in str(info.value)


@pytest.mark.parametrize(
    "code",
    [
        "NotAuthorizedException",
        "UserNotFoundException",
        "InvalidParameterException",
        "ResourceNotFoundException",
        "TooManyFailedAttemptsException",  # "too many", but the user's, not a throttle
        "CodeMismatchException",
    ],
)
async def test_non_retryable_4xx_is_never_retried(
    server: FaultServer, make_client: MakeClient, code: str
) -> None:
    server.script(then=error(400, code, "no"))
    client = make_client(max_attempts=5)
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert type(info.value) is getattr(errors, code)
    assert server.count == info.value.attempts == 1
    assert sleeps(client) == []
    assert client._retry.quota.available == INITIAL_QUOTA  # nothing was spent


async def test_a_non_retryable_error_after_retries_stops_at_once(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(status(503), error(400, "NotAuthorizedException"), then=ok())
    client = make_client(max_attempts=5)
    with pytest.raises(errors.NotAuthorizedException) as info:
        await login(client)
    assert server.count == info.value.attempts == 2


async def test_retry_quota_drains_and_recovers(
    server: FaultServer, make_client: MakeClient
) -> None:
    """A server failing every request: retries stop once the quota cannot pay for one (calls
    then fail after one attempt), and successes refill it."""
    server.script(then=status(503))
    client = make_client(max_attempts=3)
    quota = client._retry.quota
    calls_to_drain = INITIAL_QUOTA // (2 * RETRY_COST)  # two retries per call: 17 calls
    for n in range(1, calls_to_drain + 1):
        with pytest.raises(aiocognito.ServiceError) as info:
            await login(client)
        assert info.value.attempts == 3
        assert quota.available == INITIAL_QUOTA - n * 2 * RETRY_COST
    left = INITIAL_QUOTA - calls_to_drain * 2 * RETRY_COST  # 24: one more retry, not two
    assert RETRY_COST <= left < 2 * RETRY_COST
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert info.value.attempts == 2
    assert quota.available == left - RETRY_COST < RETRY_COST

    # Too little for a retry: none, whatever max_attempts says.
    for _ in range(3):
        before = server.count
        with pytest.raises(aiocognito.ServiceError) as info:
            await login(client)
        assert info.value.attempts == 1
        assert server.count == before + 1
    assert quota.available == left - RETRY_COST

    # Successes give back 1 each (they needed no retry) until one retry is paid for again.
    server.script(then=ok())
    while quota.available < RETRY_COST:
        await login(client)
    server.script(then=status(503))
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert info.value.attempts == 2
    assert quota.available == 0

    # A call that succeeds after a retry gives back what the retry took.
    server.script(then=ok())
    for _ in range(RETRY_COST):
        await login(client)
    assert quota.available == RETRY_COST
    server.script(status(503), then=ok())
    await login(client)
    assert quota.available == RETRY_COST
    # The quota never holds more than it started with.
    for _ in range(INITIAL_QUOTA + 10):
        quota.release(0)
    assert quota.available == INITIAL_QUOTA


@pytest.mark.parametrize(
    ("first", "cost"),
    [
        (lambda: status(503), RETRY_COST),
        (Stall, RETRY_COST),  # a timeout: no dearer than any transient error any more
        (CloseNow, RETRY_COST),
        (lambda: error(400, "TooManyRequestsException", "slow down"), THROTTLING_RETRY_COST),
        (lambda: error(400, "ThrottlingException", "Rate exceeded"), THROTTLING_RETRY_COST),
        (lambda: status(429), THROTTLING_RETRY_COST),  # a code the model does not know
    ],
    ids=["503", "timeout", "closed", "TooManyRequests", "Throttling", "429"],
)
async def test_what_a_retry_costs(
    server: FaultServer, make_client: MakeClient, first: Callable[[], Action], cost: int
) -> None:
    server.script(first(), then=ok())
    client = make_client(max_attempts=2)
    await login(client)
    assert server.count == 2
    # Taken for the retry, given back by the success that followed it.
    assert client._retry.quota.available == INITIAL_QUOTA
    server.script(first(), then=first())
    with pytest.raises(aiocognito.CognitoError):
        await login(client)
    assert client._retry.quota.available == INITIAL_QUOTA - cost


THROTTLED = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
TRANSIENT = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 20.0]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda: status(503), TRANSIENT),
        (lambda: error(500, "InternalErrorException", "boom"), TRANSIENT),
        (CloseNow, TRANSIENT),
        (lambda: error(400, "TooManyRequestsException", "slow down"), THROTTLED),
        (lambda: error(400, "LimitExceededException", "limit"), THROTTLED),
        (lambda: status(429), THROTTLED),
    ],
    ids=["503", "500-modeled", "closed", "TooManyRequests", "LimitExceeded", "429"],
)
async def test_backoff_doubles_from_its_base_up_to_20_seconds(
    server: FaultServer,
    make_client: MakeClient,
    answer: Callable[[], Action],
    expected: list[float],
) -> None:
    """The most jitter allows: 0.05 s doubling for transient errors, 1 s for throttling."""
    server.script(then=answer())
    client = make_client(max_attempts=len(expected) + 1, retry=recorded(random=lambda: 1.0))
    with pytest.raises(aiocognito.CognitoError) as info:
        await login(client)
    assert info.value.attempts == len(expected) + 1
    assert sleeps(client) == pytest.approx(expected)


async def test_backoff_is_jittered(server: FaultServer, make_client: MakeClient) -> None:
    server.script(then=status(503))
    client = make_client(max_attempts=4, retry=recorded(random=iter([0.5, 0.25, 0.0]).__next__))
    with pytest.raises(aiocognito.ServiceError):
        await login(client)
    assert sleeps(client) == pytest.approx([0.5 * 0.05, 0.25 * 0.1, 0.0])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ((503, "300", 1.0), 0.3),  # asks more than the backoff: granted
        ((503, "300", 0.0), 0.3),
        ((503, "10", 1.0), 0.05),  # asks less: the backoff still applies
        ((503, "60000", 0.0), 5.0),  # at most 5 s beyond the backoff...
        ((503, "60000", 1.0), 5.05),
        ((400, "60000", 1.0), 6.0),  # ...which is 1 s after throttling
        ((503, "0", 1.0), 0.05),
        ((503, "soon", 1.0), 0.05),  # not milliseconds: ignored
        ((503, "-300", 1.0), 0.05),
        ((503, "1.5", 1.0), 0.05),
        ((503, "9" * 400, 1.0), 0.05),  # too large for a float
    ],
)
async def test_x_amz_retry_after_is_honoured_up_to_5_seconds_more(
    server: FaultServer,
    make_client: MakeClient,
    case: tuple[int, str, float],
    expected: float,
) -> None:
    answer, header, jitter = case
    body = b'{"__type": "TooManyRequestsException"}' if answer == 400 else b""
    server.script(Reply(answer, body, headers={"x-amz-retry-after": header}), then=ok())
    client = make_client(retry=recorded(random=lambda: jitter))
    await login(client)
    assert sleeps(client) == [pytest.approx(expected)]


async def test_retry_after_is_kept_on_the_error(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(then=Reply(503, b"", headers={"X-Amz-Retry-After": "1500"}))  # any case
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(make_client(max_attempts=1))
    assert info.value.retry_after == 1.5


async def test_total_timeout_includes_backoff(server: FaultServer, make_client: MakeClient) -> None:
    """A backoff that would never end is cut by the total timeout (a real, cancellable sleep,
    of an hour: only the total timeout can end this call, however loaded the machine)."""
    asked: list[float] = []

    async def sleep_an_hour(seconds: float) -> None:
        asked.append(seconds)
        await asyncio.sleep(3600)

    server.script(then=error(400, "TooManyRequestsException", "slow down"))
    client = make_client(total_timeout=0.3, retry=RetryConfig(sleep=sleep_an_hour))
    with pytest.raises(aiocognito.TransportTimeoutError) as info:
        await login(client)
    assert len(asked) == 1  # the call was in its backoff when the total timeout expired
    assert server.count == info.value.attempts == 1
    assert "total timeout of 0.3 s" in str(info.value)


async def test_the_retry_hook_sees_every_backoff_and_can_replace_it(
    server: FaultServer, make_client: MakeClient
) -> None:
    """``RetryConfig(sleep=...)`` is the public way to watch or skip backoff: it gets each
    delay, and the client waits for nothing else between attempts."""
    seen: list[float] = []

    async def no_wait(seconds: float) -> None:
        seen.append(seconds)

    server.script(status(503), error(400, "TooManyRequestsException"), then=ok())
    config = RetryConfig(sleep=no_wait, random=lambda: 1.0)
    # Waiting out the delays for real (2.05 s) would not fit in the total timeout: the call
    # succeeding shows that the client waited for nothing but the hook.
    client = make_client(retry=config, total_timeout=2.0)
    assert client.retry is config
    await login(client)
    assert seen == pytest.approx([1.0 * 0.05, 1.0 * 1.0 * 2])


def test_retry_config_is_checked_and_frozen() -> None:
    with pytest.raises(ValueError, match="'standard' or 'adaptive'"):
        RetryConfig(mode="legacy")  # type: ignore[arg-type]
    config = RetryConfig()
    assert config.mode == "standard" and config.sleep is asyncio.sleep
    with pytest.raises(AttributeError):
        config.mode = "adaptive"  # type: ignore[misc]
    assert isinstance(RetryConfig(sleep=SleepRecorder()).sleep, SleepRecorder)


def test_is_retryable_takes_the_exception_alone() -> None:
    """Whether a 429 is modeled is the exception's class: no ``modeled=`` flag to forget."""
    assert list(inspect.signature(retries.is_retryable).parameters) == ["exc"]
    unmodeled = aiocognito.ServiceError(code="HTTP429", status_code=429)
    modeled = aiocognito.errors.NotAuthorizedException(status_code=429)
    assert retries.is_retryable(unmodeled) and retries.is_throttling(unmodeled)
    assert not retries.is_retryable(modeled) and not retries.is_throttling(modeled)


# -- attempts from the environment, as botocore reads AWS_MAX_ATTEMPTS ---------------------------
async def test_max_attempts_from_the_environment(
    server: FaultServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    server.script(then=status(503))
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(make_client())
    assert server.count == info.value.attempts == 5
    # An explicit max_attempts wins over the environment.
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(make_client(max_attempts=2))
    assert info.value.attempts == 2 and server.count == 5 + 2
