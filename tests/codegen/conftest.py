"""Fixtures of the generator tests.

The two real model revisions are generated once per session (``generated_current``,
``generated_old``, or ``generated`` for both in turn) and shared by the tests that read the output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# `codegen` is not installed: it is imported from the repository root, as `python -m codegen` does.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from codegen import ir  # noqa: E402
from tests.codegen.support import (  # noqa: E402
    CURRENT_MODEL,
    MODEL_REVISIONS,
    Generated,
    generate,
    load_json,
    require_old_model,
)


def _generate_revision(label: str, factory: pytest.TempPathFactory) -> Generated:
    model_path, package = MODEL_REVISIONS[label]
    root = factory.mktemp(f"gen-{label}")
    service = generate(model_path, root / package)
    return Generated(label, model_path, load_json(model_path), service, root, package)


@pytest.fixture(scope="session")
def generated_current(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The pinned model generated into a fresh package (once per session)."""
    return _generate_revision("current", tmp_path_factory)


@pytest.fixture(scope="session")
def generated_old(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The 2022-12-12 model generated into a fresh package (once per session)."""
    require_old_model()
    return _generate_revision("2022-12-12", tmp_path_factory)


@pytest.fixture(scope="session", params=list(MODEL_REVISIONS))
def generated(request: pytest.FixtureRequest) -> Generated:
    """Each model revision in turn (the current one, then the 2022-12-12 one)."""
    fixture = "generated_current" if request.param == "current" else "generated_old"
    result: Generated = request.getfixturevalue(fixture)
    return result


@pytest.fixture(scope="session")
def current_model() -> dict[str, Any]:
    return load_json(CURRENT_MODEL)


@pytest.fixture(scope="session")
def old_model() -> dict[str, Any]:
    return load_json(require_old_model())


@pytest.fixture(scope="session")
def current_service(current_model: dict[str, Any]) -> ir.Service:
    return ir.build(current_model)
