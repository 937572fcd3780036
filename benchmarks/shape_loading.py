"""What loading the generated shapes costs: imports and first uses, in fresh processes.

``python benchmarks/shape_loading.py [--runs N] [--tree LABEL=SRC_DIR ...]`` times, for each
tree (a ``src`` directory holding an ``aiocognito`` package; default: this checkout's), in
fresh interpreters, runs interleaved across trees so that the machine's load hits all alike:

- ``import aiocognito`` and ``import aiocognito.shapes``: the module's line of
  ``python -X importtime`` (cumulative microseconds: the module and what it imports, so the
  second includes the first; and the ``shapes`` facade's own time);
- the first InitiateAuth through the client (an ``httpx.MockTransport`` answers; httpx and the
  client are set up before the clock starts), which loads the operation's shapes and builds
  their converters;
- the first decode of each benchmark answer (``payloads.py``: InitiateAuth, AdminGetUser,
  ListUsers) with ``from_wire``, and how many private shape modules it loaded.

Medians over the runs, wall and CPU time. Compare trees within one run: the absolute figures
move with the machine's load. Used to choose the layout of ``_shapes/`` (issue 18, point 3);
README.md in this directory has the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import payloads  # noqa: E402

OUTPUTS = {"InitiateAuth": "InitiateAuthResponse", "AdminGetUser": "AdminGetUserResponse"}
OUTPUTS["ListUsers"] = "ListUsersResponse"

_FIRST_CALL = """\
import asyncio, json, sys, time
import httpx
from aiocognito import CognitoIdentityProviderClient

BODY = json.loads(open(sys.argv[1]).read())["InitiateAuth"]

async def main():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=BODY))
    async with CognitoIdentityProviderClient("us-east-1", transport=transport) as client:
        wall, cpu = time.perf_counter(), time.process_time()
        await client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH", client_id="c",
            auth_parameters={"USERNAME": "u", "PASSWORD": "p"},
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    mods = [m for m in sys.modules if m.startswith("aiocognito._shapes.")]
    print(json.dumps({"wall": wall, "cpu": cpu, "modules": len(mods)}))

asyncio.run(main())
"""

_FIRST_DECODE = """\
import json, sys, time
from aiocognito import shapes
from aiocognito._core.serde import from_wire

operation, output = sys.argv[2], sys.argv[3]
body = json.loads(open(sys.argv[1]).read())[operation]
wall, cpu = time.perf_counter(), time.process_time()
from_wire(getattr(shapes, output), body)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
mods = [m for m in sys.modules if m.startswith("aiocognito._shapes.")]
print(json.dumps({"wall": wall, "cpu": cpu, "modules": len(mods)}))
"""


def _env(src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(src)
    env["PYTHONHASHSEED"] = "0"
    return env


def _importtime(src: Path, module: str) -> tuple[float, float]:
    """Self and cumulative µs of ``module``'s line of ``-X importtime`` for ``import module``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=_env(src),
        capture_output=True,
        text=True,
        check=True,
    )
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return float(parts[0]), float(parts[1])
    raise RuntimeError(f"no importtime line for {module}:\n{proc.stderr[-2000:]}")


def _script(src: Path, code: str, *args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=_env(src),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def measure(trees: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(payloads.answers(), fh)
        answers = fh.name
    results: dict[str, dict[str, list[float]]] = {label: {} for label in trees}

    def add(label: str, key: str, value: float) -> None:
        results[label].setdefault(key, []).append(value)

    for src in trees.values():  # one discarded round: bytecode caches written
        _importtime(src, "aiocognito.shapes")
        _script(src, _FIRST_CALL, answers)
        for operation, output in OUTPUTS.items():
            _script(src, _FIRST_DECODE, answers, operation, output)
    for run in range(runs):
        print(f"run {run + 1}/{runs}", file=sys.stderr)
        for label, src in trees.items():
            add(label, "import aiocognito (µs)", _importtime(src, "aiocognito")[1])
            own, total = _importtime(src, "aiocognito.shapes")
            add(label, "import aiocognito.shapes (µs, aiocognito included)", total)
            add(label, "import aiocognito.shapes (µs, the facade alone)", own)
            found = _script(src, _FIRST_CALL, answers)
            add(label, "first InitiateAuth call, wall (µs)", found["wall"] * 1e6)
            add(label, "first InitiateAuth call, CPU (µs)", found["cpu"] * 1e6)
            add(label, "first InitiateAuth call, modules", found["modules"])
            for operation, output in OUTPUTS.items():
                found = _script(src, _FIRST_DECODE, answers, operation, output)
                add(label, f"first {operation} decode, CPU (µs)", found["cpu"] * 1e6)
                add(label, f"first {operation} decode, modules", found["modules"])
    os.unlink(answers)
    return results


def report(results: dict[str, dict[str, list[float]]], runs: int) -> str:
    labels = list(results)
    keys = list(results[labels[0]])
    lines = [
        f"medians of {runs} fresh processes each (interquartile range in brackets)",
        "",
        "| measure | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for key in keys:
        cells = []
        for label in labels:
            values = sorted(results[label][key])
            q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
            cells.append(f"{statistics.median(values):,.0f} [{q[0]:,.0f}-{q[2]:,.0f}]")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        help="LABEL=SRC_DIR, a src directory holding an aiocognito package (repeatable)",
    )
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree) or {"this checkout": "src"}
    paths = {label: Path(src).resolve() for label, src in trees.items()}
    print(report(measure(paths, args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
