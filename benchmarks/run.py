"""Run the benchmark: server, every driver in fresh processes, checks, the markdown report.

    python benchmarks/run.py                 # the full run (what `nox -s bench` does)
    python benchmarks/run.py --quick         # a smoke run in ~1 minute; writes nothing
    python benchmarks/run.py --drivers aiocognito,capo --no-write --json /tmp/bench.json

Run it in an environment that has aiocognito, aiobotocore, capo-cognito-identity-provider and
httpx-aiohttp installed (``nox -s bench`` builds one). Exits non-zero when a driver fails,
when what the server saw does not match what a driver says it sent, or when a driver's parsed
answers are wrong; the report says which and why.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import payloads
from sdk_imports import IMPORTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DRIVERS = list(IMPORTS)
REFERENCES = ("aiobotocore", "capo", "httpx")
"""Every figure is also shown as a ratio to each of these drivers."""
OURS = (
    "aiocognito-plain",
    "aiocognito",
    "aiocognito-purepy",
    "aiocognito+httpcore",
    "aiocognito+aiohttp",
)
PLAIN = "aiocognito-plain"
"""What ``pip install aiocognito`` gives: the issue-17 targets are about this driver."""
SPEEDUPS = "aiocognito"
"""With the ``speedups`` extra: must not be behind ``PLAIN`` on any figure."""
REGRESSION_NOISE = 0.10
"""A speedups figure worse than plain by more than this fraction counts as a regression..."""
REGRESSION_FLOOR = {"ms": 1.0, "µs": 10.0, "MB": 1.0, "/s": 0.0}
"""... and by more than this much in the figure's unit (a construction of 0.5 ms that takes
0.6 ms in one process is noise, not a regression)."""
LAMBDA_ENV = {
    "AWS_ACCESS_KEY_ID": payloads.ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": payloads.SECRET_KEY,
    # A Lambda function's keys are temporary: a session token of the usual size comes along.
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEBenchmark" + "0" * 1000,
    "AWS_REGION": payloads.REGION,
}
"""The environment of ``cold-signed`` processes: keys as AWS Lambda sets them."""
LOAD_LIMIT = 1.5
"""1-minute load average above which the report says the numbers were taken under load."""
BACKGROUND_LIMIT = 0.3
"""Cores used by other processes while a driver ran above which its figures are flagged."""
PROBES: list[float] = []
"""``speed_probe()`` before each driver process of this run."""
BUSY_MACHINE_LIMIT = 0.5
"""Cores used by other processes over the whole run above which the run is said under load."""
PACKAGES = (
    "aiocognito",
    "orjson",
    "httptools",
    "h11",
    "gmpy2",
    "httpx",
    "httpcore",
    "anyio",
    "attrs",
    "cattrs",
    "botocore",
    "aiobotocore",
    "aiohttp",
    "httpx-aiohttp",
    "capo-cognito-identity-provider",
    "zapros",
    "pycognito",
)
OP_LABEL = {
    "InitiateAuth": "initiate_auth",
    "AdminGetUser": "admin_get_user",
    "ListUsers": "list_users",
}


# -- the machine: what else is using the CPU --------------------------------------------------
def _busy_jiffies() -> int:
    """CPU time the whole machine spent busy, all processes (Linux /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle


def _own_cpu_s() -> float:
    """CPU of this process and of its finished children (the drivers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CpuMeter:
    """How many cores other processes kept busy while a part of the benchmark ran."""

    def __init__(self, server_cpu: Callable[[], float]) -> None:
        self._server_cpu = server_cpu
        self._tick = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> tuple[float, float, float]:
        return (
            time.perf_counter(),
            _busy_jiffies() / self._tick,
            _own_cpu_s() + self._server_cpu(),
        )

    @staticmethod
    def others(start: tuple[float, float, float], end: tuple[float, float, float]) -> float:
        wall = end[0] - start[0]
        busy, ours = end[1] - start[1], end[2] - start[2]
        return max(busy - ours, 0.0) / wall if wall > 0 else 0.0


def speed_probe() -> float:
    """CPU ms of a fixed pure-Python loop, best of 3: how fast this machine is right now.

    Shared hosts change speed under a guest's feet (other guests, frequency); the spread of
    this probe over a run says how much of the drivers' differences could be the machine's.
    """
    best = float("inf")
    for _ in range(3):
        c0 = time.process_time()
        table = {str(i): i for i in range(20_000)}
        json.dumps(table)
        best = min(best, time.process_time() - c0)
    return best * 1e3


def _loadavg() -> float:
    return os.getloadavg()[0]


# -- the server --------------------------------------------------------------------------------
class Server:
    """``server.py`` in its own process, and its counters."""

    def __init__(self, loop: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "server.py"), "--port", "0", "--loop", loop],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def _control(self, target: str) -> dict[str, Any]:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": target})
            data: dict[str, Any] = json.loads(conn.getresponse().read())
            return data
        finally:
            conn.close()

    def stats(self) -> dict[str, Any]:
        return self._control("Bench.Stats")

    def reset(self) -> None:
        self._control("Bench.Reset")

    def cpu_s(self) -> float:
        import server

        return server._process_cpu(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- running drivers ---------------------------------------------------------------------------
@dataclass
class Outcome:
    """Everything one driver produced over the whole run."""

    name: str
    cold: list[dict[str, Any]] = field(default_factory=list)
    cold_signed: list[dict[str, Any]] = field(default_factory=list)
    warm: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    background: list[float] = field(default_factory=list)
    server_cpu_us: list[float] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    requests: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def _child_env(tmp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # Bytecode must be cached, or every fresh process would compile its imports again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONHASHSEED"] = "0"
    # No stray AWS configuration, and never a request to an instance metadata service.
    env["AWS_CONFIG_FILE"] = os.path.join(tmp, "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(tmp, "no-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def _check_digest(name: str, op: str, digest: dict[str, Any], parses: bool) -> str | None:
    if parses:
        want = payloads.expected()[op]
        if digest != want:
            diff = {k: (digest.get(k), v) for k, v in want.items() if digest.get(k) != v}
            return f"{op}: parsed values differ from the canned answer (got, want): {diff}"
        return None
    want_bytes = len(payloads.answer_bytes(op))
    if digest != {"status": 200, "bytes": want_bytes}:
        return f"{op}: expected status 200 and {want_bytes} bytes, got {digest}"
    return None


def _verify(outcome: Outcome, result: dict[str, Any], stats: dict[str, Any], what: str) -> None:
    """What the server saw must be exactly what the driver says it sent, signed as the model says."""
    seen = stats["operations"]
    for target in set(seen) - set(payloads.OPERATIONS):
        outcome.problems.append(f"{what}: the server got {seen[target]['requests']} {target!r}")
    for op in payloads.OPERATIONS:
        sent = result["calls"].get(op, 0)
        got = seen.get(op, {"requests": 0, "signed": 0})
        if got["requests"] != sent:
            outcome.problems.append(
                f"{what}: {op}: the driver made {sent} calls, the server saw {got['requests']}"
            )
        want_signed = got["requests"] if payloads.SIGNED[op] else 0
        if got["signed"] != want_signed:
            outcome.problems.append(
                f"{what}: {op}: {got['signed']} of {got['requests']} requests signed, "
                f"the model wants {'all' if payloads.SIGNED[op] else 'none'}"
            )
    if stats["bad_requests"]:
        outcome.problems.append(f"{what}: {stats['bad_requests']} malformed HTTP requests")


def run_driver(
    server: Server,
    outcome: Outcome,
    mode: str,
    *,
    meter: CpuMeter,
    extra: Sequence[str],
    env: dict[str, str],
    timeout: float,
    keep: bool = True,
) -> dict[str, Any] | None:
    """One fresh driver process; its result, or ``None`` with the failure recorded."""
    import sdks

    what = f"{mode} run"
    PROBES.append(speed_probe())
    server.reset()
    before = meter.snapshot()
    cmd = [
        sys.executable,
        str(HERE / "driver.py"),
        mode,
        outcome.name,
        "--endpoint",
        server.endpoint,
        *extra,
    ]
    try:
        proc = subprocess.run(
            cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        outcome.problems.append(f"{what}: no result within {timeout:.0f} s")
        return None
    after = meter.snapshot()
    stats = server.stats()
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        err = proc.stderr.strip().splitlines() or ["(nothing on stderr)"]
        outcome.problems.append(
            f"{what}: exit code {proc.returncode}: {err[-1]}\n" + "\n".join(err[-15:])
        )
        return None
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    _verify(outcome, result, stats, what)
    parses = sdks.ADAPTERS[outcome.name].parses
    digests = result.get("digests") or {"InitiateAuth": result.get("first_digest")}
    for op, digest in digests.items():
        problem = _check_digest(outcome.name, op, digest, parses)
        if problem:
            outcome.problems.append(f"{what}: {problem}")
    requests = sum(v["requests"] for v in stats["operations"].values())
    outcome.requests += requests
    if keep:
        outcome.background.append(CpuMeter.others(before, after))
        if requests:
            outcome.server_cpu_us.append(stats["cpu_s"] / requests * 1e6)
        if mode == "warm":
            outcome.connections.append(stats["connections"])
    return result


# -- figures -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool = False
    digits: int = 0


def _pct(sorted_values: list[int], q: float) -> float:
    return sorted_values[min(int(len(sorted_values) * q), len(sorted_values) - 1)]


def round_cpu(outcome: Outcome, op: str) -> list[float]:
    """CPU per call (µs) of ``op`` in each warm round: the median block of that round."""
    return [
        statistics.median(r["sequential"][op]["cpu_per_call_s"]) * 1e6
        for r in outcome.warm
        if op in r["sequential"]
    ]


def figures(outcome: Outcome) -> dict[str, float]:
    """The figures of one driver: medians over its fresh processes, blocks and rounds."""
    out: dict[str, float] = {}
    cold = outcome.cold
    if cold:
        out["import_ms"] = statistics.median(r["import_s"] for r in cold) * 1e3
        out["construct_ms"] = statistics.median(r["construct_s"] for r in cold) * 1e3
        out["first_call_ms"] = statistics.median(r["first_call_s"] for r in cold) * 1e3
        out["cold_ms"] = (
            statistics.median(r["import_s"] + r["construct_s"] + r["first_call_s"] for r in cold)
            * 1e3
        )
        out["rss_mb"] = statistics.median(r["rss_mb"] for r in cold)
    signed = outcome.cold_signed
    if signed:
        out["signed_first_call_ms"] = statistics.median(r["first_call_s"] for r in signed) * 1e3
        out["signed_cold_ms"] = (
            statistics.median(r["import_s"] + r["construct_s"] + r["first_call_s"] for r in signed)
            * 1e3
        )
    warm = outcome.warm
    if warm:
        for op in payloads.OPERATIONS:
            runs = [r["sequential"][op] for r in warm if op in r["sequential"]]
            if not runs:
                continue
            label = OP_LABEL[op]
            blocks = [c for r in runs for c in r["cpu_per_call_s"]]
            walls = sorted(w for r in runs for w in r["wall_ns"])
            med = statistics.median(blocks)
            out[f"cpu_{label}_us"] = med * 1e6
            q = statistics.quantiles(blocks, n=4) if len(blocks) > 1 else [med, med, med]
            out[f"spread_{label}_pct"] = (q[2] - q[0]) / med * 100
            out[f"p50_{label}_us"] = _pct(walls, 0.50) / 1e3
            out[f"p99_{label}_us"] = _pct(walls, 0.99) / 1e3
        conc = [r["concurrent"] for r in warm]
        out["conc_cps"] = statistics.median(c["calls_per_s"] for c in conc)
        out["conc_cpu_us"] = statistics.median(c["cpu_per_call_s"] for c in conc) * 1e6
        walls = sorted(w for c in conc for w in c["wall_ns"])
        out["conc_p50_ms"] = _pct(walls, 0.50) / 1e6
        out["conc_p99_ms"] = _pct(walls, 0.99) / 1e6
        out["conc_time_limited"] = float(any(c["hit_time_limit"] for c in conc))
        out["construct_again_ms"] = statistics.median(r["construct_again_s"] for r in warm) * 1e3
    if outcome.connections:
        out["connections"] = max(outcome.connections)
    if outcome.server_cpu_us:
        out["server_cpu_us"] = statistics.median(outcome.server_cpu_us)
    if outcome.background:
        out["background_cores"] = max(outcome.background)
    return out


SUMMARY = [
    Metric("import_ms", "import ms", "ms", digits=1),
    Metric("construct_ms", "construct ms", "ms", digits=2),
    Metric("cold_ms", "cold start ms", "ms", digits=1),
    Metric("signed_cold_ms", "signed cold start ms", "ms", digits=1),
    Metric("cpu_initiate_auth_us", "initiate_auth CPU µs", "µs"),
    Metric("cpu_admin_get_user_us", "admin_get_user CPU µs", "µs"),
    Metric("cpu_list_users_us", "list_users CPU µs", "µs"),
    Metric("conc_cps", "calls/s at c=64", "/s", higher_is_better=True),
    Metric("rss_mb", "peak RSS MB", "MB", digits=1),
]


def _fmt(value: float | None, digits: int, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _ratio(value: float | None, ref: float | None) -> str:
    if value is None or not ref:
        return "-"
    return f"{value / ref:.2f}x"


# -- the report --------------------------------------------------------------------------------
def _versions_by_name() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _versions() -> list[str]:
    found = _versions_by_name()
    return [f"{n} {found[n]}" if n in found else f"{n} (not installed)" for n in PACKAGES]


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


@dataclass
class Context:
    started: dt.datetime
    seconds: float
    load_start: float
    background: float
    """Cores other processes kept busy, on average, while the drivers ran."""
    load_end: float
    selftest: dict[str, float]
    args: argparse.Namespace
    srp: str | None
    srp_result: dict[str, Any] | None
    srp_problem: str | None


def targets(
    figs: dict[str, dict[str, float]], outcomes: dict[str, Outcome], ctx: Context
) -> list[list[str]]:
    """Issue 17's targets for the plain install, each with its figures and whether it is met.

    CPU ratios also give their range over the warm rounds (each round measures every driver
    within a minute or so of the others), which shows how much of a ratio is noise.
    """
    rows: list[list[str]] = []
    capo, botocore = figs.get("capo", {}), figs.get("aiobotocore", {})
    plain, speedups = figs.get(PLAIN, {}), figs.get(SPEEDUPS, {})

    def row(name: str, value: float | None, limit: float | None, ok: bool | None) -> None:
        status = "-" if ok is None else ("met" if ok else "**not met**")
        rows.append([name, _fmt(value, 2), _fmt(limit, 2), status])

    def ratio_of(key: str, ref: dict[str, float]) -> float | None:
        a, b = plain.get(key), ref.get(key)
        return a / b if a is not None and b else None

    for wire, op in OP_LABEL.items():
        ratio = ratio_of(f"cpu_{op}_us", capo)
        row(f"{op} client CPU per call, x capo", ratio, 0.5, _le(ratio, 0.5))
        if PLAIN in outcomes and "capo" in outcomes:
            ours, theirs = round_cpu(outcomes[PLAIN], wire), round_cpu(outcomes["capo"], wire)
            ranges = [a / b for a, b in zip(ours, theirs, strict=False) if b]
            if len(ranges) > 1:
                rows[-1][1] += f" ({min(ranges):.2f}-{max(ranges):.2f} over rounds)"
    ratio = ratio_of("signed_cold_ms", capo)
    row("cold start on a signed call, keys in the environment, x capo", ratio, 0.6, _le(ratio, 0.6))
    ratio = ratio_of("conc_cps", capo)
    row("calls/s at c=64, x capo", ratio, 3.0, _ge(ratio, 3.0))
    ratio = ratio_of("rss_mb", capo)
    row("peak RSS after 1000 calls, x capo", ratio, 1.0, _le(ratio, 1.0))
    worse = []
    for m in SUMMARY:
        a, b = speedups.get(m.key), plain.get(m.key)
        if a is None or not b:
            continue
        change = (b / a if m.higher_is_better else a / b) - 1
        if change > REGRESSION_NOISE and abs(a - b) > REGRESSION_FLOOR.get(m.unit, 0.0):
            worse.append(f"{m.label} (+{change:.0%})")
    ok = None if not speedups or not plain else not worse
    rows.append(
        [
            f"nothing regresses with speedups (each figure within {REGRESSION_NOISE:.0%} of plain)",
            "worse on: " + ", ".join(worse) if worse else "-",
            "-",
            "-" if ok is None else ("met" if ok else "**not met**"),
        ]
    )
    ratio = ratio_of("cold_ms", capo)
    row("unsigned cold start (for reference), x capo", ratio, None, None)
    behind = []
    for m in SUMMARY:
        a, b = plain.get(m.key), botocore.get(m.key)
        if a is None or b is None:
            continue
        if (a < b) if m.higher_is_better else (a > b):
            behind.append(f"{m.label} ({a / b:.2f}x)")
    ok = None if not plain or not botocore else not behind
    rows.append(
        [
            "ahead of aiobotocore on every summary figure",
            "behind on: " + ", ".join(behind) if behind else "-",
            "-",
            "-" if ok is None else ("met" if ok else "**not met**"),
        ]
    )
    srp = ctx.srp_result or {}
    a, p = srp.get("aiocognito_cpu_s"), srp.get("pycognito_cpu_s")
    ratio = a / p if isinstance(a, int | float) and isinstance(p, int | float) and p else None
    row("SRP sign-in client CPU (speedups) x pycognito (issue 7)", ratio, 0.2, _le(ratio, 0.2))
    return rows


def _le(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _ge(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def _probe_line() -> str:
    if len(PROBES) < 2:
        return "- Machine speed: not probed"
    med = statistics.median(PROBES)
    q = statistics.quantiles(PROBES, n=4)
    return (
        f"- Machine speed (a fixed CPU loop before each of the {len(PROBES)} driver processes): "
        f"median {med:.1f} ms, IQR {(q[2] - q[0]) / med * 100:.0f}%, range {min(PROBES):.1f}-"
        f"{max(PROBES):.1f} ms; differences between drivers within that much are noise"
    )


def report(outcomes: list[Outcome], ctx: Context) -> str:
    figs = {o.name: figures(o) for o in outcomes if not o.failed}
    names = [o.name for o in outcomes if not o.failed]
    a = ctx.args
    under_load = (
        max(ctx.load_start, ctx.load_end) > LOAD_LIMIT or ctx.background > BUSY_MACHINE_LIMIT
    )
    lines = [
        "# Benchmark results",
        "",
        f"{ctx.started:%Y-%m-%d %H:%M} UTC, "
        f"`{' '.join(['python', 'benchmarks/run.py', *sys.argv[1:]])}` "
        f"(`nox -s bench` runs it with no arguments), {ctx.seconds:.0f} s in all.",
        "",
    ]
    if under_load:
        lines += [
            f"> **Taken under load**: the 1-minute load average was {ctx.load_start:.2f} before "
            f"the run and {ctx.load_end:.2f} after it (limit {LOAD_LIMIT}), and other "
            f"processes kept {ctx.background:.2f} of this machine's {os.cpu_count()} cores busy "
            "on average while the drivers ran. Absolute figures are inflated and noisier; "
            "ratios within the run hold up better. Re-run on an idle machine for reference "
            "numbers.",
            "",
        ]
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " + uncommitted changes in src/" if _git("status", "--porcelain", "src") else ""
    lines += [
        f"- Machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        f"- Load average (1 min): {ctx.load_start:.2f} before, {ctx.load_end:.2f} after; "
        f"other processes' CPU while the drivers ran: {ctx.background:.2f} cores on average "
        "(per driver in the checks below)",
        _probe_line(),
        f"- aiocognito at commit {commit or '?'}{dirty}",
        "- Packages: " + ", ".join(_versions()),
        f"- Server: `server.py` ({a.server_loop} loop), separate process; self-test with a "
        f"raw-socket client: {ctx.selftest['requests_per_s']:,.0f} requests/s, "
        f"{ctx.selftest['server_cpu_us_per_request']:.1f} µs server CPU per request "
        f"(≈ {1e6 / ctx.selftest['server_cpu_us_per_request']:,.0f} requests/s on one core)",
        f"- Settings: {a.cold_runs} fresh processes per driver for import/cold/RSS and as many "
        "for the signed cold start (+1 of each discarded), "
        f"{a.rounds} warm round(s) of {a.seq_calls // a.rounds} sequential calls per operation "
        f"({a.warmup} warm-up calls each) and up to {a.conc_calls // a.rounds} calls at "
        f"c={a.concurrency} (at most {a.conc_seconds / a.rounds:.0f} s) per round",
        "",
    ]
    failed = [o for o in outcomes if o.failed]
    if failed:
        lines += ["## FAILED drivers", ""]
        for o in failed:
            lines.append(f"- **{o.name}**:")
            for problem in o.problems:
                first, *rest = problem.strip().splitlines()
                lines.append(f"  - {first}")
                if rest:
                    lines += ["", "    ```", *(f"    {x}" for x in rest), "    ```", ""]
        lines.append("")

    lines += [
        "## Summary (medians; client CPU per call, sequential)",
        "",
        *_table(
            ["client", *(m.label for m in SUMMARY)],
            [[n, *(_fmt(figs[n].get(m.key), m.digits) for m in SUMMARY)] for n in names],
        ),
        "",
        "Lower is better except calls/s. Cold start = import + construct + first InitiateAuth "
        "(unsigned) in a fresh process; signed cold start = the same with a first AdminGetUser "
        "signed with keys found in the environment (as in AWS Lambda); peak RSS = VmHWM after "
        "1000 calls in the unsigned cold-start process. Floors (`httpx`, `httpx+aiohttp`, "
        "`asyncio`) send prebuilt bytes (a fixed `Authorization` header) and parse nothing.",
        "",
    ]
    for ref in REFERENCES:
        if ref not in figs:
            lines += [f"## Ratios to {ref}: not measured in this run", ""]
            continue
        lines += [
            f"## Ratios to {ref} (same run)",
            "",
            *_table(
                [
                    "client",
                    *(
                        m.label.replace(" µs", "").replace(" ms", "").replace(" MB", "")
                        for m in SUMMARY
                    ),
                ],
                [
                    [n, *(_ratio(figs[n].get(m.key), figs[ref].get(m.key)) for m in SUMMARY)]
                    for n in names
                ],
            ),
            "",
        ]
    lines += [
        "## Sequential latency (µs, wall per call) and CPU stability",
        "",
        *_table(
            [
                "client",
                *(f"{op} {q}" for op in OP_LABEL.values() for q in ("p50", "p99", "CPU IQR")),
            ],
            [
                [
                    n,
                    *(
                        (
                            _fmt(figs[n].get(f"p50_{op}_us"), 0),
                            _fmt(figs[n].get(f"p99_{op}_us"), 0),
                            _fmt(figs[n].get(f"spread_{op}_pct"), 0, "%"),
                        )[i]
                        for op in OP_LABEL.values()
                        for i in range(3)
                    ),
                ]
                for n in names
            ],
        ),
        "",
        "CPU IQR: interquartile range / median of the per-block CPU per call "
        f"({a.blocks} blocks per round, {a.blocks * a.rounds} in all); a large one means a "
        "noisy figure.",
        "",
        f"## Concurrency {a.concurrency} (initiate_auth) and construction",
        "",
        *_table(
            [
                "client",
                "calls/s",
                "CPU/call µs",
                "p50 ms",
                "p99 ms",
                "connections opened",
                "construct (fresh process) ms",
                "another client ms",
                "first call ms",
                "first signed call ms",
            ],
            [
                [
                    n,
                    _fmt(figs[n].get("conc_cps"), 0)
                    + (" (time-limited)" if figs[n].get("conc_time_limited") else ""),
                    _fmt(figs[n].get("conc_cpu_us"), 0),
                    _fmt(figs[n].get("conc_p50_ms"), 1),
                    _fmt(figs[n].get("conc_p99_ms"), 1),
                    _fmt(figs[n].get("connections"), 0),
                    _fmt(figs[n].get("construct_ms"), 2),
                    _fmt(figs[n].get("construct_again_ms"), 2),
                    _fmt(figs[n].get("first_call_ms"), 1),
                    _fmt(figs[n].get("signed_first_call_ms"), 1),
                ]
                for n in names
            ],
        ),
        "",
        "Connections opened: by one warm process, warm-up included (more than the concurrency "
        "means the pool closes and reopens connections). Another client: build and close a "
        "second client in a process that has one (aiobotocore from the same session).",
        "",
        f"## Issue 17 targets (`{PLAIN}`: what `pip install aiocognito` gives)",
        "",
        *_table(
            ["target", "value", "limit", "status"],
            targets(figs, {o.name: o for o in outcomes if not o.failed}, ctx),
            "lrrl",
        ),
        "",
        "## SRP sign-in (benchmarks/srp_cpu.py)",
        "",
    ]
    if ctx.srp_problem:
        lines += [f"**FAILED**: {ctx.srp_problem}", ""]
    elif ctx.srp is None:
        lines += ["Not measured in this run (`--no-srp`, or no `benchmarks/srp_cpu.py`).", ""]
    else:
        lines += [ctx.srp.strip(), ""]
    lines += [
        "## Checks",
        "",
        "- Canned answers and requests checked against the pinned service model: ok",
        "- Every driver not listed as failed: its parsed answers matched the canned values "
        "(floors: status and size), and the server saw exactly the calls it made, with a "
        "signature on exactly the operations the model wants signed (InitiateAuth unsigned)",
        "",
        *_table(
            [
                "client",
                "requests served",
                "server CPU µs/request",
                "other processes' CPU (cores, worst run)",
            ],
            [
                [
                    o.name,
                    f"{o.requests:,}",
                    _fmt(figures(o).get("server_cpu_us"), 1),
                    _fmt(figures(o).get("background_cores"), 2)
                    + (" ⚠" if figures(o).get("background_cores", 0) > BACKGROUND_LIMIT else ""),
                ]
                for o in outcomes
            ],
        ),
        "",
    ]
    if any(figures(o).get("background_cores", 0) > BACKGROUND_LIMIT for o in outcomes):
        lines += [
            f"⚠: other processes kept more than {BACKGROUND_LIMIT} of a core busy during at "
            "least one of this driver's runs; its figures may be inflated.",
            "",
        ]
    return "\n".join(lines)


# -- the README's comparison table -------------------------------------------------------------
README = ROOT / "README.md"
README_BEGIN = "<!-- BEGIN comparison table"
README_END = "<!-- END comparison table -->"
README_COLUMNS = (PLAIN, SPEEDUPS, "capo", "aiobotocore")
README_FACTS = [
    # (row, aiocognito, same for speedups, capo, aiobotocore, boto3): no measurement needed.
    ("async", "yes", "yes", "yes", "yes", "no"),
    (
        "typed requests and answers",
        "attrs classes, checked by mypy and pyright",
        "same",
        "TypedDicts",
        "dicts (types from a separate stubs package)",
        "dicts (types from a separate stubs package)",
    ),
    (
        "errors",
        "one exception class per modeled error, with `code`, `message`, `status_code`, "
        "`request_id`",
        "same",
        "one exception class per modeled error",
        "`ClientError` subclasses built at run time, details in a dict",
        "same as aiobotocore",
    ),
    (
        "signed calls with keys in the environment import botocore",
        "no (own SigV4 signer)",
        "no",
        "no (own signer)",
        "yes",
        "yes",
    ),
    (
        "unsigned (`noAuth`) operations without AWS credentials",
        "yes; botocore is not even imported",
        "same",
        "only with `anonymous` set per call (it signs them when it has keys)",
        "yes",
        "yes",
    ),
    (
        "secrets in `repr` of answers",
        "redacted",
        "redacted",
        "shown (plain dicts)",
        "shown (plain dicts)",
        "shown (plain dicts)",
    ),
    (
        # Issue 14. The CPU ratios are verify_cpu.py's (nox -s bench_tokens), kept in
        # benchmarks/README.md; pycognito is built on boto3, so its helpers go in that column.
        "verify tokens",
        "`TokenVerifier` (`jwt` extra), after AWS's aws-jwt-verify (JavaScript): async; keys "
        "cached per pool, one fetch for concurrent callers, a new `kid` refetched at most every "
        "10 s; RS256 only; `token_use`, app client, groups, scopes; typed claims; CPU about "
        "PyJWT's own (benchmarks/README.md)",
        "same",
        "no helper",
        "no helper",
        "no helper; pycognito (on boto3): `verify_token`, synchronous, keys fetched once with a "
        "blocking request and never again (a new key fails), no app-client check on access "
        "tokens, about twice PyJWT's CPU",
    ),
    (
        "refresh before expiry",
        "`TokenSession`: refreshes when less than a margin (60 s) is left, once for any number "
        "of concurrent callers; refresh token rotation; `SessionExpiredError` once refused; "
        "`revoke()`, `global_sign_out()` (aws-jwt-verify only verifies)",
        "same",
        "no helper",
        "no helper (`REFRESH_TOKEN_AUTH` by hand)",
        "no helper; pycognito: `check_token()` refreshes once the token has expired (no "
        "margin, no lock, no rotation)",
    ),
    (
        "services",
        "Cognito user pools",
        "same",
        "Cognito user pools",
        "every AWS service",
        "every AWS service",
    ),
]


def _srp_ms(text: str | None) -> dict[str, float]:
    """CPU ms of a plain sign-in per implementation, from srp_cpu.py's table."""
    out: dict[str, float] = {}
    for line in (text or "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] == "sign-in":
            with contextlib.suppress(ValueError):
                out[cells[1]] = float(cells[2])
    return out


def readme_block(figs: dict[str, dict[str, float]], ctx: Context) -> str:
    """The README's comparison table, from this run's figures (``nox -s bench`` rewrites it)."""
    version = _versions_by_name()
    names = {
        PLAIN: "aiocognito (`pip install aiocognito`)",
        SPEEDUPS: 'aiocognito (`"aiocognito[speedups]"`)',
        "capo": f"capo {version.get('capo-cognito-identity-provider', '')}".strip(),
        "aiobotocore": f"aiobotocore {version.get('aiobotocore', '')}".strip(),
    }
    columns = [c for c in README_COLUMNS if c in figs]
    measured = [
        ("`import` (ms)", "import_ms", 0),
        ("cold start: import, construct, first unsigned call (ms)", "cold_ms", 0),
        ("cold start, signed call, keys in the environment (ms)", "signed_cold_ms", 0),
        ("client CPU per call, `InitiateAuth` (µs)", "cpu_initiate_auth_us", 0),
        ("client CPU per call, `AdminGetUser` (µs)", "cpu_admin_get_user_us", 0),
        ("client CPU per call, `ListUsers`, 60 users (µs)", "cpu_list_users_us", 0),
        ("calls/s, 64 concurrent `InitiateAuth`", "conc_cps", 0),
        ("peak RSS after 1,000 calls (MB)", "rss_mb", 1),
    ]
    header = ["", *(names[c] for c in columns), "boto3"]
    rows = [
        [label, *(_fmt(figs[c].get(key), digits) for c in columns), "not measured"]
        for label, key, digits in measured
    ]
    rows[6][-1] = "synchronous"
    srp = _srp_ms(ctx.srp)
    py, gm = srp.get("aiocognito (Python ints)"), srp.get("aiocognito + gmpy2")
    srp_cells = {
        PLAIN: _fmt(py, 1) + " (Python ints)" if py else "-",
        SPEEDUPS: _fmt(gm, 1) + " (gmpy2)" if gm else "-",
        "capo": "no SRP helper",
        "aiobotocore": "no SRP helper",
    }
    rows.append(["SRP sign-in, client CPU (ms)", *(srp_cells[c] for c in columns), "no SRP helper"])
    facts = {PLAIN: 1, SPEEDUPS: 2, "capo": 3, "aiobotocore": 4}
    for fact in README_FACTS:
        rows.append([fact[0], *(fact[facts[c]] for c in columns), fact[5]])
    load = (
        f"under load (load average {max(ctx.load_start, ctx.load_end):.1f}; figures inflated, "
        "ratios hold up better)"
        if max(ctx.load_start, ctx.load_end) > LOAD_LIMIT or ctx.background > BUSY_MACHINE_LIMIT
        else "on an idle machine"
    )
    lines = [
        f"{README_BEGIN}: written by benchmarks/run.py from the run in benchmarks/RESULTS.md -->",
        f"Measured by `nox -s bench` ([`benchmarks/RESULTS.md`](benchmarks/RESULTS.md), run of "
        f"{ctx.started:%Y-%m-%d} {load}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, aiocognito at commit "
        f"{_git('rev-parse', '--short', 'HEAD') or '?'}, against a local Cognito stand-in in "
        "another process; medians). `pip install aiocognito` brings orjson and httptools; the "
        "`speedups` extra adds gmpy2, which only SRP uses. boto3 is synchronous and not in the "
        "benchmark; its column lists only facts that need none.",
        "",
        *_table(header, rows, "l" + "r" * len(columns) + "l"),
        "",
        'Lower is better except calls/s. "Client CPU" is the CPU time of the client\'s process '
        "per sequential call, the server's excluded. The signed cold start is what an AWS "
        "Lambda function calling an admin operation pays on each cold start. Ratios, latency "
        "percentiles, the pure-Python fallback (`aiocognito-purepy`), the other transports "
        "(`transport=`) and the raw-httpx and asyncio floors are in `benchmarks/RESULTS.md`.",
        README_END,
    ]
    return "\n".join(lines)


def update_readme(block: str, path: Path = README) -> bool:
    """Replace the comparison table between its markers; False when the markers are missing."""
    text = path.read_text("utf-8")
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        return False
    path.write_text(text[:start] + block + text[end + len(README_END) :], "utf-8")
    return True


# -- SRP hook ----------------------------------------------------------------------------------
def run_srp(
    env: dict[str, str], timeout: float
) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """Run ``srp_cpu.py`` if present: (markdown, its RESULT json, a failure)."""
    script = HERE / "srp_cpu.py"
    if not script.exists():
        return None, None, None
    try:
        proc = subprocess.run(
            [sys.executable, str(script)],
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return None, None, f"srp_cpu.py gave no result within {timeout:.0f} s"
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
        return None, None, f"srp_cpu.py exited with {proc.returncode}:\n```\n{tail}\n```"
    text, result = [], None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
        else:
            text.append(line)
    return "\n".join(text), result or _srp_from_table(text), None


def _srp_from_table(lines: list[str]) -> dict[str, Any] | None:
    """The plain sign-in rows of srp_cpu.py's table: pycognito's and our fastest CPU (s).

    Used when the script prints no ``RESULT`` line; ``None`` when the table is not there.
    """
    ours: list[float] = []
    theirs: list[float] = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] != "sign-in":
            continue
        try:
            cpu = float(cells[2]) / 1e3
        except ValueError:
            continue
        (theirs if "pycognito" in cells[1] else ours).append(cpu)
    if not ours or not theirs:
        return None
    return {"aiocognito_cpu_s": min(ours), "pycognito_cpu_s": theirs[0]}


# -- main --------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--drivers", default=",".join(DRIVERS), help="comma-separated, in run order")
    p.add_argument("--cold-runs", type=int, default=5, help="fresh processes per driver")
    p.add_argument("--rounds", type=int, default=4, help="warm processes per driver")
    p.add_argument("--seq-calls", type=int, default=2000, help="per operation, over all rounds")
    p.add_argument("--blocks", type=int, default=5, help="CPU blocks per operation per round")
    p.add_argument("--warmup", type=int, default=100, help="calls per operation before measuring")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--conc-calls", type=int, default=5000, help="over all rounds")
    p.add_argument("--conc-seconds", type=float, default=12.0, help="time limit, over all rounds")
    p.add_argument("--server-loop", choices=("asyncio", "uvloop"), default="asyncio")
    p.add_argument("--quick", action="store_true", help="a smoke run: small counts, no file")
    p.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="the markdown report")
    p.add_argument("--no-write", action="store_true", help="print the report only")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--no-srp", action="store_true", help="skip srp_cpu.py")
    p.add_argument(
        "--no-readme",
        action="store_true",
        help="with a written report, leave README.md's comparison table as it is",
    )
    given = argv if argv is not None else sys.argv[1:]
    if "--quick" in given:
        # Small counts unless given explicitly; and no file unless --out is given.
        p.set_defaults(
            cold_runs=2,
            rounds=1,
            seq_calls=300,
            warmup=50,
            conc_calls=600,
            conc_seconds=4.0,
            no_write="--out" not in given,
        )
    args = p.parse_args(argv)
    unknown = set(args.drivers.split(",")) - set(DRIVERS)
    if unknown:
        p.error(f"unknown drivers {sorted(unknown)}; known: {', '.join(DRIVERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    t_start = time.perf_counter()
    load_start = _loadavg()
    problems = payloads.check_against_model()
    if problems:
        print("the canned answers do not match the service model:", *problems, sep="\n  ")
        return 1

    names = args.drivers.split(",")
    outcomes = {n: Outcome(n) for n in names}
    server = Server(args.server_loop)
    try:
        import server as server_mod

        selftest = server_mod.raw_client(server.port, seconds=1.0, server_pid=server.proc.pid)
        meter = CpuMeter(server.cpu_s)
        run_start = meter.snapshot()
        with tempfile.TemporaryDirectory() as tmp:
            env = _child_env(tmp)
            # Cold: interleaved across drivers so that drift in machine load hits all alike;
            # the first process of each driver (bytecode caching, page cache) is discarded.
            for k in range(args.cold_runs + 1):
                for n in names:
                    o = outcomes[n]
                    if o.failed:
                        continue
                    print(f"cold {k}/{args.cold_runs} {n}", file=sys.stderr, flush=True)
                    r = run_driver(
                        server, o, "cold", meter=meter, extra=[], env=env, timeout=120, keep=k > 0
                    )
                    if r is not None and k > 0:
                        o.cold.append(r)
                    if o.failed:
                        continue
                    r = run_driver(
                        server,
                        o,
                        "cold-signed",
                        meter=meter,
                        extra=[],
                        env={**env, **LAMBDA_ENV},
                        timeout=120,
                        keep=k > 0,
                    )
                    if r is not None and k > 0:
                        o.cold_signed.append(r)
            per_round = [
                "--seq-calls",
                str(max(args.seq_calls // args.rounds, args.blocks)),
                "--blocks",
                str(args.blocks),
                "--warmup",
                str(args.warmup),
                "--concurrency",
                str(args.concurrency),
                "--conc-calls",
                str(args.conc_calls // args.rounds),
                "--conc-seconds",
                str(args.conc_seconds / args.rounds),
            ]
            for rnd in range(args.rounds):
                order = names if rnd % 2 == 0 else names[::-1]
                for n in order:
                    o = outcomes[n]
                    if o.failed:
                        continue
                    print(f"warm {rnd + 1}/{args.rounds} {n}", file=sys.stderr, flush=True)
                    r = run_driver(
                        server, o, "warm", meter=meter, extra=per_round, env=env, timeout=300
                    )
                    if r is not None:
                        o.warm.append(r)
            background = CpuMeter.others(run_start, meter.snapshot())
            srp_text, srp_result, srp_problem = (
                (None, None, None) if args.no_srp else run_srp(env, 240)
            )
    finally:
        server.stop()

    ctx = Context(
        started=started,
        seconds=time.perf_counter() - t_start,
        load_start=load_start,
        background=background,
        load_end=_loadavg(),
        selftest=selftest,
        args=args,
        srp=srp_text,
        srp_result=srp_result,
        srp_problem=srp_problem,
    )
    ordered = [outcomes[n] for n in names]
    text = report(ordered, ctx)
    print(text)
    if not args.no_write:
        args.out.write_text(text)
        print(f"\nwritten to {args.out}", file=sys.stderr)
        figs = {o.name: figures(o) for o in ordered if not o.failed}
        wanted = not args.no_readme and {PLAIN, "capo"} <= set(figs)
        if wanted and update_readme(readme_block(figs, ctx)):
            print(f"comparison table rewritten in {README}", file=sys.stderr)
    if args.json:
        raw = {
            o.name: {
                "cold": o.cold,
                "cold_signed": o.cold_signed,
                "warm": o.warm,
                "problems": o.problems,
                "figures": figures(o),
            }
            for o in ordered
        }
        args.json.write_text(json.dumps(raw))
    failures = [o.name for o in ordered if o.failed] + (["srp_cpu.py"] if srp_problem else [])
    if failures:
        print(f"\nFAILED: {', '.join(failures)} (details in the report)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
