"""Run AWS's JSON protocol conformance cases against clients our own generator builds.

For each suite and operation definition, the suite's model is generated into a temporary
package with ``codegen`` (exactly as ``python -m codegen`` would, minus formatting), imported,
and each case is played through the generated client with an ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import math
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import httpx

from codegen import ir, render
from codegen.model import default_rule_set, read_json
from tests.credentials import FakeCredentials

CASES_DIR = Path(__file__).resolve().parent / "cases"
"""botocore's copy of the cases, vendored unchanged (cases/README.md says from where)."""

FILES = {
    "input/json.json": "input",
    "input/json_1_0.json": "input",
    "input/json_1_0-query-compatible.json": "input",
    "output/json.json": "output",
    "output/json_1_0.json": "output",
    "output/json_1_0-query-compatible.json": "output",
    "legacy/input/json.json": "input",
    "legacy/output/json.json": "output",
}


@dataclass
class Case:
    file: str
    kind: str  # "input" or "output"
    suite_index: int
    suite: dict[str, Any]
    case: dict[str, Any]
    index: int

    @property
    def id(self) -> str:
        return str(self.case.get("id") or f"{self.suite['description']}#{self.index}")

    @property
    def model(self) -> dict[str, Any]:
        given = self.case["given"]
        metadata = {"protocol": "json", "jsonVersion": "1.1", **self.suite.get("metadata", {})}
        return {
            "metadata": metadata,
            "shapes": self.suite["shapes"],
            "operations": {given["name"]: given},
        }


def load_cases() -> list[Case]:
    cases = []
    for rel, kind in FILES.items():
        for s_index, suite in enumerate(json.loads((CASES_DIR / rel).read_text())):
            for c_index, case in enumerate(suite["cases"]):
                cases.append(Case(rel, kind, s_index, suite, case, c_index))
    return cases


@dataclass
class Generated:
    package: str
    module: Any
    service: ir.Service
    client_cls: type = field(init=False)

    def __post_init__(self) -> None:
        self.client_cls = getattr(self.module, self.service.client_name)


class Generator:
    """Generates (once) and imports a package per distinct model."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, Generated] = {}
        self.partitions = read_json(
            Path(__file__).resolve().parents[2] / "service-model" / "partitions.json"
        )
        root.mkdir(parents=True, exist_ok=True)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))

    def get(self, model: dict[str, Any]) -> Generated:
        key = json.dumps(model, sort_keys=True)
        if key not in self.cache:
            package = f"conformance_pkg_{len(self.cache)}"
            service = ir.build(model)
            from codegen.model import ModelFiles

            files = ModelFiles(model, {}, default_rule_set(model), self.partitions)
            render.write(service, self.root / package, fmt=False, data=files)
            module = importlib.import_module(f"{package}.client")
            self.cache[key] = Generated(package, module, service)
        return self.cache[key]


def _shape_params(shapes: dict[str, Any], shape_name: str, value: Any) -> Any:
    """Case params use plain strings for blobs: make them the base64 the wire form has."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if value is None:
        return None
    if kind == "blob":
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    if kind in ("structure", "union") and not shape.get("document"):
        return {
            k: _shape_params(shapes, shape["members"][k]["shape"], v)
            for k, v in value.items()
            if k in shape["members"]
        }
    if kind == "list":
        return [_shape_params(shapes, shape["member"]["shape"], v) for v in value]
    if kind == "map":
        return {k: _shape_params(shapes, shape["value"]["shape"], v) for k, v in value.items()}
    return value


def call_params(gen: Generated, case: Case) -> dict[str, Any]:
    """The case's params as keyword arguments of the generated method (typed shapes)."""
    given = case.case["given"]
    if "input" not in given:
        return {}
    shapes_mod = importlib.import_module(f"{gen.package}.shapes")
    input_name = given["input"]["shape"]
    cls = getattr(shapes_mod, ir.naming.class_name(input_name))
    from aiocognito._core.serde import from_wire

    wire = _shape_params(case.suite["shapes"], input_name, case.case.get("params", {}))
    instance = from_wire(cls, wire)
    return {a.name: getattr(instance, a.name) for a in attrs.fields(cls)}


def method_name(gen: Generated, case: Case) -> str:
    wire = case.case["given"]["name"]
    return next(op.name for op in gen.service.operations if op.wire_name == wire)


FIXED_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")


async def run_input(gen: Generated, case: Case) -> httpx.Request:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={})

    endpoint = case.suite.get("clientEndpoint", "https://example.com")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = gen.client_cls(
            region="us-east-1",
            endpoint_url=endpoint,
            credentials=FakeCredentials(),
            http_client=http,
            max_attempts=1,
        )
        async with client:
            # As botocore's runner does: idempotency tokens become a known UUID.
            with mock.patch("uuid.uuid4", return_value=FIXED_UUID):
                try:
                    await getattr(client, method_name(gen, case))(**call_params(gen, case))
                except Exception:
                    if not captured:
                        raise
    return captured[-1]


async def run_output(gen: Generated, case: Case) -> Any:
    response = case.case["response"]

    def handler(request: httpx.Request) -> httpx.Response:
        body = response.get("body", "")
        content = base64.b64decode(body) if _is_binary(case) else body.encode()
        return httpx.Response(
            response["status_code"], headers=response.get("headers", {}), content=content
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = gen.client_cls(
            region="us-east-1",
            endpoint_url="https://example.com",
            credentials=FakeCredentials(),
            http_client=http,
            max_attempts=1,
        )
        async with client:
            return await getattr(client, method_name(gen, case))(**call_params(gen, case))


def _is_binary(case: Case) -> bool:
    shapes = case.suite["shapes"]
    out = case.case["given"].get("output", {}).get("shape")
    return bool(out) and any(
        shapes[m["shape"]].get("eventstream") for m in shapes[out].get("members", {}).values()
    )


def normalize_result(value: Any) -> Any:
    """Our parsed output in the conventions of the cases' ``result`` (wire names, epoch, text)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if attrs.has(type(value)):
        out = {}
        for a in attrs.fields(type(value)):
            v = getattr(value, a.name)
            if v is not None:
                out[a.metadata.get("wire", a.name)] = normalize_result(v)
        return out
    if isinstance(value, list):
        return [normalize_result(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_result(v) for k, v in value.items()}
    return value


def normalize_expected(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return [normalize_expected(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_expected(v) for k, v in value.items()}
    return value


def run(coro: Any) -> Any:
    return asyncio.run(coro)
