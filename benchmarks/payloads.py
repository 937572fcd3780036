"""The canned Cognito answers the benchmark server sends, what the drivers send, and the truth.

Everything here is deterministic (seeded), so two runs send and receive the same bytes. The
answers are model-correct: ``python benchmarks/payloads.py`` checks them member by member
against the pinned service model (types, required members, enums, lengths, patterns) and
prints their sizes; ``run.py`` does the same check before it measures anything.

``expected()`` is what a driver that parsed an answer must report (see ``digest`` in
``sdks.py``): the benchmark fails a driver whose parsed values differ, so a driver that skips
parsing, or parses wrongly, cannot look fast.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

REGION = "us-east-1"
USER_POOL_ID = "us-east-1_Bench0Pool"
CLIENT_ID = "4bench0client0id0abcdefghi"
USERNAME = "alice@example.com"
PASSWORD = "correct-horse-Battery-staple-9"
ACCESS_KEY = "AKIABENCHMARKEXAMPLE"
SECRET_KEY = "bench/secret/key/that/is/forty/chars0000"
SESSION_TOKEN = None
LIST_LIMIT = 60
N_USERS = 60

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
OPERATIONS = ("InitiateAuth", "AdminGetUser", "ListUsers")
"""The three measured operations, by their wire name."""
SIGNED = {"InitiateAuth": False, "AdminGetUser": True, "ListUsers": True}
"""Whether the model wants the operation SigV4-signed (InitiateAuth is ``smithy.api#noAuth``)."""


def model_path() -> Path:
    """The pinned service model of the repository (imports kept out of the drivers)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return root / "service-model" / "cognito-idp" / "2016-04-18" / "service-2.json"


_T0 = 1_700_000_000.0
_GIVEN = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
_FAMILY = ["Example", "Sample", "Tester", "Doe", "Roe", "Smith", "Jones", "Garcia", "Kim", "Ng"]
_STATUSES = ["CONFIRMED"] * 8 + ["FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"]


class _Generator:
    """Builds the answers from one seeded random stream (stdlib imports kept out of drivers)."""

    def __init__(self, seed: int) -> None:
        import random

        self.rng = random.Random(seed)
        self.sub = self.uuid()
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"

    @staticmethod
    def b64url(data: bytes) -> str:
        import base64

        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def uuid(self) -> str:
        import uuid

        return str(uuid.UUID(bytes=self.rng.randbytes(16), version=4))

    def jwt(self, payload: dict[str, Any]) -> str:
        header = {"kid": self.b64url(self.rng.randbytes(32)), "alg": "RS256"}
        return ".".join(
            (
                self.b64url(json.dumps(header, separators=(",", ":")).encode()),
                self.b64url(json.dumps(payload, separators=(",", ":")).encode()),
                self.b64url(self.rng.randbytes(256)),  # an RS256 signature is 256 bytes
            )
        )

    def jwe(self) -> str:
        """A refresh token as Cognito issues them: an opaque 5-part JWE of ~1.7 KB."""
        header = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}
        return ".".join(
            (
                self.b64url(json.dumps(header, separators=(",", ":")).encode()),
                self.b64url(self.rng.randbytes(256)),
                self.b64url(self.rng.randbytes(12)),
                self.b64url(self.rng.randbytes(900)),
                self.b64url(self.rng.randbytes(16)),
            )
        )

    def tokens(self) -> dict[str, Any]:
        now = int(_T0) + 86_400
        common = {"sub": self.sub, "cognito:groups": ["admins", "beta-testers"]}
        access = self.jwt(
            {
                **common,
                "iss": self.issuer,
                "client_id": CLIENT_ID,
                "origin_jti": self.uuid(),
                "event_id": self.uuid(),
                "token_use": "access",
                "scope": "aws.cognito.signin.user.admin",
                "auth_time": now,
                "exp": now + 3600,
                "iat": now,
                "jti": self.uuid(),
                "username": self.sub,
            }
        )
        id_token = self.jwt(
            {
                **common,
                "email_verified": True,
                "iss": self.issuer,
                "cognito:username": self.sub,
                "origin_jti": self.uuid(),
                "aud": CLIENT_ID,
                "event_id": self.uuid(),
                "token_use": "id",
                "auth_time": now,
                "name": "Alice Example",
                "exp": now + 3600,
                "iat": now,
                "jti": self.uuid(),
                "email": USERNAME,
            }
        )
        return {
            "AuthenticationResult": {
                "AccessToken": access,
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
                "RefreshToken": self.jwe(),
                "IdToken": id_token,
            },
            "ChallengeParameters": {},
        }

    def attributes(self, sub: str, given: str, family: str, email: str) -> list[dict[str, str]]:
        """Ten attributes, as a typical pool with two custom attributes returns them."""
        return [
            {"Name": "sub", "Value": sub},
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": f"{given} {family}"},
            {"Name": "given_name", "Value": given},
            {"Name": "family_name", "Value": family},
            {"Name": "phone_number", "Value": f"+1555{self.rng.randrange(10**7):07d}"},
            {"Name": "phone_number_verified", "Value": "false"},
            {"Name": "custom:tenant_id", "Value": self.uuid()},
            {"Name": "custom:plan", "Value": self.rng.choice(["free", "team", "enterprise"])},
        ]

    def user(self, i: int) -> dict[str, Any]:
        sub = self.uuid()
        given, family = _GIVEN[i % 10], _FAMILY[(i * 7) % 10]
        email = f"{given.lower()}.{family.lower()}{i}@example.com"
        created = round(_T0 + i * 3_601.25 + self.rng.random(), 3)
        return {
            "Username": sub,
            "Attributes": self.attributes(sub, given, family, email),
            "UserCreateDate": created,
            "UserLastModifiedDate": round(created + 86_400 * self.rng.randrange(1, 300), 3),
            "Enabled": i % 13 != 5,
            "UserStatus": _STATUSES[i % len(_STATUSES)],
        }

    def admin_get_user(self) -> dict[str, Any]:
        return {
            "Username": self.sub,
            "UserAttributes": self.attributes(self.sub, "Alice", "Example", USERNAME),
            "UserCreateDate": 1_700_000_123.456,
            "UserLastModifiedDate": 1_710_000_456.789,
            "Enabled": True,
            "UserStatus": "CONFIRMED",
        }

    def list_users(self) -> dict[str, Any]:
        return {
            "Users": [self.user(i) for i in range(N_USERS)],
            "PaginationToken": self.b64url(self.rng.randbytes(96)),
        }


@functools.cache
def answers() -> dict[str, dict[str, Any]]:
    """Wire JSON of each operation's answer."""
    gen = _Generator(20240607)
    return {
        "InitiateAuth": gen.tokens(),
        "AdminGetUser": gen.admin_get_user(),
        "ListUsers": gen.list_users(),
    }


REQUESTS: dict[str, dict[str, Any]] = {
    "InitiateAuth": {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": CLIENT_ID,
        "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    },
    "AdminGetUser": {"UserPoolId": USER_POOL_ID, "Username": USERNAME},
    "ListUsers": {"UserPoolId": USER_POOL_ID, "Limit": LIST_LIMIT},
}
"""Wire JSON of what every driver sends (the floors send these bytes prebuilt)."""


def answer_bytes(operation: str) -> bytes:
    """The body the server sends, compact as AWS sends it."""
    return json.dumps(answers()[operation], separators=(",", ":")).encode()


@functools.cache
def expected() -> dict[str, dict[str, Any]]:
    """What a driver's digest of each parsed answer must be."""
    auth = answers()["InitiateAuth"]["AuthenticationResult"]
    user = answers()["AdminGetUser"]
    users = answers()["ListUsers"]["Users"]
    return {
        "InitiateAuth": {
            "access_token_len": len(auth["AccessToken"]),
            "id_token_tail": auth["IdToken"][-12:],
            "refresh_token_len": len(auth["RefreshToken"]),
            "expires_in": auth["ExpiresIn"],
            "token_type": auth["TokenType"],
        },
        "AdminGetUser": {
            "username": user["Username"],
            "attributes": len(user["UserAttributes"]),
            "last_attribute": user["UserAttributes"][-1]["Value"],
            "created_ms": round(user["UserCreateDate"] * 1000),
            "enabled": user["Enabled"],
            "status": user["UserStatus"],
        },
        "ListUsers": {
            "users": len(users),
            "last_username": users[-1]["Username"],
            "attributes": sum(len(u["Attributes"]) for u in users),
            "last_modified_ms": round(users[-1]["UserLastModifiedDate"] * 1000),
            "disabled": sum(1 for u in users if not u["Enabled"]),
            "statuses": sorted({u["UserStatus"] for u in users}),
            "has_token": bool(answers()["ListUsers"].get("PaginationToken")),
        },
    }


# -- model check ---------------------------------------------------------------------------
def _check(shapes: dict[str, Any], name: str, value: Any, path: str, out: list[str]) -> None:
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(f"{path}: expected an object")
            return
        members = shape["members"]
        out.extend(f"{path}.{m}: required" for m in shape.get("required", []) if m not in value)
        for key, item in value.items():
            if key not in members:
                out.append(f"{path}.{key}: not a member of {name}")
            else:
                _check(shapes, members[key]["shape"], item, f"{path}.{key}", out)
    elif kind == "list":
        if not isinstance(value, list):
            out.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            _check(shapes, shape["member"]["shape"], item, f"{path}[{i}]", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(f"{path}: expected an object")
            return
        for key, item in value.items():
            _check(shapes, shape["key"]["shape"], key, f"{path} key", out)
            _check(shapes, shape["value"]["shape"], item, f"{path}[{key!r}]", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{path}: expected a string")
            return
        if "enum" in shape and value not in shape["enum"]:
            out.append(f"{path}: {value!r} not in the enum {name}")
        if not shape.get("min", 0) <= len(value) <= shape.get("max", 1 << 30):
            out.append(f"{path}: length {len(value)} outside {name}'s bounds")
        import re

        pattern = shape.get("pattern")
        if pattern and "\\p{" not in pattern and not re.fullmatch(pattern, value):
            out.append(f"{path}: {value[:20]!r}... does not match {pattern}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{path}: expected an integer")
        elif not shape.get("min", -(1 << 63)) <= value <= shape.get("max", 1 << 63):
            out.append(f"{path}: {value} outside {name}'s bounds")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{path}: expected a boolean")
    elif kind == "timestamp":
        if not isinstance(value, int | float) or isinstance(value, bool):
            out.append(f"{path}: expected epoch seconds")
    else:
        out.append(f"{path}: shape type {kind} not checked here")


def check_against_model(path: Path | None = None) -> list[str]:
    """Problems of the canned requests and answers against the service model (empty: none)."""
    model = json.loads((path or model_path()).read_text())
    shapes, operations = model["shapes"], model["operations"]
    problems: list[str] = []
    for op in OPERATIONS:
        spec = operations[op]
        _check(shapes, spec["input"]["shape"], REQUESTS[op], f"{op} request", problems)
        _check(shapes, spec["output"]["shape"], answers()[op], f"{op} answer", problems)
        unsigned = "smithy.api#noAuth" in spec.get("auth", []) or spec.get("authtype") == "none"
        if unsigned == SIGNED[op]:
            problems.append(f"{op}: the model says signed={not unsigned}")
    return problems


def main() -> int:
    problems = check_against_model()
    for op in OPERATIONS:
        print(f"{op}: answer {len(answer_bytes(op)):,} bytes")
    auth = answers()["InitiateAuth"]["AuthenticationResult"]
    print(
        f"tokens: access {len(auth['AccessToken'])}, id {len(auth['IdToken'])}, "
        f"refresh {len(auth['RefreshToken'])} characters"
    )
    for problem in problems:
        print("MODEL:", problem)
    print("model check:", "FAILED" if problems else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
