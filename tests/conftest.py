"""Fixtures for the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_retry_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients read ``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE`` as botocore does; the suite
    counts attempts, so a developer's settings must not change what it sees."""
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
