"""The tests' AWS credentials, in one place: fixed keys, and refreshable ones that expire.

The emulators and stand-ins accept any keys; these are AWS's documentation example keys, so a
signature in a failing test's output can be checked by hand against AWS's examples.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@dataclass(frozen=True)
class FakeCredentials:
    """What the client accepts as ``credentials=``: ``access_key``, ``secret_key``, ``token``.

    Nothing is read from the environment or from AWS configuration files.
    """

    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    token: str | None = None


@dataclass
class ExpiringKeys:
    """A refresh function for botocore's ``RefreshableCredentials`` that blocks its thread.

    Each refresh blocks until ``release`` is set (a slow STS or SSO call that a test lets
    finish when it wants), then hands out the next generation of keys (``AKIDGEN1``,
    ``AKIDGEN2``, ...) valid for ``lifetime`` seconds. It records the thread each refresh ran
    in, so a test can show that none ran on the event loop's.
    """

    lifetime: float
    release: threading.Event = field(default_factory=threading.Event)
    generation: int = 0
    threads: list[int] = field(default_factory=list[int])

    def __call__(self) -> dict[str, str]:
        self.threads.append(threading.get_ident())
        if self.generation and not self.release.wait(timeout=30):  # the first one is free
            raise RuntimeError("the test never released the refresh")
        self.generation += 1
        expiry = datetime.now(UTC) + timedelta(seconds=self.lifetime)
        return {
            "access_key": f"AKIDGEN{self.generation}",
            "secret_key": f"secret-{self.generation}",
            "token": f"token-{self.generation}",
            "expiry_time": expiry.isoformat(),
        }

    def credentials(self) -> Any:
        """botocore's ``RefreshableCredentials``, holding the first generation already."""
        from botocore.credentials import RefreshableCredentials

        first = self()
        self.threads.clear()
        return RefreshableCredentials.create_from_metadata(first, self, "test")
