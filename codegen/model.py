"""Loading a service model (service-2.json and the files beside it)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
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


def find(directory: Path, stem: str) -> Path | None:
    """``stem.json`` in ``directory``, or ``stem.json.gz`` (botocore's form), if present."""
    for name in (f"{stem}.json", f"{stem}.json.gz"):
        candidate = directory / name
        if candidate.exists():
            return candidate
    return None


def sibling(service_path: Path, stem: str) -> Path | None:
    """A file that travels with a service model (``paginators-1``, ...), next to it."""
    return find(service_path.parent, stem)


def paginators(service_path: Path) -> JSON:
    """The ``pagination`` table of the paginators-1.json beside a service model ({} if none)."""
    path = sibling(service_path, "paginators-1")
    return read_json(path).get("pagination", {}) if path else {}


def botocore_partitions() -> JSON:
    """The AWS partitions of the installed botocore."""
    import botocore

    return read_json(Path(botocore.__file__).parent / "data" / "partitions.json")


PINNED = Path(__file__).resolve().parent.parent / "service-model"


@dataclass
class ModelFiles:
    """A service model and the files that travel with it."""

    service: JSON
    paginators: JSON
    rule_set: JSON
    partitions: JSON


def default_rule_set(service: JSON) -> JSON:
    """For a model that ships no endpoint rule set: a custom endpoint, else the regional one."""
    prefix = service["metadata"].get("endpointPrefix", "service")
    return {
        "version": "1.0",
        "parameters": {
            "Region": {"builtIn": "AWS::Region", "required": False, "type": "string"},
            "UseDualStack": {
                "builtIn": "AWS::UseDualStack",
                "required": True,
                "default": False,
                "type": "boolean",
            },
            "UseFIPS": {
                "builtIn": "AWS::UseFIPS",
                "required": True,
                "default": False,
                "type": "boolean",
            },
            "Endpoint": {"builtIn": "SDK::Endpoint", "required": False, "type": "string"},
        },
        "rules": [
            {
                "conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
                "type": "endpoint",
                "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}},
            },
            {
                "conditions": [
                    {"fn": "isSet", "argv": [{"ref": "Region"}]},
                    {
                        "fn": "aws.partition",
                        "argv": [{"ref": "Region"}],
                        "assign": "PartitionResult",
                    },
                ],
                "type": "endpoint",
                "endpoint": {
                    "url": f"https://{prefix}.{{Region}}.{{PartitionResult#dnsSuffix}}",
                    "properties": {},
                    "headers": {},
                },
            },
            {"conditions": [], "type": "error", "error": "Invalid Configuration: Missing Region"},
        ],
    }


def _partitions(service_path: Path) -> JSON:
    for candidate in (
        service_path.parent.parent.parent / "partitions.json",
        PINNED / "partitions.json",
    ):
        if candidate.exists():
            return read_json(candidate)
    return botocore_partitions()


def load(service_path: Path) -> ModelFiles:
    """The service model with its paginators, endpoint rule set and AWS partitions."""
    service = read_json(service_path)
    for key in ("metadata", "operations", "shapes"):
        if key not in service:
            raise ValueError(f"{service_path}: not a service model (no {key!r})")
    rules_path = sibling(service_path, "endpoint-rule-set-1")
    rule_set = read_json(rules_path) if rules_path else default_rule_set(service)
    return ModelFiles(service, paginators(service_path), rule_set, _partitions(service_path))
