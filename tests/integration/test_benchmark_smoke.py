"""A smoke run of the benchmark (``benchmarks/run.py``): the harness works, its checks pass.

The benchmark's own local server (``benchmarks/server.py``) answers; every driver runs in
fresh processes as in a full run, with tiny counts. No timing is asserted (figures belong in
benchmarks/RESULTS.md): only that every driver ran, was verified by the server's counters and
the parsed answers, and produced every figure the report and the issue-17 targets need. The
drivers are those the test environment has (aiobotocore and capo are only in ``nox -s bench``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = ["aiocognito-plain", "aiocognito-purepy", "aiocognito+httpcore", "asyncio"]


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    raw = tmp_path / "bench.json"
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--drivers",
            ",".join(DRIVERS),
            "--cold-runs",
            "1",
            "--rounds",
            "1",
            "--seq-calls",
            "20",
            "--blocks",
            "2",
            "--warmup",
            "5",
            "--conc-calls",
            "128",
            "--conc-seconds",
            "3",
            "--no-srp",
            "--json",
            str(raw),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # nothing is written next to the benchmark
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = out.stdout
    assert "## Issue 17 targets" in report and "FAILED" not in report
    results = json.loads(raw.read_text())
    assert set(results) == set(DRIVERS)
    for name, result in results.items():
        assert not result["problems"], (name, result["problems"])
        figures = result["figures"]
        for key in ("cold_ms", "signed_cold_ms", "rss_mb", "conc_cps", "cpu_list_users_us"):
            assert figures.get(key, 0) > 0, (name, key)
    assert not list(tmp_path.glob("*.md"))
