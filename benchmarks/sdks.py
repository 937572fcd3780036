"""One adapter per measured client: how to import it, build it, call the three operations.

Every adapter makes the same three calls with the same inputs (``payloads.REQUESTS``), in the
configuration that is fastest for that client while still doing what a user's code does:

- ``aiocognito-plain``: ``CognitoIdentityProviderClient`` as constructed by default, as
  ``pip install aiocognito`` installs it: its own HTTP/1.1 transport on asyncio, httptools
  reading the answers and orjson parsing them (no gmpy2, which only SRP uses).
- ``aiocognito``: the same with the ``speedups`` extra (gmpy2) installed.
- ``aiocognito-purepy``: the same where orjson and httptools have no wheels: json and h11.
- ``aiocognito+httpcore``: the same with ``transport=httpx.AsyncHTTPTransport()``, httpx's
  default transport (what the client used before it had its own).
- ``aiocognito+aiohttp``: the same with ``transport=AiohttpTransport()`` from ``httpx-aiohttp``.
- ``aiobotocore``: ``get_session().create_client("cognito-idp", ...)``, entered.
- ``capo``: ``AsyncCognitoIdentityProviderClient`` (capo-cognito-identity-provider). capo signs
  every operation when it has credentials, InitiateAuth included, although the model marks it
  ``smithy.api#noAuth``; a per-call ``config_overrides={"anonymous": True}`` sends it unsigned
  (~30% less CPU than signed), as the other clients do.
- ``httpx`` (floor): ``httpx.AsyncClient().post`` of prebuilt body and headers, the signed
  operations with a fixed ``Authorization`` header, the body read, nothing parsed.
- ``httpx+aiohttp`` (floor): the same through the ``httpx-aiohttp`` transport.
- ``asyncio`` (floor): prebuilt HTTP/1.1 requests over ``asyncio`` streams with a small
  keep-alive pool; what Python and asyncio alone cost.

Adapters import their client inside ``open`` so that ``driver.py`` can time the import first
in a fresh process. ``digest`` turns a parsed answer into the values ``payloads.expected()``
holds; floors report the answer's status and size instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import payloads as P
from sdk_imports import IMPORTS

OPS = ("InitiateAuth", "AdminGetUser", "ListUsers")
SNAKE = {
    "InitiateAuth": "initiate_auth",
    "AdminGetUser": "admin_get_user",
    "ListUsers": "list_users",
}


class StaticCredentials:
    """What aiocognito accepts: anything with ``access_key``, ``secret_key`` and ``token``."""

    access_key = P.ACCESS_KEY
    secret_key = P.SECRET_KEY
    token = P.SESSION_TOKEN


class Adapter:
    """Base: subclasses implement ``open``, the calls and ``close``.

    Their import statement is ``sdk_imports.IMPORTS[name]``.
    """

    name = ""
    parses = True
    """False for the floors: they read the answer but build no objects from it."""
    style = "attr"
    """How parsed fields are reached: ``attr`` (snake_case attributes), ``wire`` (botocore's
    dicts with wire names), ``snake`` (capo's dicts with snake_case keys)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.env_credentials = False
        """True: find the keys in the environment (``AWS_ACCESS_KEY_ID``, ...), as a Lambda
        function does, instead of being given them."""

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def initiate_auth(self) -> Any:
        raise NotImplementedError

    async def admin_get_user(self) -> Any:
        raise NotImplementedError

    async def list_users(self) -> Any:
        raise NotImplementedError

    async def another_client(self) -> None:
        """Build and close one more client, as a process that already has one would."""
        other = type(self)(self.endpoint)
        await other.open()
        await other.close()

    def call(self, op: str) -> Callable[[], Awaitable[Any]]:
        fn: Callable[[], Awaitable[Any]] = getattr(self, SNAKE[op])
        return fn

    # -- checking what was parsed -------------------------------------------------------------
    def get(self, obj: Any, wire: str) -> Any:
        if self.style == "wire":
            return obj.get(wire)
        name = _snake(wire)
        if self.style == "snake":
            return obj.get(name)
        return getattr(obj, name)

    def digest(self, op: str, result: Any) -> dict[str, Any]:
        """The values of ``payloads.expected()[op]``, read from this client's parsed answer."""
        if not self.parses:
            return {"status": result[0], "bytes": result[1]}
        g = self.get
        if op == "InitiateAuth":
            auth = g(result, "AuthenticationResult")
            return {
                "access_token_len": len(g(auth, "AccessToken")),
                "id_token_tail": g(auth, "IdToken")[-12:],
                "refresh_token_len": len(g(auth, "RefreshToken")),
                "expires_in": g(auth, "ExpiresIn"),
                "token_type": g(auth, "TokenType"),
            }
        if op == "AdminGetUser":
            attributes = g(result, "UserAttributes")
            return {
                "username": g(result, "Username"),
                "attributes": len(attributes),
                "last_attribute": g(attributes[-1], "Value"),
                "created_ms": _ms(g(result, "UserCreateDate")),
                "enabled": g(result, "Enabled"),
                "status": _text(g(result, "UserStatus")),
            }
        users = g(result, "Users")
        return {
            "users": len(users),
            "last_username": g(users[-1], "Username"),
            "attributes": sum(len(g(u, "Attributes")) for u in users),
            "last_modified_ms": _ms(g(users[-1], "UserLastModifiedDate")),
            "disabled": sum(1 for u in users if not g(u, "Enabled")),
            "statuses": sorted({_text(g(u, "UserStatus")) for u in users}),
            "has_token": bool(g(result, "PaginationToken")),
        }


def _snake(wire: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire).lower()


def _ms(value: Any) -> int:
    """Epoch milliseconds of a parsed timestamp (a datetime, or a number if left unparsed)."""
    seconds = value.timestamp() if hasattr(value, "timestamp") else float(value)
    return round(seconds * 1000)


def _text(value: Any) -> str:
    """An enum member or a plain string, as its wire value."""
    return str(getattr(value, "value", value))


# -- aiocognito ---------------------------------------------------------------------------------
class AioCognito(Adapter):
    name = "aiocognito"

    def _transport(self) -> Any:
        """None: the client's own transport (HTTP/1.1 on asyncio)."""
        return None

    async def open(self) -> None:
        from aiocognito import CognitoIdentityProviderClient

        self.client = CognitoIdentityProviderClient(
            region=P.REGION,
            endpoint_url=self.endpoint,
            credentials=None if self.env_credentials else StaticCredentials(),
            transport=self._transport(),
        )
        await self.client.__aenter__()
        self.auth_parameters = {"USERNAME": P.USERNAME, "PASSWORD": P.PASSWORD}

    async def close(self) -> None:
        await self.client.close()

    async def initiate_auth(self) -> Any:
        return await self.client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH",
            client_id=P.CLIENT_ID,
            auth_parameters=self.auth_parameters,
        )

    async def admin_get_user(self) -> Any:
        return await self.client.admin_get_user(user_pool_id=P.USER_POOL_ID, username=P.USERNAME)

    async def list_users(self) -> Any:
        return await self.client.list_users(user_pool_id=P.USER_POOL_ID, limit=P.LIST_LIMIT)


