"""Loading a service model (service-2.json and the files beside it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

JSON = dict[str, Any]


def read_json(path: Path) -> JSON:
    """Read a JSON file, gzip-compressed or not (botocore ships ``*.json.gz``)."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object at the top level")
    return data


def sibling(service_path: Path, stem: str) -> Path | None:
    """``paginators-1.json`` (or ``.json.gz``) next to a service model, if present."""
    for name in (f"{stem}.json", f"{stem}.json.gz"):
        candidate = service_path.parent / name
        if candidate.exists():
            return candidate
    return None


def load(service_path: Path) -> tuple[JSON, JSON]:
    """The service model and its paginators (empty when the model ships none)."""
    service = read_json(service_path)
    for key in ("metadata", "operations", "shapes"):
        if key not in service:
            raise ValueError(f"{service_path}: not a service model (no {key!r})")
    pag_path = sibling(service_path, "paginators-1")
    paginators = read_json(pag_path).get("pagination", {}) if pag_path else {}
    return service, paginators
