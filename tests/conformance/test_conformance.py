"""AWS's awsJson 1.0/1.1 conformance cases, through clients our generator builds.

Every case runs; a case may be skipped only with its reason in ``SKIPS`` below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.runner import (
    CASES_DIR,
    Case,
    Generator,
    load_cases,
    normalize_expected,
    normalize_result,
    run,
    run_input,
    run_output,
)

assert CASES_DIR.exists(), f"protocol tests not found at {CASES_DIR}"

CASES = load_cases()

# Case id -> why it is skipped. A skip is a last resort.
SKIPS: dict[str, str] = {}


@pytest.fixture(scope="session")
def generator(tmp_path_factory: pytest.TempPathFactory) -> Generator:
    return Generator(tmp_path_factory.mktemp("conformance"))


def _check_input(request: Any, case: Case) -> None:
    expected = case.case["serialized"]
    assert request.method == expected.get("method", "POST")
    uri = request.url.raw_path.decode()
    assert uri == expected["uri"]
    for name, value in expected.get("headers", {}).items():
        assert request.headers.get(name) == value, name
    for name in expected.get("forbidHeaders", []):
        assert name not in request.headers, name
    for name in expected.get("requireHeaders", []):
        assert name in request.headers, name
    if "host" in expected:
        host = request.url.host
        path = request.url.path.rstrip("/")
        assert host == expected["host"] or f"{host}{path}" == expected["host"]
    if "body" in expected:
        want = expected["body"]
        got = request.content.decode()
        if want == "":
            assert got in ("", "{}")
        else:
            assert json.loads(got) == json.loads(want)


def _check_output(result: Any, case: Case) -> None:
    expected = normalize_expected(case.case.get("result", {}))
    got = normalize_result(result) if result is not None else {}
    assert got == expected


def _check_error(exc: BaseException, case: Case) -> None:
    from aiocognito import ServiceError

    assert isinstance(exc, ServiceError), repr(exc)
    assert exc.code == case.case["errorCode"]
    if "errorMessage" in case.case:
        assert exc.message == case.case["errorMessage"]
    for wire, value in case.case.get("error", {}).items():
        if wire.lower() == "message":
            assert exc.message == value
            continue
        names = {w: p for p, w in type(exc).wire_members.items()}
        assert wire in names, f"modeled member {wire} missing on {type(exc).__name__}"
        assert getattr(exc, names[wire]) == value


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}::{c.id}" for c in CASES])
def test_case(case: Case, generator: Generator) -> None:
    if case.id in SKIPS:
        pytest.skip(SKIPS[case.id])
    gen = generator.get(case.model)
    if case.kind == "input":
        _check_input(run(run_input(gen, case)), case)
    elif "errorCode" in case.case:
        with pytest.raises(Exception) as info:
            run(run_output(gen, case))
        _check_error(info.value, case)
    else:
        _check_output(run(run_output(gen, case)), case)


def file_of(nodeid: str) -> str:
    return nodeid.split("[", 1)[1].split("::", 1)[0] if "[" in nodeid else "?"


__all__ = ["CASES", "SKIPS", "Path", "file_of"]
