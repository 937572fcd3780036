"""What a user writes to use each measured client, timed by ``driver.py`` in a fresh process.

Kept free of imports so that importing it costs nothing and pre-imports nothing the clients
would import themselves.
"""

IMPORTS = {
    # `pip install aiocognito`: orjson and httptools come with it, gmpy2 (SRP only) does not.
    "aiocognito-plain": (
        "import sys; sys.modules.update(gmpy2=None); "
        "from aiocognito import CognitoIdentityProviderClient"
    ),
    # `pip install "aiocognito[speedups]"`: gmpy2 too.
    "aiocognito": "from aiocognito import CognitoIdentityProviderClient",
    # Where orjson and httptools have no wheels (PyPy, other CPUs): json and h11 do their work.
    "aiocognito-purepy": (
        "import sys; sys.modules.update(orjson=None, httptools=None, gmpy2=None); "
        "from aiocognito import CognitoIdentityProviderClient"
    ),
    "aiocognito+httpcore": "from aiocognito import CognitoIdentityProviderClient; import httpx",
    "aiocognito+aiohttp": (
        "from aiocognito import CognitoIdentityProviderClient; "
        "from httpx_aiohttp import AiohttpTransport"
    ),
    "aiobotocore": "from aiobotocore.session import get_session",
    "capo": "from capo_cognito_identity_provider import AsyncCognitoIdentityProviderClient",
    "httpx": "import httpx",
    "httpx+aiohttp": "import httpx; from httpx_aiohttp import AiohttpTransport",
    "asyncio": "import asyncio",
}
