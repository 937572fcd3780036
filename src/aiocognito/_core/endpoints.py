"""Endpoint resolution: a small interpreter for the model's endpoint rule set.

The rule set (``endpoint-rule-set-1.json``) and AWS's partitions (``partitions.json``) are copied
into the package by the generator; this module evaluates them with the same semantics as
botocore's ``EndpointProvider`` for the functions AWS rule sets use, without importing botocore.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import string
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from .errors import EndpointResolutionError

_TEMPLATE = re.compile(r"\{[a-zA-Z#]+\}")
_GET_ATTR = re.compile(r"(\w*)\[(\d+)\]")
_HOST_LABEL = re.compile(r"^(?!-)[a-zA-Z\d-]{1,63}(?<!-)$")


def is_valid_host_label(value: str, allow_subdomains: bool = False) -> bool:
    """RFC 1123 host label(s): letters, digits, hyphens; dots between labels if allowed."""
    labels = value.split(".") if allow_subdomains else [value]
    return all(_HOST_LABEL.match(label) for label in labels)


@dataclass(frozen=True)
class Endpoint:
    url: str
    properties: Mapping[str, Any] = field(default_factory=dict[str, Any])
    headers: Mapping[str, list[str]] = field(default_factory=dict[str, list[str]])


@cache
def _package_json(package: str, name: str) -> Any:
    # Through the package's loader (a directory or a zip file alike) rather than
    # importlib.resources, which would import tempfile, shutil, zipfile and random on every
    # cold start for two small files.
    spec = importlib.import_module(package).__spec__
    origin = spec.origin if spec is not None else None
    get_data = getattr(spec.loader, "get_data", None) if spec is not None else None
    if origin is None or get_data is None:  # pragma: no cover - an unusual loader
        from importlib import resources

        return json.loads(resources.files(package).joinpath("_data", name).read_bytes())
    return json.loads(get_data(os.path.join(os.path.dirname(origin), "_data", name)))


def load_rule_set(package: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The endpoint rule set and partitions shipped with a generated package."""
    return _package_json(package, "endpoint-rule-set-1.json"), _package_json(
        package, "partitions.json"
    )


