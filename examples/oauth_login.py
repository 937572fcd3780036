"""A tiny web app whose users sign in with the user pool's managed login (code grant + PKCE).

Three routes: ``/login`` sends the browser to Cognito with a fresh ``state`` and PKCE
challenge, ``/callback`` checks the state and redeems the code (the verifier never left the
server), ``/logout`` revokes the refresh token and ends the Cognito session. It is a bare ASGI
app (no web framework needed); serve it with any ASGI server against your pool:

    pip install uvicorn
    export COGNITO_DOMAIN=https://auth.example.com COGNITO_CLIENT_ID=... COGNITO_CLIENT_SECRET=...
    uvicorn --factory oauth_login:from_environment --app-dir examples --port 8000

and open http://localhost:8000/ (register ``http://localhost:8000/callback`` as a callback URL
and ``http://localhost:8000/`` as a sign-out URL of the app client).

Run as a script, it walks through a sign-in by itself, as a browser would: it follows the
redirects and fills in the sign-in form, so it needs a domain whose form it knows (the
project's OAuth stand-in, as in CI); tokens are never printed:

    python examples/oauth_login.py --domain http://127.0.0.1:PORT --client-id webapp \\
        --client-secret ... --username alice --password ...
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import secrets
import sys
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from aiocognito import CognitoError
from aiocognito.oauth import OAuth2Client, OAuthTokens, new_pkce

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class Session:
    """What the server keeps per browser (only a random session ID goes in the cookie)."""

    state: str | None = None
    verifier: str | None = None
    tokens: OAuthTokens | None = None
    email: str | None = None


@dataclass
class LoginApp:
    """The ASGI app: ``/``, ``/login``, ``/callback``, ``/logout``."""

    oauth: OAuth2Client
    base_url: str = "http://localhost:8000"
    sessions: dict[str, Session] = field(default_factory=dict[str, Session])

    @property
    def callback(self) -> str:
        return f"{self.base_url}/callback"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        query = dict(urllib.parse.parse_qsl(scope.get("query_string", b"").decode()))
        cookies = _cookies(scope)
        sid = cookies.get("sid")
        session = self.sessions.get(sid or "")
        if session is None:
            sid, session = secrets.token_urlsafe(32), Session()
            self.sessions[sid] = session
        assert sid is not None
        path = scope["path"]
        if path == "/login":
            await self._login(session, sid, send)
        elif path == "/callback":
            await self._callback(session, sid, query, send)
        elif path == "/logout":
            await self._logout(sid, send)
        elif path == "/":
            name = html.escape(session.email or "")
            page = f"<p>Signed in as {name}. <a href='/logout'>Sign out</a></p>"
            if session.tokens is None:
                page = "<p>Not signed in. <a href='/login'>Sign in</a></p>"
            await _respond(send, 200, page, sid)
        else:
            await _respond(send, 404, "<p>Not found</p>", sid)

    async def _login(self, session: Session, sid: str, send: Send) -> None:
        pkce = new_pkce()
        session.state, session.verifier = secrets.token_urlsafe(24), pkce.verifier
        url = self.oauth.authorize_url(
            redirect_uri=self.callback, scopes=["openid", "email"], state=session.state, pkce=pkce
        )
        await _redirect(send, url, sid)

    async def _callback(
        self, session: Session, sid: str, query: dict[str, str], send: Send
    ) -> None:
        expected, verifier = session.state, session.verifier
        session.state = session.verifier = None  # one use, whatever happens next
        if "error" in query:  # the user cancelled, or the request was refused
            await _respond(send, 400, f"<p>Sign-in failed: {html.escape(query['error'])}</p>", sid)
            return
        state = query.get("state", "")
        if expected is None or verifier is None or not secrets.compare_digest(state, expected):
            await _respond(send, 400, "<p>This sign-in was not started here.</p>", sid)
            return
        try:
            tokens = await self.oauth.exchange_code(
                query.get("code", ""), redirect_uri=self.callback, code_verifier=verifier
            )
            info = await self.oauth.userinfo(tokens.access_token)
        except CognitoError as exc:  # OAuthError: e.g. invalid_grant for an expired code
            await _respond(send, 502, f"<p>Sign-in failed: {html.escape(str(exc))}</p>", sid)
            return
        session.tokens, session.email = tokens, info.email or info.username
        await _redirect(send, f"{self.base_url}/", sid)

    async def _logout(self, sid: str, send: Send) -> None:
        session = self.sessions.pop(sid, Session())
        if session.tokens is not None and session.tokens.refresh_token:
            await self.oauth.revoke(session.tokens.refresh_token)
        await _redirect(send, self.oauth.logout_url(f"{self.base_url}/"), sid)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.oauth.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _cookies(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                found[key] = val
    return found


async def _respond(
    send: Send, status: int, body: str, sid: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    cookie = f"sid={sid}; HttpOnly; SameSite=Lax; Path=/".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"set-cookie", cookie),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


async def _redirect(send: Send, location: str, sid: str) -> None:
    await _respond(send, 302, "", sid, [(b"location", location.encode())])


def from_environment() -> LoginApp:
    """The app for an ASGI server: ``COGNITO_DOMAIN``, ``COGNITO_CLIENT_ID``,
    ``COGNITO_CLIENT_SECRET`` (for a confidential client), ``APP_URL`` (default
    ``http://localhost:8000``)."""
    oauth = OAuth2Client(
        os.environ["COGNITO_DOMAIN"],
        os.environ["COGNITO_CLIENT_ID"],
        os.environ.get("COGNITO_CLIENT_SECRET") or None,
    )
    return LoginApp(oauth, os.environ.get("APP_URL", "http://localhost:8000"))


async def walk_through(args: argparse.Namespace) -> None:
    """Be the browser: sign in through the app and the domain's form, then sign out."""
    oauth = OAuth2Client(args.domain, args.client_id, args.client_secret)
    app = LoginApp(oauth, args.app_url)
    print(f"managed login at {args.domain}, app at {args.app_url}")
    browser = httpx.AsyncClient(mounts={args.app_url: httpx.ASGITransport(app=app)})
    async with oauth, browser:
        answer = await browser.get(f"{args.app_url}/login")
        print(f"/login -> {answer.status_code} to {answer.headers['location'].split('?')[0]}")
        answer = await browser.get(answer.headers["location"])  # the authorize endpoint
        form_url = answer.headers["location"]  # its sign-in page
        credentials = {"username": args.username, "password": args.password}
        answer = await browser.post(form_url, data=credentials)
        callback = answer.headers["location"]
        print(f"signed in at the domain -> {answer.status_code} to {callback.split('?')[0]}")
        answer = await browser.get(callback)
        print(f"/callback -> {answer.status_code} (code redeemed with the PKCE verifier)")
        page = (await browser.get(f"{args.app_url}/")).text
        print(f"/ says: {page}")
        if "Signed in as" not in page:
            raise SystemExit("the sign-in did not complete")
        answer = await browser.get(f"{args.app_url}/logout")
        print(f"/logout -> {answer.status_code} to {answer.headers['location'].split('?')[0]}")
        answer = await browser.get(answer.headers["location"])
        print(f"signed out at the domain -> {answer.status_code} to {answer.headers['location']}")
        print(f"/ says: {(await browser.get(f'{args.app_url}/')).text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--domain", required=True, help="the user pool domain (or stand-in)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default=os.environ.get("COGNITO_CLIENT_SECRET"))
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", default=os.environ.get("COGNITO_PASSWORD"))
    parser.add_argument("--app-url", default="http://localhost:8000")
    args = parser.parse_args()
    try:
        asyncio.run(walk_through(args))
    except CognitoError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
