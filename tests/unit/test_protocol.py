"""The awsJson body parser: orjson when installed, the standard library for what orjson refuses."""

from __future__ import annotations

import json
import math

import pytest

from aiocognito._core import protocol
from aiocognito._core.errors import ResponseParseError


@pytest.fixture(params=["installed", "missing"])
def loads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with orjson's parser (when installed) and with json's alone."""
    if request.param == "missing":
        monkeypatch.setattr(protocol, "_fast_loads", json.loads)
    name: str = request.param
    return name


def parse(body: bytes) -> dict[str, object]:
    return protocol.parse_output(body, operation="Op", media_type="application/json")


def test_a_json_object(loads: str) -> None:
    body = json.dumps({"a": [1, 2.5, "é", None, True], "b": {"c": {}}}).encode()
    assert parse(body) == json.loads(body)


def test_what_orjson_refuses_is_still_read(loads: str) -> None:
    parsed = parse(b'{"big": 123456789012345678901234567890, "nan": NaN, "inf": -Infinity}')
    assert parsed["big"] == 123456789012345678901234567890
    assert math.isnan(parsed["nan"])  # type: ignore[arg-type]
    assert parsed["inf"] == -math.inf


@pytest.mark.parametrize("body", [b"", b"  \n"])
def test_an_empty_body_is_an_empty_object(loads: str, body: bytes) -> None:
    assert parse(body) == {}


def test_invalid_json_says_where_without_quoting(loads: str) -> None:
    with pytest.raises(
        ResponseParseError, match=r"not valid JSON at position 18 \(application/json, 18 bytes\)"
    ) as info:
        parse(b'{"token": "s3cret"')
    assert "s3cret" not in str(info.value)


def test_a_json_array_is_not_an_answer(loads: str) -> None:
    with pytest.raises(ResponseParseError, match="expected a JSON object"):
        parse(b"[1, 2]")


def test_orjson_is_used_when_installed() -> None:
    orjson = pytest.importorskip("orjson")
    assert protocol._fast_loads is orjson.loads
