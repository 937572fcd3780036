"""The awsJson 1.0/1.1 protocol: request bodies and headers, response and error parsing."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any, cast

from .errors import ResponseParseError, ServiceError
from .retries import retry_after

EXCERPT_CHARS = 200


def _import_fast_loads() -> Callable[[bytes | str], object]:
    """orjson's parser when installed (a default dependency where it has wheels), faster than
    the standard library's on answers the size of a ListUsers page (benchmarks/)."""
    try:
        from orjson import loads
    except ImportError:  # pragma: no cover - depends on the environment
        return json.loads
    return loads


_fast_loads = _import_fast_loads()


class JSONNestingError(ValueError):
    """JSON nested deeper than Python can read or handle (a hostile answer)."""


def loads(data: bytes | str) -> object:
    """JSON from bytes or text, bounded: every failure is a ``ValueError``.

    What orjson refuses (NaN, integers beyond 64 bits, and nesting beyond 1024 levels) goes to
    the standard library, which stops deep nesting with a ``RecursionError``: that becomes a
    ``JSONNestingError``. A failure never carries the previous one as its ``__context__``: a
    ``JSONDecodeError`` holds the whole body in ``.doc``, which may hold tokens.
    """
    deep = False
    try:
        return _fast_loads(data)
    except RecursionError:  # json's own parser, when orjson is not installed
        deep = True
    except ValueError:
        pass
    if not deep:
        try:
            return json.loads(data)
        except RecursionError:
            pass
    raise JSONNestingError("JSON nested too deeply")


def content_type(json_version: str) -> str:
    return f"application/x-amz-json-{json_version}"


def encode_body(wire: Mapping[str, Any]) -> bytes:
    """The request body: compact JSON, UTF-8 (enum members are ``str`` and encode as such).

    A lone surrogate (half of an emoji, as a web form can pass it on) has no UTF-8 form: the
    body is then written with every non-ASCII character escaped, ``\\udXXX`` included, as
    botocore always writes it; never a ``UnicodeEncodeError``, whose ``repr`` would hold the
    whole body with its passwords.
    """
    text = json.dumps(wire, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        pass
    return json.dumps(wire, separators=(",", ":"), allow_nan=False).encode("ascii")


def error_code(raw: str | None) -> str | None:
    """``aws.protocoltests#FooError:http://internal`` -> ``FooError``."""
    if not raw:
        return None
    code = raw.split(":", 1)[0]
    code = code.rsplit("#", 1)[-1]
    return code.strip() or None


def _html_text(markup: str) -> str:
    """The visible text of an HTML page (stdlib parser, imported only for such pages)."""
    from html.parser import HTMLParser

    class TextExtractor(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self.skip:
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip and data.strip():
                self.parts.append(data.strip())

    parser = TextExtractor()
    parser.feed(markup)
    parser.close()
    return " ".join(parser.parts)


def excerpt(body: bytes, media_type: str) -> str:
    """A short, readable excerpt of a non-JSON body (HTML reduced to its text)."""
    text = body[: EXCERPT_CHARS * 20].decode("utf-8", errors="replace")
    if "html" in media_type or text.lstrip()[:1] == "<":
        with contextlib.suppress(Exception):  # malformed markup: keep the raw text
            text = _html_text(text)
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body's JSON object; ``None`` when it is not one, ``JSONNestingError`` raised."""
    if not body or body.isspace():
        return {}
    try:
        data = loads(body)
    except JSONNestingError:
        raise
    except ValueError:  # UnicodeDecodeError is one
        return None
    # A JSON object's keys are always strings; isinstance alone only proves ``dict``.
    return cast("dict[str, Any]", data) if isinstance(data, dict) else None


def parse_error(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    operation: str,
    errors: Mapping[str, type[ServiceError]],
) -> ServiceError:
    """The exception for a non-2xx answer; never raises while reading it."""
    try:
        exc = _parse_error(
            status=status, headers=headers, body=body, operation=operation, errors=errors
        )
    except Exception:  # a hostile answer's last resort (the parser is meant to handle all)
        exc = ServiceError(
            f"HTTP {status} with an unreadable error answer ({len(body)} bytes)",
            code=f"HTTP{status}",
            status_code=status,
            operation=operation,
        )
    exc.retry_after = retry_after(headers)
    return exc


def _parse_error(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    operation: str,
    errors: Mapping[str, type[ServiceError]],
) -> ServiceError:
    request_id = headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")
    media_type = headers.get("content-type", "")
    deep = False
    try:
        data = _json_object(body)
    except JSONNestingError:
        data, deep = None, True
    # awsQueryCompatible services name the query-protocol code first: "Code;Sender".
    query_code = headers.get("x-amzn-query-error", "").split(";", 1)[0].strip()
    header_code = query_code or error_code(headers.get("x-amzn-errortype"))
    if data is None:
        what = media_type or "no content type"
        if deep:
            message = (
                f"HTTP {status} with a JSON body nested too deeply ({what}, {len(body)} bytes)"
            )
        else:
            message = f"HTTP {status} with a non-JSON body ({what}, {len(body)} bytes)"
            shown = excerpt(body, media_type)
            if shown:
                message += f": {shown}"
        cls = errors.get(header_code or "", ServiceError)
        return cls(
            message,
            code=header_code or f"HTTP{status}",
            status_code=status,
            request_id=request_id,
            operation=operation,
        )
    body_code = data.get("__type") or data.get("code") or data.get("Code")
    code = header_code or error_code(body_code if isinstance(body_code, str) else None)
    raw_message = data.get("message")
    if raw_message is None:
        raw_message = data.get("Message", data.get("errorMessage"))
    message = "" if raw_message is None else str(raw_message)
    if code is None:
        code = f"HTTP{status}"
        if not message:
            message = f"HTTP {status} with no error code ({len(body)} bytes)"
    cls = errors.get(code, ServiceError)
    return cls(
        message,
        code=code,
        status_code=status,
        request_id=request_id,
        operation=operation,
        body=data,
    )


def parse_output(body: bytes, *, operation: str, media_type: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer. Nothing of the body is quoted: it may carry tokens."""
    if not body or body.isspace():
        return {}
    problem = ""
    data: object = None
    try:
        data = loads(body)
    except JSONNestingError:
        problem = "nested too deeply"
    except ValueError as exc:  # UnicodeDecodeError is one
        where = f" at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        problem = f"not valid JSON{where}"
    if problem:
        # Raised here, not in the handler: the parser's exception (its ``.doc`` is the whole
        # body) must not stay behind as this one's ``__context__``.
        raise ResponseParseError(
            f"{operation}: the response body is {problem} "
            f"({media_type or 'no content type'}, {len(body)} bytes)",
            operation=operation,
        )
    if not isinstance(data, dict):
        raise ResponseParseError(
            f"{operation}: expected a JSON object in the response, got {type(data).__name__}",
            operation=operation,
        )
    return cast("dict[str, Any]", data)  # JSON object keys are strings
