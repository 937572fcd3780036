"""Which operations page, and by which members: the one home of that decision.

An operation pages when ``paginators-1.json`` declares it. botocore's file leaves out some
token-paged operations (AdminListDevices, ListTerms, ...), so one more rule applies to the
operations it does not list, the *inference rule*: the input and the output share exactly one
token member (``NextToken`` or ``PaginationToken``) and the output has exactly one list
member. Its page size is the first of ``MaxResults``, ``Limit``, ``MaxItems`` the input has.

An inferred paginator is a guess from the shapes: a model update that brings one is flagged for
review by the API diff (``codegen.diff``). The IR, the diff and the update report all read the
rule from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import JSON

TOKEN_MEMBERS = ("NextToken", "PaginationToken")
LIMIT_MEMBERS = ("MaxResults", "Limit", "MaxItems")


@dataclass(frozen=True)
class PagingConfig:
    """How one operation pages, in wire member names."""

    input_token: str
    output_token: str
    result_key: str
    limit_key: str | None
    inferred: bool  # True when found by the inference rule, not declared in paginators-1.json

    def describe(self) -> str:
        """``NextToken -> Items (page size MaxResults)``, for reports."""
        tokens = (
            self.input_token
            if self.input_token == self.output_token
            else f"{self.input_token}/{self.output_token}"
        )
        size = f"page size {self.limit_key}" if self.limit_key else "no page size"
        return f"token {tokens}, items {self.result_key}, {size}"


def _declared(config: JSON) -> PagingConfig | None:
    keys = [config.get(k) for k in ("input_token", "output_token", "result_key")]
    if not all(isinstance(k, str) and "." not in k for k in keys):
        return None  # multi-key or nested paginators: not in this model; left unpaged
    limit = config.get("limit_key")
    return PagingConfig(
        input_token=str(keys[0]),
        output_token=str(keys[1]),
        result_key=str(keys[2]),
        limit_key=limit if isinstance(limit, str) else None,
        inferred=False,
    )


def _inferred(model: JSON, op: JSON) -> PagingConfig | None:
    if "output" not in op or "input" not in op:
        return None
    shapes = model["shapes"]
    inp = shapes[op["input"]["shape"]].get("members", {})
    out = shapes[op["output"]["shape"]].get("members", {})
    tokens = [t for t in TOKEN_MEMBERS if t in inp and t in out]
    lists = [n for n, m in out.items() if shapes[m["shape"]]["type"] == "list"]
    if len(tokens) != 1 or len(lists) != 1:
        return None
    return PagingConfig(
        input_token=tokens[0],
        output_token=tokens[0],
        result_key=lists[0],
        limit_key=next((k for k in LIMIT_MEMBERS if k in inp), None),
        inferred=True,
    )


def paging_config(model: JSON, op_name: str, declared: JSON) -> PagingConfig | None:
    """How ``op_name`` pages: as ``declared`` (paginators-1.json's ``pagination``) says, else
    by the inference rule; None when it does not page."""
    if op_name in declared:
        return _declared(declared[op_name])
    op = model["operations"].get(op_name)
    return None if op is None or "input" not in op else _inferred(model, op)


def paged_operations(model: JSON, declared: JSON | None = None) -> dict[str, PagingConfig]:
    """Every operation of ``model`` that pages, by wire name (sorted)."""
    found = {
        name: paging_config(model, name, declared or {}) for name in sorted(model["operations"])
    }
    return {name: config for name, config in found.items() if config is not None}
