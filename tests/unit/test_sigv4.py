"""Our SigV4 signer (``_core.sigv4``) against AWS's published test suite and botocore's signer.

No server: signing is pure computation. The known answers are AWS's own (the POST cases of the
SigV4 test suite, vendored in ``sigv4_testsuite/``); the differential tests sign thousands of
generated requests with both our signer and botocore's ``SigV4Auth`` (the reference the AWS
Python SDK uses) and require the same ``Authorization`` header, byte for byte.
"""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from aiocognito._core import sigv4

SUITE = Path(__file__).parent / "sigv4_testsuite"
CASES = sorted(p.name for p in SUITE.iterdir() if p.is_dir())
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
    "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPk"
    "yQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz"
    "+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)


def _read(case: str, ext: str) -> str:
    return (SUITE / case / f"{case}.{ext}").read_text("utf-8")


def _parse(raw: str) -> tuple[str, str, dict[str, str], bytes]:
    """(method, path, headers, body) of a ``.req`` file: ``Name:value`` lines, a blank line."""
    head, _, body = raw.partition("\n\n")
    request_line, *lines = head.split("\n")
    method, path, _ = request_line.split(" ")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name] = value
    return method, path, headers, body.encode()


def test_every_copied_case_is_here() -> None:
    assert len(CASES) == 7, CASES


@pytest.mark.parametrize("case", CASES)
def test_aws_sigv4_test_suite(case: str) -> None:
    method, path, headers, body = _parse(_read(case, "req"))
    assert method == "POST"
    stamp = headers.pop("X-Amz-Date")
    host = headers.pop("Host")
    token = headers.pop("X-Amz-Security-Token", None)
    if case == "post-sts-header-before":
        assert token == TOKEN
    now = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
    assert sigv4.amz_date(now) == stamp

    url = f"https://{host}{path}"
    canonical, _ = sigv4.canonical_request(
        path=sigv4.canonical_path(url),
        host=host,
        headers=headers,
        stamp=stamp,
        token=token,
        body=body,
    )
    assert canonical == _read(case, "creq")
    scope = f"{stamp[:8]}/us-east-1/service/aws4_request"
    assert sigv4.string_to_sign(canonical, stamp=stamp, scope=scope) == _read(case, "sts")
    added = sigv4.sign(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        token=token,
        region="us-east-1",
        service="service",
        url=url,
        host=host,
        headers=headers,
        body=body,
        now=now,
    )
    assert added["Authorization"] == _read(case, "authz")
    assert added["X-Amz-Date"] == stamp
    assert added.get("X-Amz-Security-Token") == token


def test_a_wrong_secret_gives_another_signature() -> None:
    """The suite's answers are not reproduced by any key: the comparison above can fail."""
    _, _, headers, body = _parse(_read("post-vanilla", "req"))
    stamp = headers.pop("X-Amz-Date")
    added = sigv4.sign(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY + "x",
        token=None,
        region="us-east-1",
        service="service",
        url="https://example.amazonaws.com/",
        host=headers.pop("Host"),
        headers=headers,
        body=body,
        now=calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ")),
    )
    assert added["Authorization"] != _read("post-vanilla", "authz")


def test_the_signing_key_is_derived_once_per_day_region_and_service() -> None:
    sigv4.signing_key.cache_clear()
    for _ in range(3):
        sigv4.signing_key(SECRET_KEY, "20150830", "us-east-1", "service")
    sigv4.signing_key(SECRET_KEY, "20150831", "us-east-1", "service")
    sigv4.signing_key(SECRET_KEY, "20150831", "eu-west-1", "service")
    info = sigv4.signing_key.cache_info()
    assert (info.hits, info.misses) == (2, 3)
    # AWS's documented example key for 2012-02-15, us-east-1, iam.
    key = sigv4.signing_key(SECRET_KEY, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


# -- differential: botocore's SigV4Auth over generated requests -------------------------------

_TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RESERVED = {"host", "x-amz-date", "x-amz-security-token", "authorization"}

header_names = st.text(_TOKEN_CHARS, min_size=1, max_size=20).filter(
    lambda n: n.lower() not in _RESERVED
)
header_values = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(" \t"),
    max_size=40,
)
path_segments = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="/?#%"),
    max_size=8,
) | st.sampled_from([".", "..", "", "a b", "~x", "%41"])


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    # Our client's own headers first (as it sends them), then anything else.
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService."
        + draw(st.sampled_from(["AdminGetUser", "ListUsers", "AdminCreateUser"])),
    }
    for name, value in draw(st.dictionaries(header_names, header_values, max_size=6)).items():
        if name.lower() not in {k.lower() for k in headers}:
            headers[name] = value
    path = draw(st.just("") | st.lists(path_segments, max_size=4).map("/".join).map("/{}".format))
    port = draw(st.sampled_from(["", ":443", ":8443", ":9229"]))
    host = draw(st.sampled_from(["cognito-idp.eu-west-1.amazonaws.com", "localhost", "127.0.0.1"]))
    return {
        "access_key": draw(st.text(_TOKEN_CHARS, min_size=1, max_size=20)),
        "secret_key": draw(st.text(st.characters(codec="ascii", min_codepoint=33), min_size=1)),
        "token": draw(st.none() | st.text(st.characters(codec="ascii", min_codepoint=33))),
        "region": draw(st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "x"])),
        "service": draw(st.sampled_from(["cognito-idp", "service"])),
        "url": f"https://{host}{port}{path}",
        "host": host + ("" if port == ":443" else port),
        "headers": headers,
        "body": draw(st.binary(max_size=300)),
        "now": draw(st.integers(0, 4_102_444_800)),  # 1970 to 2100
    }


def _botocore_authorization(request: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> str:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    stamp = datetime.fromtimestamp(request["now"], UTC).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: stamp)
    headers = {k: v for k, v in request["headers"].items() if k.lower() not in sigv4.NOT_SIGNED}
    headers["Host"] = request["host"]
    aws = AWSRequest(method="POST", url=request["url"], data=request["body"], headers=headers)
    credentials = Credentials(request["access_key"], request["secret_key"], request["token"])
    botocore.auth.SigV4Auth(credentials, request["service"], request["region"]).add_auth(aws)
    assert aws.headers.get("X-Amz-Security-Token") == (request["token"] or None)
    return str(aws.headers["Authorization"])


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_same_signature_as_botocore(
    request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = sigv4.sign(**request)
    assert ours["Authorization"] == _botocore_authorization(request, monkeypatch)
    assert ours["X-Amz-Date"] == time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(request["now"]))
    assert ours.get("X-Amz-Security-Token") == (request["token"] or None)


@settings(max_examples=300, deadline=None)
@given(
    request=requests(),
    unsigned=st.sampled_from(sorted(sigv4.NOT_SIGNED)),
    value=header_values,
)
def test_unsigned_headers_do_not_change_the_signature(
    request: dict[str, Any], unsigned: str, value: str
) -> None:
    """User-Agent and the per-attempt headers can change between attempts without re-signing
    differently; what is signed does change the signature."""
    before = sigv4.sign(**request)["Authorization"]
    request["headers"] = {**request["headers"], unsigned.title(): value}
    assert sigv4.sign(**request)["Authorization"] == before
    request["headers"]["X-Amz-Target"] += "x"
    assert sigv4.sign(**request)["Authorization"] != before