class AioCognitoPlain(AioCognito):
    """Without gmpy2 (``sdk_imports`` blocks it before the import)."""

    name = "aiocognito-plain"


class AioCognitoPurePython(AioCognito):
    """Without orjson, httptools and gmpy2 (``sdk_imports`` blocks them before the import)."""

    name = "aiocognito-purepy"


class AioCognitoHttpcore(AioCognito):
    name = "aiocognito+httpcore"

    def _transport(self) -> Any:
        import httpx

        return httpx.AsyncHTTPTransport()


class AioCognitoAiohttp(AioCognito):
    name = "aiocognito+aiohttp"

    def _transport(self) -> Any:
        from httpx_aiohttp import AiohttpTransport

        return AiohttpTransport()


class AioBotocore(Adapter):
    name = "aiobotocore"
    style = "wire"

    def __init__(self, endpoint: str, session: Any = None) -> None:
        super().__init__(endpoint)
        self.session = session

    async def open(self) -> None:
        from aiobotocore.session import get_session

        if self.session is None:
            self.session = get_session()
        keys = (
            {}
            if self.env_credentials
            else {
                "aws_access_key_id": P.ACCESS_KEY,
                "aws_secret_access_key": P.SECRET_KEY,
                "aws_session_token": P.SESSION_TOKEN,
            }
        )
        self._ctx = self.session.create_client(
            "cognito-idp", region_name=P.REGION, endpoint_url=self.endpoint, **keys
        )
        self.client = await self._ctx.__aenter__()
        self.auth_parameters = {"USERNAME": P.USERNAME, "PASSWORD": P.PASSWORD}

    async def close(self) -> None:
        await self._ctx.__aexit__(None, None, None)

    async def another_client(self) -> None:
        # An application keeps one session and creates clients from it.
        other = AioBotocore(self.endpoint, self.session)
        await other.open()
        await other.close()

    async def initiate_auth(self) -> Any:
        return await self.client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH", ClientId=P.CLIENT_ID, AuthParameters=self.auth_parameters
        )

    async def admin_get_user(self) -> Any:
        return await self.client.admin_get_user(UserPoolId=P.USER_POOL_ID, Username=P.USERNAME)

    async def list_users(self) -> Any:
        return await self.client.list_users(UserPoolId=P.USER_POOL_ID, Limit=P.LIST_LIMIT)


