"""A signed-in session that keeps its tokens fresh: ``TokenSession``.

```python
session = TokenSession(auth, signed_in)          # from a sign-in's SignedIn
token = await session.access_token()             # valid for at least `margin` seconds
...
await session.revoke()                           # sign out on this device (RevokeToken)
```

The session refreshes when the access token has less than ``margin`` seconds left, once for
any number of concurrent callers. A refresh the service refuses (``NotAuthorizedException``:
the refresh token expired or was revoked, the user signed out everywhere or was disabled; or
``RefreshTokenReuseException`` with rotation) ends the session: that call and every later
one raise ``SessionExpiredError`` until the user signs in again. Other failures (network,
throttling) are raised as they are and the next call tries again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, cast

from .._core.errors import CognitoError, ParamValidationError, ServiceError

if TYPE_CHECKING:
    from .flows import SignedIn, UserPoolAuth

__all__ = ["SessionExpiredError", "TokenSession"]

logger = logging.getLogger("aiocognito.auth")

# What the service answers when a refresh token can no longer be used.
_SESSION_OVER: Final = frozenset({"NotAuthorizedException", "RefreshTokenReuseException"})


class SessionExpiredError(CognitoError):
    """The session can no longer give tokens: the user must sign in again.

    Raised by the refresh that the service refused (``__cause__`` is its error, e.g.
    ``NotAuthorizedException``) and by every later call on the session, and after
    ``revoke()`` or ``global_sign_out()``.
    """


class TokenSession:
    """Tokens of one sign-in, refreshed before they expire.

    Args:
        auth: the ``UserPoolAuth`` of the app client the user signed in to.
        signed_in: the sign-in's ``SignedIn`` (its refresh token is what keeps the session).
        margin: seconds of validity ``access_token()`` and ``id_token()`` guarantee; the
            session refreshes when less is left (default 60).
        rotate_refresh_token: refresh with ``GetTokensFromRefreshToken``, which an app client
            with refresh token rotation requires: each refresh brings a new refresh token,
            which the session keeps (read ``refresh_token`` to store it). Off by default:
            ``REFRESH_TOKEN_AUTH``, whose refresh token stays the same.

    No ``repr``, message or log line shows a token.
    """

    __slots__ = (
        "_auth",
        "_cause",
        "_ended",
        "_margin",
        "_refresh_token",
        "_refreshing",
        "_rotate",
        "_signed_in",
    )

    def __init__(
        self,
        auth: UserPoolAuth,
        signed_in: SignedIn,
        *,
        margin: float = 60.0,
        rotate_refresh_token: bool = False,
    ) -> None:
        checked = cast("object", margin)  # a caller without a type checker may pass anything
        if isinstance(checked, bool) or not isinstance(checked, int | float) or margin < 0:
            raise ParamValidationError("margin must be a number of seconds >= 0", path="margin")
        self._auth = auth
        self._signed_in = signed_in
        self._refresh_token = signed_in.refresh_token
        self._margin = timedelta(seconds=margin)
        self._rotate = rotate_refresh_token
        self._ended: str | None = None
        self._cause: BaseException | None = None
        self._refreshing: asyncio.Task[SignedIn] | None = None

    def __repr__(self) -> str:
        state = f"ended: {self._ended}" if self._ended else "active"
        return f"<TokenSession {state}, tokens expire {self._signed_in.expires_at.isoformat()}>"

    @property
    def signed_in(self) -> SignedIn:
        """The latest tokens, as they are (maybe about to expire): ``fresh()`` refreshes."""
        return self._signed_in

    @property
    def expires_at(self) -> datetime:
        """When the current access and ID tokens expire."""
        return self._signed_in.expires_at

    @property
    def refresh_token(self) -> str | None:
        """The refresh token the session uses now (a new one after each rotation)."""
        return self._refresh_token

    @property
    def ended(self) -> bool:
        """The session can give no more tokens (refused refresh, revoke, sign-out)."""
        return self._ended is not None

    async def access_token(self) -> str:
        """An access token valid for at least ``margin`` seconds, refreshing if needed.

        Raises:
            SessionExpiredError: the session is over: sign in again.
        """
        return (await self.fresh()).access_token

    async def id_token(self) -> str:
        """An ID token valid for at least ``margin`` seconds, refreshing if needed."""
        return (await self.fresh()).id_token

    async def fresh(self) -> SignedIn:
        """Tokens valid for at least ``margin`` seconds, refreshing if needed."""
        self._check_open()
        current = self._signed_in
        if current.expires_at - datetime.now(UTC) >= self._margin:
            return current
        return await self.refresh()

    async def refresh(self) -> SignedIn:
        """Refresh now, whatever the expiry; a refresh already under way is joined.

        A caller cancelled while waiting does not cancel the refresh the others wait for.

        Raises:
            SessionExpiredError: the service refused the refresh token, or the session was
                over already.
        """
        self._check_open()
        task = self._refreshing
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.get_running_loop().create_task(self._refresh())
            # Read the outcome even when every waiter was cancelled (no "never retrieved").
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._refreshing = task
        return await asyncio.shield(task)

    async def _refresh(self) -> SignedIn:
        refresh_token = self._refresh_token
        if refresh_token is None:
            self._end("the sign-in brought no refresh token")
            raise SessionExpiredError(self._message())
        signed_in = self._signed_in
        logger.debug("session: refreshing the tokens")
        try:
            refreshed = await self._auth.refresh(
                refresh_token,
                username=signed_in.username or None,
                device=signed_in.device,
                rotate=self._rotate,
            )
        except ServiceError as exc:
            if exc.code not in _SESSION_OVER:
                raise
            self._end(f"the service refused the refresh token ({exc.code})", exc)
            raise SessionExpiredError(self._message()) from exc
        finally:
            if self._refreshing is asyncio.current_task():
                self._refreshing = None
        if self._ended is None:  # revoked or signed out while the refresh was under way
            self._signed_in = refreshed
            self._refresh_token = refreshed.refresh_token or refresh_token
        self._check_open()
        return refreshed

    async def revoke(self) -> None:
        """Sign out on this device: revoke the refresh token (``RevokeToken``).

        The refresh token and the access tokens issued with it stop working at the service
        (an API that only verifies signatures accepts an access token until it expires). The
        session ends once the service has answered; if the call fails, it stays as it was.
        """
        self._check_open()
        if self._refresh_token is not None:
            await self._auth.revoke(self._refresh_token)
        self._end("its refresh token was revoked")

    async def global_sign_out(self) -> None:
        """Sign the user out everywhere (``GlobalSignOut``): every refresh token of the user
        stops working. The session ends."""
        access_token = await self.access_token()
        logger.debug("sign-out: GlobalSignOut")
        await self._auth.client.global_sign_out(access_token=access_token)
        self._end("the user signed out everywhere")

    def _end(self, reason: str, cause: BaseException | None = None) -> None:
        if self._ended is None:
            self._ended = reason
            self._cause = cause
            logger.debug("session: ended (%s)", reason)

    def _message(self) -> str:
        return f"the session is over: {self._ended}; sign in again"

    def _check_open(self) -> None:
        if self._ended is not None:
            raise SessionExpiredError(self._message()) from self._cause
