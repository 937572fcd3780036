"""SigV4 signing with botocore's signer and credential chain, imported on first signed call.

Unsigned operations (``smithy.api#noAuth``) never reach this module, so a client that only
signs users in never imports botocore at all.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from .errors import NoCredentialsError

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials


class CredentialsLike(Protocol):
    """Anything with ``access_key``, ``secret_key`` and ``token`` (botocore's Credentials too)."""

    @property
    def access_key(self) -> str: ...

    @property
    def secret_key(self) -> str: ...

    @property
    def token(self) -> str | None: ...


_UNSIGNED = frozenset({"user-agent", "amz-sdk-invocation-id", "amz-sdk-request"})
"""Sent but not signed: SigV4 needs host, the X-Amz-* headers and the body signed, and every
signed header is work for botocore's signer (User-Agent it skips itself)."""
_ADDED = ("X-Amz-Date", "X-Amz-Security-Token", "Authorization")


class Signer:
    """Resolves credentials lazily (never blocking the event loop) and signs requests."""

    def __init__(
        self,
        *,
        service: str,
        region: str | None,
        credentials: CredentialsLike | None,
        profile: str | None,
    ) -> None:
        self._service = service
        self._region = region
        self._given = credentials
        self._profile = profile
        self._credentials: Credentials | None = None
        self._lock = asyncio.Lock()

    async def _resolve(self) -> Credentials:
        from botocore.credentials import Credentials

        if self._given is not None:
            given = self._given
            if isinstance(given, Credentials):
                return given
            return Credentials(given.access_key, given.secret_key, given.token)
        import botocore.session

        session = botocore.session.Session(profile=self._profile)
        # The chain may read files or call the instance metadata service: keep it off the loop.
        found = await asyncio.to_thread(session.get_credentials)
        if found is None:
            raise NoCredentialsError(
                "no AWS credentials found for a signed operation: pass credentials=..., set "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile"
            )
        return found

    async def frozen(self) -> ReadOnlyCredentials:
        """Current credentials, refreshed (in a worker thread) when they are about to expire."""
        if self._credentials is None:
            async with self._lock:
                if self._credentials is None:
                    self._credentials = await self._resolve()
        creds = self._credentials
        refresh_needed = getattr(creds, "refresh_needed", None)
        if refresh_needed is not None and refresh_needed():
            return await asyncio.to_thread(creds.get_frozen_credentials)
        return creds.get_frozen_credentials()

    async def sign(self, url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        """Headers with ``Authorization``, ``X-Amz-Date`` (and the session token) added."""
        if self._region is None:
            from .errors import NoRegionError

            raise NoRegionError(
                "signed operations need a region: pass region=... or set AWS_REGION"
            )
        frozen = await self.frozen()
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        signed = {k: v for k, v in headers.items() if k.lower() not in _UNSIGNED}
        request = AWSRequest(method="POST", url=url, data=body, headers=signed)
        SigV4Auth(frozen, self._service, self._region).add_auth(request)
        # Only what signing added; reading botocore's email-based headers back costs more
        # than the rest of the call.
        added = {name: request.headers[name] for name in _ADDED if name in request.headers}
        return {**headers, **added}
