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


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and every cause or context behind it."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


@pytest.mark.parametrize(
    "body", [b'{"AccessToken": "s3cret-token", oops}', b'{"AccessToken": "s3cret-token\xff"}']
)
def test_a_parse_error_keeps_no_parser_exception_holding_the_body(loads: str, body: bytes) -> None:
    """A ``JSONDecodeError`` holds the whole body in ``.doc`` (a ``UnicodeDecodeError`` in
    ``.object``): none may stay behind as the error's ``__context__``."""
    with pytest.raises(ResponseParseError) as info:
        parse(body)
    assert _chain(info.value) == [info.value]
    assert info.value.__context__ is None
    assert "s3cret" not in repr(info.value) + str(info.value)


DEEP = 100_000


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"a": ' + b'{"b": ' * DEEP + b"1" + b"}" * DEEP + b"}",
    ],
    ids=["array", "member", "objects"],
)
def test_deep_nesting_is_a_parse_error_not_a_recursion_error(loads: str, body: bytes) -> None:
    """orjson refuses nesting beyond 1024 levels; json, which read what it refused, recursed."""
    with pytest.raises(ResponseParseError, match="nested too deeply") as info:
        parse(body)
    assert info.value.__context__ is None
    with pytest.raises(protocol.JSONNestingError):
        protocol.loads(body)
    with pytest.raises(protocol.JSONNestingError):
        protocol.loads(body.decode())


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"__type": "NotAuthorizedException", "message": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        # Readable (under orjson's limit), but deep enough that str() of it may recurse.
        b'{"__type": "NotAuthorizedException", "message": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    ],
    ids=["array", "message", "readable-but-deep-message"],
)
def test_parse_error_never_raises_on_deep_nesting(loads: str, body: bytes) -> None:
    exc = protocol.parse_error(
        status=400, headers={"x-amzn-requestid": "r-1"}, body=body, operation="Op", errors={}
    )
    assert exc.status_code == 400 and exc.operation == "Op"
    assert len(str(exc)) < 5000
    if b"[" * DEEP in body:  # unreadable: said so, without an excerpt of brackets
        assert "HTTP 400 with a JSON body nested too deeply" in str(exc)
        assert "[[" not in str(exc)


def test_parse_error_never_raises_whatever_goes_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(body: bytes) -> object:
        raise RuntimeError("a bug, or a value Python cannot handle")

    monkeypatch.setattr(protocol, "loads", broken)
    exc = protocol.parse_error(
        status=503, headers={}, body=b'{"__type": "X"}', operation="Op", errors={}
    )
    assert exc.code == "HTTP503" and exc.status_code == 503
    assert "unreadable error answer (15 bytes)" in str(exc)
