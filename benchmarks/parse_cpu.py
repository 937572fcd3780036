"""CPU of reading and writing the benchmark answers in-process, per source tree (issue 17.3).

``python benchmarks/parse_cpu.py [--tree LABEL=SRC_DIR ...] [--runs N] [--profile]`` measures,
for each tree (a ``src`` directory holding an ``aiocognito`` package; default: this
checkout's), in fresh interpreters, runs interleaved across trees so the machine's load hits
all alike:

- **from_wire**: ``serde.from_wire`` of each answer of ``payloads.py`` (InitiateAuth,
  AdminGetUser, ListUsers with 60 users), already parsed from JSON;
- **decode**: the answer's bytes to the output shape (``protocol.parse_output``, then
  ``from_wire``): what a call spends on its answer;
- **call**: a whole client call with an ``httpx.MockTransport`` answering (the client's CPU
  per call, minus a socket; signed operations signed with static keys);
- **first call**: import, client and the first InitiateAuth in a fresh process (CPU).

Each warm figure is the median over blocks of calls of ``time.process_time()`` per call; the
table gives the median over runs. ``--profile`` prints cProfile's view of ListUsers'
``from_wire`` in this checkout instead: where the time goes once cattrs is out of the way.
README.md in this directory keeps the figures.
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

OUTPUTS = {
    "InitiateAuth": "InitiateAuthResponse",
    "AdminGetUser": "AdminGetUserResponse",
    "ListUsers": "ListUsersResponse",
}

_WARM = """\
import asyncio, json, statistics, sys, time
import httpx
from aiocognito import CognitoIdentityProviderClient, shapes
from aiocognito._core import protocol
from aiocognito._core.serde import from_wire

answers = json.loads(open(sys.argv[1]).read())
outputs = json.loads(sys.argv[2])
blocks, per_block = int(sys.argv[3]), json.loads(sys.argv[4])
raw = {op: json.dumps(body, separators=(",", ":")).encode() for op, body in answers.items()}

def per_call(fn, n):
    fn()
    times = []
    for _ in range(blocks):
        start = time.process_time()
        for _ in range(n):
            fn()
        times.append((time.process_time() - start) / n * 1e6)
    return statistics.median(times)

out = {}
for op, name in outputs.items():
    cls, body, n = getattr(shapes, name), answers[op], per_block[op]
    out[f"{op} from_wire"] = per_call(lambda: from_wire(cls, body), n)
    data = raw[op]
    out[f"{op} decode"] = per_call(
        lambda: from_wire(cls, protocol.parse_output(data, operation=op, media_type="")), n
    )

class Keys:
    access_key, secret_key, token = "AKIDEXAMPLE", "secret", None

async def calls():
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=raw[request.headers["x-amz-target"].rpartition(".")[2]]
        )
    )
    async with CognitoIdentityProviderClient(
        "us-east-1", transport=transport, credentials=Keys()
    ) as client:
        ops = {
            "InitiateAuth": lambda: client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH", client_id="4bench0client0id0abcdefghi",
                auth_parameters={"USERNAME": "alice@example.com", "PASSWORD": "pw-123456"},
            ),
            "AdminGetUser": lambda: client.admin_get_user(
                user_pool_id="us-east-1_Bench0Pool", username="alice@example.com"
            ),
            "ListUsers": lambda: client.list_users(user_pool_id="us-east-1_Bench0Pool", limit=60),
        }
        for op, make in ops.items():
            await make()
            times = []
            for _ in range(blocks):
                start = time.process_time()
                for _ in range(per_block[op]):
                    await make()
                times.append((time.process_time() - start) / per_block[op] * 1e6)
            out[f"{op} call (MockTransport)"] = statistics.median(times)

asyncio.run(calls())
print(json.dumps(out))
"""

_FIRST = """\
import time
cpu = time.process_time()
import asyncio, json, sys
import httpx
from aiocognito import CognitoIdentityProviderClient

body = json.loads(open(sys.argv[1]).read())["InitiateAuth"]

async def main():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    async with CognitoIdentityProviderClient("us-east-1", transport=transport) as client:
        await client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH", client_id="c",
            auth_parameters={"USERNAME": "u", "PASSWORD": "p"},
        )

