"""Helpers of the OAuth tests: a browser's walk through managed login on the stand-in."""

from __future__ import annotations

import urllib.parse

import httpx

from tests.oauth.standin import OAuthStandIn

WEB_CALLBACK = "http://localhost:8000/callback"
SPA_CALLBACK = "http://localhost:3000/callback"
PASSWORD = "Correct-Horse-9"


async def sign_in(
    authorize_url: str, *, username: str = "alice", password: str = PASSWORD
) -> dict[str, str]:
    """What a browser does: open the authorize URL, post the sign-in form, and return the
    callback's query parameters (``code`` and ``state``, or ``error``)."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(authorize_url)
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        if "/login?" in location:
            answer = await browser.post(location, data={"username": username, "password": password})
            assert answer.status_code == 302, answer.text
            location = answer.headers["location"]
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def secrets_of(standin: OAuthStandIn) -> list[str]:
    """Every client secret of the stand-in (to look for in messages and logs)."""
    return [c.secret for c in standin.clients.values() if c.secret]
