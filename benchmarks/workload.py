"""The measuring loops ``driver.py`` runs: cold start, sequential calls, concurrent calls."""

from __future__ import annotations

import asyncio
import gc
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sdks import ADAPTERS, OPS, Adapter

RSS_CALLS = 1000
"""Calls made before the peak RSS is read (the first, cold call included)."""


def _rss_mb() -> float:
    """Peak RSS of this process in MiB.

    Linux: ``VmHWM`` from /proc, not ``getrusage().ru_maxrss``. The latter survives
    ``execve``: a child starts from its parent's RSS at fork time (run.py's ~35 MB), which
    hides the real peak of anything lighter. ``VmHWM`` belongs to the new address space.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def cold_signed(name: str, endpoint: str) -> dict[str, Any]:
    """Construction and a first signed call (AdminGetUser) with the keys in the environment.

    What an AWS Lambda function calling an admin operation pays on every cold start: the
    credentials are found in ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
    ``AWS_SESSION_TOKEN``, and the first call signs.
    """
    adapter = ADAPTERS[name](endpoint)
    adapter.env_credentials = True
    t0 = time.perf_counter()
    await adapter.open()
    t1 = time.perf_counter()
    first = await adapter.admin_get_user()
    t2 = time.perf_counter()
    await adapter.close()
    return {
        "construct_s": t1 - t0,
        "first_call_s": t2 - t1,
        "calls": {"AdminGetUser": 1},
        "digests": {"AdminGetUser": adapter.digest("AdminGetUser", first)},
    }


async def cold(name: str, endpoint: str) -> dict[str, Any]:
    """Construction and first call right after the import, then the peak RSS."""
    adapter = ADAPTERS[name](endpoint)
    t0 = time.perf_counter()
    await adapter.open()
    t1 = time.perf_counter()
    first = await adapter.initiate_auth()
    t2 = time.perf_counter()
    calls = {op: 0 for op in OPS}
    calls["InitiateAuth"] = 1
    for i in range(1, RSS_CALLS):
        op = OPS[i % len(OPS)]
        await adapter.call(op)()
        calls[op] += 1
    rss = _rss_mb()
    await adapter.close()
    return {
        "construct_s": t1 - t0,
        "first_call_s": t2 - t1,
        "rss_mb": rss,
        "calls": calls,
        "first_digest": adapter.digest("InitiateAuth", first),
    }


async def _sequential(
    call: Callable[[], Awaitable[Any]], n: int, blocks: int
) -> tuple[list[int], list[float]]:
    """Wall time of each call (ns), and the process CPU time per call of each block (s)."""
    per_block = max(n // blocks, 1)
    walls: list[int] = []
    cpus: list[float] = []
    clock, cpu_clock = time.perf_counter_ns, time.process_time
    for _ in range(blocks):
        c0 = cpu_clock()
        for _ in range(per_block):
            t = clock()
            await call()
            walls.append(clock() - t)
        cpus.append((cpu_clock() - c0) / per_block)
    return walls, cpus


async def _concurrent(
    call: Callable[[], Awaitable[Any]], n: int, concurrency: int, seconds: float
) -> dict[str, Any]:
    """``concurrency`` tasks calling until ``n`` calls are done or ``seconds`` have passed."""
    remaining = n
    walls: list[int] = []
    clock = time.perf_counter_ns
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            t = clock()
            await call()
            walls.append(clock() - t)

    c0, w0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - w0, time.process_time() - c0
    done = len(walls)
    return {
        "calls": done,
        "seconds": elapsed,
        "calls_per_s": done / elapsed,
        "cpu_per_call_s": cpu / max(done, 1),
        "wall_ns": sorted(walls),
        "hit_time_limit": done < n,
    }


async def warm(
    name: str,
    endpoint: str,
    *,
    seq_calls: int,
    blocks: int,
    warmup: int,
    concurrency: int,
    conc_calls: int,
    conc_seconds: float,
    ops: list[str],
) -> dict[str, Any]:
    adapter: Adapter = ADAPTERS[name](endpoint)
    t0 = time.perf_counter()
    await adapter.open()
    construct_s = time.perf_counter() - t0
    calls = dict.fromkeys(OPS, 0)

    # Warm up: every operation, then the pool at full concurrency.
    digests = {}
    for op in ops:
        call = adapter.call(op)
        for _ in range(warmup - 1):
            await call()
        digests[op] = adapter.digest(op, await call())
        calls[op] += warmup
    warm_conc = await _concurrent(adapter.initiate_auth, min(conc_calls // 10, 500), concurrency, 5)
    calls["InitiateAuth"] += warm_conc["calls"]

    sequential: dict[str, Any] = {}
    for op in ops:
        gc.collect()
        walls, cpus = await _sequential(adapter.call(op), seq_calls, blocks)
        calls[op] += len(walls)
        sequential[op] = {"wall_ns": sorted(walls), "cpu_per_call_s": cpus}

    gc.collect()
    conc = await _concurrent(adapter.initiate_auth, conc_calls, concurrency, conc_seconds)
    calls["InitiateAuth"] += conc["calls"]

    again = []
    for _ in range(5):
        t = time.perf_counter()
        await adapter.another_client()
        again.append(time.perf_counter() - t)
    await adapter.close()
    return {
        "construct_s": construct_s,
        "construct_again_s": sorted(again)[len(again) // 2],
        "digests": digests,
        "sequential": sequential,
        "concurrent": conc,
        "calls": calls,
        "rss_end_mb": _rss_mb(),
    }