asyncio.run(main())
print(json.dumps({
    "import + first InitiateAuth (CPU)": (time.process_time() - cpu) * 1e6,
    "cattrs imported": float("cattrs" in sys.modules),
}))
"""

PER_BLOCK = {"InitiateAuth": 400, "AdminGetUser": 300, "ListUsers": 40}


def _env(src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(src)
    env["PYTHONHASHSEED"] = "0"
    return env


def _script(src: Path, code: str, *args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=_env(src),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{src}: the measuring script failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def measure(trees: dict[str, Path], runs: int, blocks: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(payloads.answers(), fh)
        answers = fh.name
    results: dict[str, dict[str, list[float]]] = {label: {} for label in trees}
    warm_args = (answers, json.dumps(OUTPUTS), str(blocks), json.dumps(PER_BLOCK))
    for src in trees.values():  # one discarded round: bytecode caches written
        _script(src, _FIRST, answers)
    for run in range(runs):
        print(f"run {run + 1}/{runs}", file=sys.stderr)
        order = list(trees.items()) if run % 2 == 0 else list(reversed(trees.items()))
        for label, src in order:
            for script, args in ((_FIRST, (answers,)), (_WARM, warm_args)):
                for key, value in _script(src, script, *args).items():
                    results[label].setdefault(key, []).append(value)
    os.unlink(answers)
    return results


def report(results: dict[str, dict[str, list[float]]]) -> str:
    labels = list(results)
    keys = list(results[labels[0]])
    head = "| µs per call (median of runs) | " + " | ".join(labels)
    if len(labels) == 2:
        head += f" | {labels[1]} / {labels[0]}"
    lines = [head + " |", "|---" + "|---:" * (len(labels) + (len(labels) == 2)) + "|"]
    for key in keys:
        values = [statistics.median(results[label][key]) for label in labels]
        cells = [f"{v:,.1f}" if v >= 10 else f"{v:.2f}" for v in values]
        if len(labels) == 2:
            cells.append(f"{values[1] / values[0]:.2f}x" if values[0] else "-")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def profile() -> None:
    """cProfile of ListUsers' from_wire in this checkout: where the time goes."""
    import cProfile
    import pstats

    sys.path.insert(0, str(HERE.parent / "src"))
    from aiocognito import shapes
    from aiocognito._core.serde import from_wire

    body = payloads.answers()["ListUsers"]
    cls = shapes.ListUsersResponse
    from_wire(cls, body)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(300):
        from_wire(cls, body)
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(12)
    _floor(body)


def _floor(body: dict[str, object]) -> None:
    """The page's 661 instances built from values already read: the floor of any reader."""
    import time

    from aiocognito import shapes
    from aiocognito._core.serde import from_wire

    users = from_wire(shapes.ListUsersResponse, body).users or []
    # The values only: no reading, no checks.
    fields = [(u, [(a.name, a.value) for a in u.attributes or []]) for u in users]
    new = object.__new__
    attribute, user = shapes.AttributeType, shapes.UserType

    def by_init() -> None:
        for u, attrs in fields:
            user(
                username=u.username,
                attributes=[attribute(name=n, value=v) for n, v in attrs],
                user_create_date=u.user_create_date,
                user_last_modified_date=u.user_last_modified_date,
                enabled=u.enabled,
                user_status=u.user_status,
                mfa_options=None,
            )

    def by_slots() -> None:
        for u, attrs in fields:
            items = []
            for n, v in attrs:
                a = new(attribute)
                a.name = n
                a.value = v
                items.append(a)
            o = new(user)
            o.username, o.attributes = u.username, items
            o.user_create_date, o.user_last_modified_date = u.user_create_date, None
            o.enabled, o.user_status, o.mfa_options = u.enabled, u.user_status, None

    def reader() -> None:
        from_wire(shapes.ListUsersResponse, body)

    for label, fn in (
        ("attrs __init__ (keyword-only), values given", by_init),
        ("object.__new__ + slots, values given", by_slots),
        ("from_wire of the whole page", reader),
    ):
        fn()
        runs = []
        for _ in range(7):
            start = time.process_time()
            for _ in range(50):
                fn()
            runs.append((time.process_time() - start) / 50 * 1e6)
        print(f"{label}: {sorted(runs)[3]:.0f} µs per page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", default=[], help="LABEL=SRC_DIR, repeatable")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per tree")
    parser.add_argument("--blocks", type=int, default=7, help="timed blocks per figure")
    parser.add_argument("--profile", action="store_true", help="profile ListUsers' from_wire")
    args = parser.parse_args()
    if args.profile:
        profile()
        return
    trees = dict(t.split("=", 1) for t in args.tree) or {"this checkout": str(HERE.parent / "src")}
    print(report(measure({k: Path(v) for k, v in trees.items()}, args.runs, args.blocks)))


if __name__ == "__main__":
    main()
