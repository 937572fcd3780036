"""Every fault the suite injects, with what the client must do about it.

One table serves the tests (``test_faults.py``) and the closing note
(``python -m tests.faults.report`` prints what the client did for each row).
The client is the suite's default: ``max_attempts=3``, read timeout 0.3 s, total timeout 5 s,
backoff recorded but not slept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiocognito
from aiocognito import errors
from tests.faults.server import (
    Action,
    CloseNow,
    CutBody,
    EchoInHeader,
    EndlessBody,
    GzipBomb,
    Huge,
    HugeHeaders,
    Reply,
    Reset,
    Stall,
    error,
    html,
    ok,
    status,
)
from tests.faults.support import ACCESS_TOKEN

DEEP = 100_000
DEEP_JSON = b"[" * DEEP + b"]" * DEEP
"""100,000 levels of nesting: orjson refuses it, the standard library would recurse."""
TOKEN_BODY = {"AuthenticationResult": {"AccessToken": ACCESS_TOKEN, "ExpiresIn": 3600}}
TRUNCATED = b'{"AuthenticationResult": {"AccessToken": "eyJ'
HEAD_200 = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 90\r\n\r\n"
)


@dataclass(frozen=True)
class Scenario:
    id: str
    fault: str
    """What the server does, in words (for the closing note)."""
    script: Callable[[], tuple[list[Action], Action]]
    """Fresh actions: the first requests in order, then the one that repeats."""
    error: type[BaseException] | None
    """The exception the call raises (exactly this class), or None for a result."""
    requests: int
    """Requests the server sees, which is also ``exc.attempts`` when the call fails."""
    max_seconds: float = 1.0
    code: str | None = None
    """``ServiceError.code`` expected."""
    message: tuple[str, ...] = ()
    """Text expected in ``str(exc)``."""
    client: dict[str, Any] = field(default_factory=dict)


def _always(action: Callable[[], Action]) -> Callable[[], tuple[list[Action], Action]]:
    return lambda: ([], action())


def _first(n: int, action: Callable[[], Action]) -> Callable[[], tuple[list[Action], Action]]:
    return lambda: ([action() for _ in range(n)], ok(TOKEN_BODY))


S = Scenario
# fmt: off
SCENARIOS: list[Scenario] = [
    # -- 5xx -----------------------------------------------------------------------------------
    S("500-modeled", "500 with a modeled InternalErrorException",
      _always(lambda: error(500, "InternalErrorException", "boom")),
      errors.InternalErrorException, 3, code="InternalErrorException"),
    S("500-empty", "500, empty body", _always(lambda: status(500)), aiocognito.ServiceError, 3,
      code="HTTP500"),
    S("502-empty", "502, empty body", _always(lambda: status(502)), aiocognito.ServiceError, 3,
      code="HTTP502"),
    S("503-empty", "503, empty body", _always(lambda: status(503)), aiocognito.ServiceError, 3,
      code="HTTP503"),
    S("504-empty", "504, empty body", _always(lambda: status(504)), aiocognito.ServiceError, 3,
      code="HTTP504"),
    S("503-then-ok", "503 twice, then 200", _first(2, lambda: status(503)), None, 3),
    # -- throttling ------------------------------------------------------------------------------
    S("throttle-2-then-ok", "400 TooManyRequestsException twice, then 200",
      _first(2, lambda: error(400, "TooManyRequestsException", "slow down")), None, 3),
    S("throttle-always", "400 TooManyRequestsException on every request",
      _always(lambda: error(400, "TooManyRequestsException", "slow down")),
      errors.TooManyRequestsException, 3, code="TooManyRequestsException"),
    S("throttling-2-then-ok", "400 ThrottlingException (not modeled) twice, then 200",
      _first(2, lambda: error(400, "ThrottlingException", "Rate exceeded")), None, 3),
    S("throttling-always", "400 ThrottlingException on every request",
      _always(lambda: error(400, "ThrottlingException", "Rate exceeded")),
      aiocognito.ServiceError, 3, code="ThrottlingException"),
    S("limit-exceeded-1-then-ok", "400 LimitExceededException once, then 200",
      _first(1, lambda: error(400, "LimitExceededException", "limit")), None, 2),
    S("429-2-then-ok", "429 with an empty body twice, then 200", _first(2, lambda: status(429)),
      None, 3),
    S("429-always", "429 with an empty body on every request", _always(lambda: status(429)),
      aiocognito.ServiceError, 3, code="HTTP429"),
    # -- bodies that are not what they claim ---------------------------------------------------
    S("html-502", "502 with an HTML error page", _always(html), aiocognito.ServiceError, 3,
      code="HTTP502", message=("502 Bad Gateway", "upstream server did not answer", "text/html")),
    S("html-200", "200 with an HTML page", _always(lambda: html(200)),
      aiocognito.ResponseParseError, 1, message=("not valid JSON", "text/html")),
    S("invalid-json-200", "200 with invalid JSON", _always(lambda: Reply(200, b"{not json]")),
      aiocognito.ResponseParseError, 1, message=("not valid JSON",)),
    S("truncated-json-200", "200, JSON cut short (Content-Length matches)",
      _always(lambda: Reply(200, TRUNCATED)), aiocognito.ResponseParseError, 1,
      message=("not valid JSON",)),
    S("json-array-200", "200 with a JSON array instead of an object",
      _always(lambda: Reply(200, b"[1, 2]")), aiocognito.ResponseParseError, 1,
      message=("expected a JSON object",)),
    S("invalid-json-500", "500 with invalid JSON", _always(lambda: Reply(500, b"{not json]")),
      aiocognito.ServiceError, 3, code="HTTP500", message=("non-JSON body",)),
    S("truncated-json-500", "500, JSON error cut short",
      _always(lambda: Reply(500, b'{"__type": "InternalErrorExc')), aiocognito.ServiceError, 3,
      code="HTTP500"),
    S("deep-json-200", "200 with JSON nested 100,000 levels deep",
      _always(lambda: Reply(200, b'{"Session": ' + DEEP_JSON + b"}")),
      aiocognito.ResponseParseError, 1, message=("nested too deeply",)),
    S("deep-json-400", "400 with an error body nested 100,000 levels deep",
      _always(lambda: Reply(400, b'{"__type": "NotAuthorizedException", "message": '
                            + DEEP_JSON + b"}")),
      aiocognito.ServiceError, 1, code="HTTP400", message=("nested too deeply",)),
    S("deep-json-500", "500 with an error body nested 100,000 levels deep",
      _always(lambda: Reply(500, DEEP_JSON)), aiocognito.ServiceError, 3, code="HTTP500",
      message=("nested too deeply",)),
    S("wrong-content-type", "200, JSON body labelled text/plain",
      _always(lambda: Reply(200, b'{"Session": "s"}', content_type="text/plain")), None, 1),
    S("no-content-type", "200, JSON body without a content type",
      _always(lambda: Reply(200, b'{"Session": "s"}', content_type=None)), None, 1),
    S("empty-200", "200 with an empty body", _always(lambda: Reply(200, b"")), None, 1),
    # -- error codes -----------------------------------------------------------------------------
    S("unknown-code-400", "400 with an error code the model does not know",
      _always(lambda: error(400, "BrandNewException", "new")), aiocognito.ServiceError, 1,
      code="BrandNewException"),
    S("unknown-code-500", "500 with an error code the model does not know",
      _always(lambda: error(500, "BrandNewFault", "new")), aiocognito.ServiceError, 3,
      code="BrandNewFault"),
    S("not-authorized", "400 NotAuthorizedException",
      _always(lambda: error(400, "NotAuthorizedException", "Incorrect username or password.")),
      errors.NotAuthorizedException, 1, code="NotAuthorizedException"),
    # -- connections that break ------------------------------------------------------------------
    S("cut-body", "headers sent (Content-Length 200), body cut short, connection closed",
      _always(CutBody), aiocognito.TransportError, 3,
      message=("RemoteProtocolError", "without sending complete message body")),
    S("cut-body-then-ok", "body cut short once, then 200", _first(1, CutBody), None, 2),
    S("close-before-reply", "connection closed before any byte of an answer",
      _always(CloseNow), aiocognito.TransportError, 3,
      message=("RemoteProtocolError", "disconnected")),
    S("close-then-ok", "closed before any byte once, then 200", _first(1, CloseNow), None, 2),
    S("malformed-header-echo", "a 60 kB malformed header line that repeats the request body",
      _always(EchoInHeader), aiocognito.TransportError, 3, message=("RemoteProtocolError",)),
    S("reset", "connection reset (RST) before any byte", _always(Reset),
      aiocognito.TransportError, 3, message=("ReadError", "reset")),
    S("reset-mid-body", "status line and headers sent, then reset",
      _always(lambda: Reset(after=HEAD_200 + b'{"Sess')), aiocognito.TransportError, 3,
      message=("ReadError",)),
    S("reset-then-ok", "reset once, then 200", _first(1, Reset), None, 2),
    S("stall", "never answers (read timeout 0.3 s)", _always(Stall), aiocognito.TransportTimeoutError, 3,
      max_seconds=2.0, message=("ReadTimeout", "read timeout of 0.3 s")),
    S("stall-then-ok", "never answers once, then 200", _first(1, Stall), None, 2, max_seconds=1.5),
    # total_timeout below the per-request timeouts: only the total can end these, however
    # late a loaded machine runs the timers.
    S("stall-total-timeout", "closed at once, then never answers; total_timeout=1 s, "
      "timeout=2 s", lambda: ([CloseNow()], Stall()),
      aiocognito.TransportTimeoutError, 2, max_seconds=3.0, message=("total timeout of 1 s",),
      client={"total_timeout": 1.0, "timeout": 2.0}),
    # -- size ------------------------------------------------------------------------------------
    S("huge-200", "200 with a 20 MiB JSON body", _always(Huge), None, 1, max_seconds=5.0),
    S("huge-500", "500 with a 20 MiB HTML body", _always(lambda: Huge(500)),
      aiocognito.ServiceError, 3, max_seconds=5.0, code="HTTP500", message=("20971520 bytes",)),
    # -- past the limits (max_response_bytes 64 MiB, header block 64 KiB): not retried -------
    S("endless-body", "200, chunked body without end, 1 MiB chunks as fast as read",
      _always(EndlessBody), aiocognito.ResponseTooLargeError, 1, max_seconds=8.0,
      message=("answer body over the limit of 67108864 bytes",)),
    S("endless-trickle", "200, chunked body without end, 1 byte every 0.1 s (each restarts "
      "the read timeout); total_timeout=1 s, timeout=2 s",
      _always(lambda: EndlessBody(chunk=1, every=0.1)), aiocognito.TransportTimeoutError, 1,
      max_seconds=3.0, message=("total timeout of 1 s",),
      client={"total_timeout": 1.0, "timeout": 2.0}),
    S("huge-headers", "status line, then header lines without end",
      _always(HugeHeaders), aiocognito.ResponseTooLargeError, 1, max_seconds=3.0,
      message=("answer header block over",)),
    S("gzip-bomb", "200, unrequested gzip body of 1 MiB that decodes to 1 GiB",
      _always(GzipBomb), aiocognito.ResponseTooLargeError, 1, max_seconds=8.0,
      message=("over the limit of 67108864 bytes",)),
]
# fmt: on
