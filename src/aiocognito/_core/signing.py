"""SigV4 signing with botocore's signer and credential chain, imported on first signed call.

Unsigned operations (``smithy.api#noAuth``) never reach this module, so a client that only
signs users in never imports botocore at all.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from .errors import NoCredentialsError

if TYPE_CHECKING:
    from botocore.credentials import Credentials


class CredentialsLike(Protocol):
    """Anything with ``access_key``, ``secret_key`` and ``token`` (botocore's Credentials too)."""

    @property
    def access_key(self) -> str: ...

    @property
    def secret_key(self) -> str: ...

    @property
    def token(self) -> str | None: ...


class Frozen(NamedTuple):
    """One consistent set of keys, shaped like botocore's ``ReadOnlyCredentials``."""

    access_key: str
    secret_key: str
    token: str | None


class _CredentialSource(Protocol):
    """botocore's ``Credentials`` (and ``RefreshableCredentials``), or ``_Static``."""

    def get_frozen_credentials(self) -> Any: ...


class _Static:
    """Keys given to the client: no botocore credential module needed (it weighs ~1.6 MB)."""

    def __init__(self, given: CredentialsLike) -> None:
        self._frozen = Frozen(given.access_key, given.secret_key, given.token)

    def get_frozen_credentials(self) -> Frozen:
        return self._frozen


_UNSIGNED = frozenset({"user-agent", "amz-sdk-invocation-id", "amz-sdk-request"})
"""Sent but not signed: SigV4 needs host, the X-Amz-* headers and the body signed, and every
signed header is work for botocore's signer (User-Agent it skips itself)."""


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
        self._credentials: _CredentialSource | None = None
        self._lock = asyncio.Lock()

    async def _resolve(self) -> _CredentialSource:
        given = self._given
        if given is not None:
            if hasattr(given, "get_frozen_credentials"):  # botocore's, refreshable ones included
                return cast("_CredentialSource", given)
            return _Static(given)
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

    async def frozen(self) -> Frozen:
        """Current credentials, refreshed (in a worker thread) when they are about to expire."""
        if self._credentials is None:
            async with self._lock:
                if self._credentials is None:
                    self._credentials = await self._resolve()
        creds = self._credentials
        refresh_needed = getattr(creds, "refresh_needed", None)
        if refresh_needed is not None and refresh_needed():
            frozen = await asyncio.to_thread(creds.get_frozen_credentials)
        else:
            frozen = creds.get_frozen_credentials()
        return Frozen(frozen.access_key, frozen.secret_key, frozen.token)

    async def sign(
        self, url: str, headers: dict[str, str], body: bytes, *, host: bytes
    ) -> dict[str, str]:
        """Headers with ``Authorization``, ``X-Amz-Date`` (and the session token) added.

        ``host`` is the Host header the request goes out with (``http11.split_url``).
        """
        if self._region is None:
            from .errors import NoRegionError

            raise NoRegionError(
                "signed operations need a region: pass region=... or set AWS_REGION"
            )
        frozen = await self.frozen()
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        signed = {k: v for k, v in headers.items() if k.lower() not in _UNSIGNED}
        # Given, the Host header spares botocore parsing the URL for it twice per signature.
        # Only signed here: the transport sends the same value itself.
        signed["Host"] = host.decode("ascii")  # IDNA-encoded already
        request = AWSRequest(method="POST", url=url, data=body, headers=signed)
        # SigV4Auth reads access_key, secret_key and token, which Frozen has.
        keys = cast("Credentials", frozen)
        SigV4Auth(keys, self._service, self._region).add_auth(request)
        # Only what signing added; botocore's headers are an email.message.Message, where every
        # lookup scans them all.
        added = request.headers
        signed_headers = {
            **headers,
            "X-Amz-Date": added["X-Amz-Date"],
            "Authorization": added["Authorization"],
        }
        if frozen.token:
            signed_headers["X-Amz-Security-Token"] = frozen.token
        return signed_headers
