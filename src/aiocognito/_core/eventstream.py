"""Reading an ``application/vnd.amazon.eventstream`` body whole, into the output's wire dict.

Cognito has no event streams; the JSON protocols do, and the generator is generic over them.
The stream is decoded after the response is read: the output member becomes the list of
events, in order, each ``{EventName: {members}}``; an ``initial-response`` event's JSON fills
the output's other members.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import ResponseParseError, ServiceError
from .protocol import loads

_PRELUDE = 12


def _headers(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    i = 0
    while i < len(data):
        name_len = data[i]
        name = data[i + 1 : i + 1 + name_len].decode()
        i += 1 + name_len
        kind = data[i]
        i += 1
        value: Any
        if kind in (0, 1):
            value = kind == 0
        elif kind == 2:
            value = struct.unpack_from(">b", data, i)[0]
            i += 1
        elif kind == 3:
            value = struct.unpack_from(">h", data, i)[0]
            i += 2
        elif kind == 4:
            value = struct.unpack_from(">i", data, i)[0]
            i += 4
        elif kind in (5, 8):
            value = struct.unpack_from(">q", data, i)[0]
            i += 8
        elif kind in (6, 7):
            (length,) = struct.unpack_from(">H", data, i)
            raw = data[i + 2 : i + 2 + length]
            value = raw.decode() if kind == 7 else raw
            i += 2 + length
        elif kind == 9:
            value = data[i : i + 16]
            i += 16
        else:
            raise ValueError(f"unknown event header type {kind}")
        out[name] = value
    return out


def messages(body: bytes) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(headers, payload) of each message; CRCs checked."""
    i = 0
    while i < len(body):
        if len(body) - i < _PRELUDE + 4:
            raise ValueError("truncated event stream message")
        total, headers_len, prelude_crc = struct.unpack_from(">III", body, i)
        if zlib.crc32(body[i : i + 8]) != prelude_crc:
            raise ValueError("event stream prelude checksum mismatch")
        end = i + total
        if end > len(body) or total < _PRELUDE + 4 + headers_len:
            raise ValueError("truncated event stream message")
        (message_crc,) = struct.unpack_from(">I", body, end - 4)
        if zlib.crc32(body[i : end - 4]) != message_crc:
            raise ValueError("event stream message checksum mismatch")
        start = i + _PRELUDE
        yield _headers(body[start : start + headers_len]), body[start + headers_len : end - 4]
        i = end


def decode_output(
    body: bytes,
    *,
    operation: str,
    member: str,
    events: Mapping[str, tuple[str | None, str]],
    errors: Mapping[str, type[ServiceError]],
) -> dict[str, Any]:
    """The output's wire dict, with ``member`` holding the list of events."""
    output: dict[str, Any] = {}
    stream: list[dict[str, Any]] = []
    try:
        for headers, payload in messages(body):
            kind = headers.get(":message-type")
            if kind in ("exception", "error"):
                code = headers.get(":exception-type") or headers.get(":error-code") or "Unknown"
                data: Any = loads(payload) if payload.strip() else {}
                message = (
                    data.get("message") or data.get("Message") or headers.get(":error-message", "")
                )
                cls = errors.get(code, ServiceError)
                raise cls(str(message), code=code, operation=operation, body=data)
            event_type = headers.get(":event-type")
            if event_type == "initial-response":
                initial: Any = loads(payload) if payload.strip() else {}
                output.update(initial)
                continue
            if not isinstance(event_type, str) or event_type not in events:
                continue  # an event this model does not know yet: skip it, as unknown members
            payload_member, payload_type = events[event_type]
            if payload_member is None:
                event: Any = loads(payload) if payload.strip() else {}
            elif payload_type == "blob":
                event = {payload_member: base64.b64encode(payload).decode("ascii")}
            elif payload_type == "string":
                event = {payload_member: payload.decode()}
            else:
                event = {payload_member: loads(payload) if payload.strip() else {}}
            stream.append({event_type: event})
    except ValueError as exc:  # UnicodeDecodeError and JSONNestingError are ones
        problem = str(exc)
    else:
        output[member] = stream
        return output
    # Outside the handler: a JSONDecodeError's ``.doc`` holds the whole payload.
    raise ResponseParseError(
        f"{operation}: unreadable event stream: {problem}", operation=operation
    )
