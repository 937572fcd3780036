"""Credentials for signed calls, and the call to our SigV4 signer (``sigv4``).

Unsigned operations (``smithy.api#noAuth``) never reach this module. Keys given to the client
and the ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN`` environment are
read here without botocore, so a signed call with either (an AWS Lambda function, a container
with keys in its environment) never imports it. Everything else (profiles, SSO, assume-role,
container and instance metadata credentials) comes from botocore's credential chain, imported
on the first signed call that needs it; its refreshable credentials are refreshed in a worker
thread, before they expire, so the event loop never waits on the network for them.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, NamedTuple, Protocol, cast

from . import sigv4
from .errors import ConfigurationError, NoCredentialsError, NoRegionError


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

    def __repr__(self) -> str:
        return f"Frozen(access_key={self.access_key!r}, secret_key=<redacted>, token=<redacted>)"


class _Source(Protocol):
    """botocore's ``Credentials`` (and ``RefreshableCredentials``), or ``_Static``."""

    def get_frozen_credentials(self) -> Any: ...


class _Static:
    """Keys that never change: given to the client, or read from the environment."""

    def __init__(self, frozen: Frozen) -> None:
        self._frozen = frozen

    def get_frozen_credentials(self) -> Frozen:
        return self._frozen


def environment_credentials(environ: Any = None) -> Frozen | None:
    """Keys from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``).

    What botocore's first provider reads, in its order (``AWS_SECURITY_TOKEN`` before
    ``AWS_SESSION_TOKEN``). ``None`` when the keys are not both there, or when
    ``AWS_CREDENTIAL_EXPIRATION`` makes them refreshable: botocore's chain handles those.
    """
    env = os.environ if environ is None else environ
    access_key = env.get("AWS_ACCESS_KEY_ID", "")
    secret_key = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or env.get("AWS_CREDENTIAL_EXPIRATION"):
        return None
    token = env.get("AWS_SECURITY_TOKEN") or env.get("AWS_SESSION_TOKEN") or None
    return Frozen(access_key, secret_key, token)


_MUST_REFRESH_S = 10 * 60
"""Credentials closer than this to expiry are not used while a refresh runs (botocore's
mandatory refresh window); further away, a call signs with them and does not wait."""


def _freeze(keys: Any) -> Frozen:
    return Frozen(keys.access_key, keys.secret_key, keys.token)


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
        self._source: _Source | None = None
        self._lock = asyncio.Lock()
        self._last: Frozen | None = None
        """The keys the last signature used."""
        self._refreshing: asyncio.Future[Any] | None = None

    async def _resolve(self) -> _Source:
        given = self._given
        if given is not None:
            if hasattr(given, "get_frozen_credentials"):  # botocore's, refreshable ones included
                return cast("_Source", given)
            return _Static(_freeze(given))
        # botocore's chain starts with the environment, unless a profile is named explicitly.
        found_in_env = None if self._profile is not None else environment_credentials()
        if found_in_env is not None:
            return _Static(found_in_env)
        import botocore.session

        session = botocore.session.Session(profile=self._profile)
        # The chain may read files or call the instance metadata service: keep it off the loop.
        found = await asyncio.to_thread(session.get_credentials)
        if found is None:
            raise NoCredentialsError(
                "no AWS credentials found for a signed operation: pass credentials=..., set "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile"
            )
        return cast("_Source", found)

    async def frozen(self) -> Frozen:
        """Current credentials; refreshed in a worker thread as they near their expiry."""
        source = self._source
        if source is None:
            async with self._lock:
                if self._source is None:
                    self._source = await self._resolve()
                source = self._source
        refresh_needed = getattr(source, "refresh_needed", None)
        if refresh_needed is None or not refresh_needed():
            # Nothing to refresh, so botocore's get_frozen_credentials does no I/O.
            frozen = self._last = _freeze(source.get_frozen_credentials())
            return frozen
        task = self._refreshing
        if task is None:
            # One refresh for every caller: botocore's own lock would otherwise hold a worker
            # thread per waiting call.
            task = self._refreshing = asyncio.ensure_future(
                asyncio.to_thread(source.get_frozen_credentials)
            )
            task.add_done_callback(self._refreshed)
        last = self._last
        if last is not None and not self._about_to_expire(source):
            return last  # still valid for minutes: no need to wait for the refresh
        frozen = self._last = _freeze(await asyncio.shield(task))
        return frozen

    def _refreshed(self, task: asyncio.Future[Any]) -> None:
        self._refreshing = None
        if not task.cancelled() and task.exception() is None:
            self._last = _freeze(task.result())

    @staticmethod
    def _about_to_expire(source: Any) -> bool:
        try:
            return bool(source.refresh_needed(_MUST_REFRESH_S))
        except TypeError:  # a refresh_needed() that takes no window: always wait
            return True

    async def sign(
        self, url: str, headers: dict[str, str], body: bytes, *, host: bytes
    ) -> dict[str, str]:
        """Headers with ``Authorization``, ``X-Amz-Date`` (and the session token) added.

        ``host`` is the Host header the request goes out with (``http11.route``).
        """
        if self._region is None:
            raise NoRegionError(
                "signed operations need a region: pass region=... or set AWS_REGION"
            )
        keys = await self.frozen()
        _check_sendable(keys)
        added = sigv4.sign(
            access_key=keys.access_key,
            secret_key=keys.secret_key,
            token=keys.token,
            region=self._region,
            service=self._service,
            url=url,
            host=host.decode("ascii"),  # IDNA-encoded already
            headers=headers,
            body=body,
        )
        return {**headers, **added}


def _check_sendable(keys: Frozen) -> None:
    """Refuse keys an HTTP header cannot carry, before anything is sent.

    A session token pasted with its trailing newline (a secret mounted as a file, an env file)
    would otherwise fail in the HTTP layer, whose error may quote the header value: the token.
    """
    for what, value in (("access key id", keys.access_key), ("session token", keys.token)):
        if value is not None and not value.isprintable():
            raise ConfigurationError(
                f"the AWS {what} holds a control character (a trailing newline?), which an "
                "HTTP header cannot carry: check where it is set (credentials=, "
                "AWS_ACCESS_KEY_ID/AWS_SESSION_TOKEN, the profile)"
            )
