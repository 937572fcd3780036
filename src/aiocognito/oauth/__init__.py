"""OAuth 2.0 with the user pool's domain: managed login, machine to machine, userInfo, logout.

```python
from aiocognito.oauth import OAuth2Client, new_pkce

oauth = OAuth2Client("https://auth.example.com", client_id, client_secret)
pkce = new_pkce()
url = oauth.authorize_url(redirect_uri=callback, scopes=["openid", "email"], state=state,
                          pkce=pkce)
# ... the browser signs in and comes back to the callback with ?code=...&state=...
tokens = await oauth.exchange_code(code, redirect_uri=callback, code_verifier=pkce.verifier)
info = await oauth.userinfo(tokens.access_token)
```

Errors added here, under the package's tree:

```
CognitoError
└── OAuthError        an OAuth endpoint refused: .error ("invalid_grant", ...), .description
```

Bad input is ``ParamValidationError``, an unreadable 2xx answer ``ResponseParseError``, no
answer ``TransportError``/``TransportTimeoutError``, as everywhere in aiocognito. No ``repr``, message or
log line of this package shows the client secret, a code, a PKCE verifier or a token.
"""

from __future__ import annotations

from ._client import OAuth2Client
from ._models import OAuthError, OAuthTokens, OpenIDConfiguration, UserInfo
from ._pkce import PKCE, new_pkce

__all__ = [
    "OAuth2Client",
    "OAuthError",
    "OAuthTokens",
    "OpenIDConfiguration",
    "PKCE",
    "UserInfo",
    "new_pkce",
]