# -- capo ---------------------------------------------------------------------------------------
class Capo(Adapter):
    name = "capo"
    style = "snake"

    async def open(self) -> None:
        from capo_cognito_identity_provider import AsyncCognitoIdentityProviderClient

        self.client = AsyncCognitoIdentityProviderClient(
            region=P.REGION,
            endpoint=self.endpoint,
            # None: capo's default chain, which reads AWS_ACCESS_KEY_ID and the rest first.
            credentials=None
            if self.env_credentials
            else {"access_key": P.ACCESS_KEY, "secret_key": P.SECRET_KEY},
        )
        await self.client.__aenter__()
        self.auth_parameters = {"USERNAME": P.USERNAME, "PASSWORD": P.PASSWORD}
        self.unsigned: Any = {"anonymous": True}

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)

    async def initiate_auth(self) -> Any:
        return await self.client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH",
            client_id=P.CLIENT_ID,
            auth_parameters=self.auth_parameters,
            config_overrides=self.unsigned,
        )

    async def admin_get_user(self) -> Any:
        return await self.client.admin_get_user(user_pool_id=P.USER_POOL_ID, username=P.USERNAME)

    async def list_users(self) -> Any:
        return await self.client.list_users(user_pool_id=P.USER_POOL_ID, limit=P.LIST_LIMIT)


# -- floors -------------------------------------------------------------------------------------
# A SigV4 Authorization header of the real length; the server only checks that one is there.
_FAKE_AUTH = (
    f"AWS4-HMAC-SHA256 Credential={P.ACCESS_KEY}/20240607/{P.REGION}/cognito-idp/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0f" * 32
)


def prebuilt_headers(op: str) -> dict[str, str]:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": P.TARGET_PREFIX + op,
        "User-Agent": "bench-floor/1.0",
    }
    if P.SIGNED[op]:
        headers["X-Amz-Date"] = "20240607T120000Z"
        headers["Authorization"] = _FAKE_AUTH
    return headers


def prebuilt_body(op: str) -> bytes:
    return json.dumps(P.REQUESTS[op]).encode()


class HttpxFloor(Adapter):
    name = "httpx"
    parses = False

    def _client(self) -> Any:
        import httpx

        return httpx.AsyncClient()

    async def open(self) -> None:
        self.client = self._client()
        self.url = self.endpoint + "/"
        self.requests = {op: (prebuilt_body(op), prebuilt_headers(op)) for op in OPS}

    async def close(self) -> None:
        await self.client.aclose()

    async def _post(self, op: str) -> tuple[int, int]:
        body, headers = self.requests[op]
        response = await self.client.post(self.url, content=body, headers=headers)
        return response.status_code, len(response.content)

    async def initiate_auth(self) -> Any:
        return await self._post("InitiateAuth")

    async def admin_get_user(self) -> Any:
        return await self._post("AdminGetUser")

    async def list_users(self) -> Any:
        return await self._post("ListUsers")


class HttpxAiohttpFloor(HttpxFloor):
    name = "httpx+aiohttp"

    def _client(self) -> Any:
        import httpx
        from httpx_aiohttp import AiohttpTransport

        return httpx.AsyncClient(transport=AiohttpTransport())


class AsyncioFloor(Adapter):
    name = "asyncio"
    parses = False

    async def open(self) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.endpoint)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle: list[tuple[Any, Any]] = []
        self.requests: dict[str, bytes] = {}
        for op in OPS:
            body = prebuilt_body(op)
            head = "".join(f"{k}: {v}\r\n" for k, v in prebuilt_headers(op).items())
            self.requests[op] = (
                f"POST / HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()

    async def _post(self, op: str) -> tuple[int, int]:
        import asyncio

        if self.idle:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write(self.requests[op])
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        at = head.lower().find(b"\r\ncontent-length:") + 17
        length = int(head[at : head.find(b"\r\n", at)])
        body = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status, len(body)

    async def initiate_auth(self) -> Any:
        return await self._post("InitiateAuth")

    async def admin_get_user(self) -> Any:
        return await self._post("AdminGetUser")

    async def list_users(self) -> Any:
        return await self._post("ListUsers")


ADAPTERS: dict[str, type[Adapter]] = {
    cls.name: cls
    for cls in (
        AioCognito,
        AioCognitoPlain,
        AioCognitoPurePython,
        AioCognitoHttpcore,
        AioCognitoAiohttp,
        AioBotocore,
        Capo,
        HttpxFloor,
        HttpxAiohttpFloor,
        AsyncioFloor,
    )
}

assert set(ADAPTERS) == set(IMPORTS), "sdk_imports.IMPORTS and ADAPTERS name the same clients"