class _Evaluator:
    def __init__(self, partitions: Mapping[str, Any]) -> None:
        self.partitions = partitions

    # -- functions of the rules language ---------------------------------------------------
    def fn_isSet(self, value: Any) -> bool:
        return value is not None

    def fn_not(self, value: Any) -> bool:
        return not value

    def fn_booleanEquals(self, a: Any, b: Any) -> bool:
        return bool(a is b or a == b)

    def fn_stringEquals(self, a: Any, b: Any) -> bool:
        return bool(a == b)

    def fn_getAttr(self, value: Any, path: str) -> Any:
        for part in path.split("."):
            match = _GET_ATTR.fullmatch(part)
            if match:
                name, index = match.group(1), int(match.group(2))
                if name:
                    value = value.get(name)
                if value is None or index >= len(value):
                    return None
                return value[index]
            value = value[part]
        return value

    def fn_substring(self, value: str | None, start: int, stop: int, reverse: bool) -> str | None:
        if value is None or not value.isascii() or not (0 <= start < stop <= len(value)):
            return None
        if reverse:
            start, stop = len(value) - stop, len(value) - start
        return value[start:stop]

    def fn_isValidHostLabel(self, value: str | None, allow_subdomains: bool) -> bool:
        return value is not None and is_valid_host_label(value, allow_subdomains)

    def fn_uriEncode(self, value: str | None) -> str | None:
        return None if value is None else urllib.parse.quote(value, safe="")

    def fn_parseURL(self, value: str | None) -> dict[str, Any] | None:
        if value is None:
            return None
        url = urllib.parse.urlparse(value)
        if url.query or url.scheme not in ("http", "https") or not url.netloc:
            return None
        path = url.path
        normalized = path if path.endswith("/") else path + "/"
        host = url.hostname or ""
        is_ip = bool(re.fullmatch(r"[\d.]+", host)) or url.netloc.startswith("[")
        return {
            "scheme": url.scheme,
            "authority": url.netloc,
            "path": path,
            "normalizedPath": normalized,
            "isIp": is_ip,
        }

    def fn_aws_partition(self, region: str | None) -> dict[str, Any]:
        partitions = self.partitions["partitions"]
        chosen = partitions[0]
        if region is not None:
            for partition in partitions:
                if region in partition["regions"] or re.match(partition["regionRegex"], region):
                    chosen = partition
                    break
        return {**chosen["outputs"], "name": chosen["id"]}

    def fn_aws_parseArn(self, value: str | None) -> dict[str, Any] | None:
        if value is None or not value.startswith("arn:"):
            return None
        parts = value.split(":", 5)
        if len(parts) != 6 or not all((parts[1], parts[2], parts[5])):
            return None
        return {
            "partition": parts[1],
            "service": parts[2],
            "region": parts[3],
            "accountId": parts[4],
            "resourceId": parts[5].replace(":", "/").split("/"),
        }

    # -- evaluation -------------------------------------------------------------------------
    def value(self, node: Any, scope: dict[str, Any]) -> Any:
        if isinstance(node, dict):
            obj = cast("dict[str, Any]", node)
            if "fn" in obj:
                return self.call(obj, scope)
            if "ref" in obj:
                return scope.get(obj["ref"])
            return obj
        if isinstance(node, str) and _TEMPLATE.search(node):
            return self.template(node, scope)
        return node

    def template(self, text: str, scope: dict[str, Any]) -> str:
        out: list[str] = []
        for literal, ref, _, _ in string.Formatter().parse(text):
            out.append(literal)
            if ref is not None:
                value: Any = scope
                for part in ref.split("#"):
                    value = value[part]
                out.append(str(value))
        return "".join(out)

    def call(self, node: dict[str, Any], scope: dict[str, Any]) -> Any:
        fn = getattr(self, "fn_" + node["fn"].replace(".", "_"), None)
        if fn is None:
            raise EndpointResolutionError(f"endpoint rule set uses unknown function {node['fn']!r}")
        result = fn(*(self.value(arg, scope) for arg in node["argv"]))
        if "assign" in node:
            scope[node["assign"]] = result
        return result

    def rules(self, rules: list[dict[str, Any]], scope: dict[str, Any]) -> Endpoint | None:
        for rule in rules:
            local = dict(scope)
            if not all(self._holds(cond, local) for cond in rule.get("conditions", [])):
                continue
            kind = rule["type"]
            if kind == "endpoint":
                ep = rule["endpoint"]
                return Endpoint(
                    url=self.value(ep["url"], local),
                    properties=self._deep(ep.get("properties", {}), local),
                    headers=self._deep(ep.get("headers", {}), local),
                )
            if kind == "error":
                raise EndpointResolutionError(str(self.value(rule["error"], local)))
            if kind == "tree":
                found = self.rules(rule["rules"], local)
                if found is not None:
                    return found
                raise EndpointResolutionError("endpoint rule set: no rule matched in a tree")
        return None

    def _holds(self, cond: dict[str, Any], scope: dict[str, Any]) -> bool:
        result = self.call(cond, scope)
        return result is not None and result is not False

    def _deep(self, node: Any, scope: dict[str, Any]) -> Any:
        if isinstance(node, dict):
            obj = cast("dict[str, Any]", node)
            if "fn" in obj or "ref" in obj:
                return self.value(obj, scope)
            return {k: self._deep(v, scope) for k, v in obj.items()}
        if isinstance(node, list):
            return [self._deep(v, scope) for v in cast("Sequence[Any]", node)]
        return self.value(node, scope)


_RESOLVED: dict[tuple[Any, ...], tuple[Mapping[str, Any], Mapping[str, Any], Endpoint]] = {}
_RESOLVED_MAX = 64


def resolve(
    rule_set: Mapping[str, Any],
    partitions: Mapping[str, Any],
    params: Mapping[str, Any],
) -> Endpoint:
    """Evaluate the rule set with ``params`` (by rule-set parameter name, e.g. ``Region``).

    Answers are cached per rule set, partitions and parameters (region, FIPS, dual-stack,
    endpoint): every client of a process with the same configuration gets the endpoint of
    the first without evaluating the rules again.
    """
    key = (id(rule_set), id(partitions), *sorted(params.items()))
    try:
        cached = _RESOLVED.get(key)
    except TypeError:  # an unhashable parameter value: evaluate every time
        return _evaluate(rule_set, partitions, params)
    # The entry holds the rule set and partitions it was computed from, so their ids cannot be
    # reused by other objects while it is cached.
    if cached is not None and cached[0] is rule_set and cached[1] is partitions:
        return cached[2]
    endpoint = _evaluate(rule_set, partitions, params)
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = (rule_set, partitions, endpoint)
    return endpoint


def _evaluate(
    rule_set: Mapping[str, Any],
    partitions: Mapping[str, Any],
    params: Mapping[str, Any],
) -> Endpoint:
    scope: dict[str, Any] = {}
    for name, spec in rule_set.get("parameters", {}).items():
        value = params.get(name)
        if value is None and "default" in spec:
            value = spec["default"]
        if value is None and spec.get("required"):
            raise EndpointResolutionError(f"endpoint parameter {name} is required")
        scope[name] = value
    endpoint = _Evaluator(partitions).rules(rule_set["rules"], scope)
    if endpoint is None:
        raise EndpointResolutionError("endpoint rule set: no rule matched")
    return endpoint
