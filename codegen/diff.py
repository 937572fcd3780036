"""API diff between two revisions of a service model.

``python -m codegen.diff OLD/service-2.json NEW/service-2.json`` prints what a maintainer
reviews before a release: operations, shapes, members, enum values and paginators added, removed
or changed (paginators from the ``paginators-1.json`` beside each file), the breaking changes
among them, and what a human must check because the generator guessed it (a paginator inferred
from the shapes rather than declared).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import paging
from .model import JSON, paginators, read_json


@dataclass
class ApiDiff:
    operations_added: list[str] = field(default_factory=list)
    operations_removed: list[str] = field(default_factory=list)
    operations_changed: list[str] = field(default_factory=list)
    shapes_added: list[str] = field(default_factory=list)
    shapes_removed: list[str] = field(default_factory=list)
    shapes_changed: list[str] = field(default_factory=list)
    members_added: list[str] = field(default_factory=list)  # "Shape.Member"
    required_members_added: list[str] = field(default_factory=list)
    members_removed: list[str] = field(default_factory=list)
    members_changed: list[str] = field(default_factory=list)
    enum_values_added: list[str] = field(default_factory=list)  # "Shape=VALUE"
    enum_values_removed: list[str] = field(default_factory=list)
    paginators_added: list[str] = field(default_factory=list)  # "Operation: how it pages"
    paginators_removed: list[str] = field(default_factory=list)
    paginators_changed: list[str] = field(default_factory=list)
    # What the generator decided from a guess, not from the model's word: a human checks each.
    review: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    @property
    def changes(self) -> dict[str, list[str]]:
        """Each kind of change (``"operations added"``, ...) with its items; review left out."""
        return {
            name.replace("_", " "): getattr(self, name)
            for name in self.__dataclass_fields__
            if name != "review"
        }

    @property
    def breaking(self) -> list[str]:
        """Changes that can break user code: removals and changed member types."""
        return [
            *(f"operation removed: {x}" for x in self.operations_removed),
            *(f"shape removed: {x}" for x in self.shapes_removed),
            *(f"member removed: {x}" for x in self.members_removed),
            *(f"required member added: {x}" for x in self.required_members_added),
            *(f"member changed: {x}" for x in self.members_changed),
            *(f"enum value removed: {x}" for x in self.enum_values_removed),
            *(f"paginator removed: {x}" for x in self.paginators_removed),
            *(f"paginator changed: {x}" for x in self.paginators_changed),
        ]

    def report(self) -> str:
        if self.empty:
            return "API diff: no changes"
        lines = ["API diff:"]
        for kind, items in self.changes.items():
            if items:
                lines.append(f"  {kind} ({len(items)}):")
                lines.extend(f"    {item}" for item in items)
        if self.breaking:
            lines.append(f"  breaking changes: {len(self.breaking)}")
        if self.review:
            lines.append(f"  review by hand ({len(self.review)}):")
            lines.extend(f"    {item}" for item in self.review)
        return "\n".join(lines)

    def markdown(self) -> str:
        """The diff as changelog bullets (Markdown), one per kind of change."""
        if self.empty:
            return "- No API changes."
        lines = []
        for kind, items in self.changes.items():
            if items:
                names = ", ".join(f"`{item}`" for item in items)
                lines.append(f"- {kind.capitalize()} ({len(items)}): {names}.")
        for item in self.breaking:
            lines.append(f"- **Breaking**: {item}.")
        for item in self.review:
            lines.append(f"- Review by hand: {item}.")
        return "\n".join(lines)


def _signature(shape: JSON) -> JSON:
    """What of a shape matters to the API (documentation left out)."""
    out = {k: v for k, v in shape.items() if k not in ("documentation", "members")}
    if "members" in shape:
        out["members"] = {n: _member_signature(m) for n, m in shape["members"].items()}
    return out


def _member_signature(member: JSON) -> JSON:
    return {k: v for k, v in member.items() if k not in ("documentation",)}


def _op_signature(op: JSON) -> JSON:
    return {k: v for k, v in op.items() if k != "documentation"}


def _describe_op_change(a: JSON, b: JSON) -> str:
    parts = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        if key == "errors":
            before = {e["shape"] for e in a.get("errors", [])}
            after = {e["shape"] for e in b.get("errors", [])}
            parts += [f"+error {e}" for e in sorted(after - before)]
            parts += [f"-error {e}" for e in sorted(before - after)]
        else:
            parts.append(f"{key} {a.get(key)!r} -> {b.get(key)!r}")
    return ", ".join(parts)


def compare(
    old: JSON, new: JSON, *, old_paginators: JSON | None = None, new_paginators: JSON | None = None
) -> ApiDiff:
    """What changed from ``old`` to ``new`` (service models, with their paginators-1.json
    ``pagination`` tables when known: without them only inferred paginators are seen)."""
    d = ApiDiff()
    old_ops, new_ops = old["operations"], new["operations"]
    d.operations_added = sorted(set(new_ops) - set(old_ops))
    d.operations_removed = sorted(set(old_ops) - set(new_ops))
    for n in sorted(set(old_ops) & set(new_ops)):
        a, b = _op_signature(old_ops[n]), _op_signature(new_ops[n])
        if a != b:
            d.operations_changed.append(f"{n}: {_describe_op_change(a, b)}")
    old_shapes, new_shapes = old["shapes"], new["shapes"]
    d.shapes_added = sorted(set(new_shapes) - set(old_shapes))
    d.shapes_removed = sorted(set(old_shapes) - set(new_shapes))
    for name in sorted(set(old_shapes) & set(new_shapes)):
        a, b = old_shapes[name], new_shapes[name]
        if _signature(a) != _signature(b):
            d.shapes_changed.append(name)
        am, bm = a.get("members", {}), b.get("members", {})
        d.members_added += [f"{name}.{m}" for m in sorted(set(bm) - set(am))]
        d.required_members_added += [
            f"{name}.{m}" for m in sorted(set(bm) - set(am)) if m in b.get("required", [])
        ]
        d.members_removed += [f"{name}.{m}" for m in sorted(set(am) - set(bm))]
        for m in sorted(set(am) & set(bm)):
            before, after = am[m]["shape"], bm[m]["shape"]
            required_changed = (m in a.get("required", [])) != (m in b.get("required", []))
            if before != after or required_changed:
                what = f"{before} -> {after}" if before != after else "required changed"
                d.members_changed.append(f"{name}.{m}: {what}")
        ae, be = a.get("enum", []), b.get("enum", [])
        d.enum_values_added += [f"{name}={v}" for v in be if v not in ae]
        d.enum_values_removed += [f"{name}={v}" for v in ae if v not in be]
    _compare_paging(d, old, new, old_paginators or {}, new_paginators or {})
    return d


def _compare_paging(d: ApiDiff, old: JSON, new: JSON, old_pag: JSON, new_pag: JSON) -> None:
    before = paging.paged_operations(old, old_pag)
    after = paging.paged_operations(new, new_pag)
    d.paginators_added = [f"{n}: {after[n].describe()}" for n in sorted(set(after) - set(before))]
    d.paginators_removed = sorted(set(before) - set(after))
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        if a.describe() != b.describe():
            d.paginators_changed.append(f"{name}: {a.describe()} -> {b.describe()}")
    for name, config in after.items():
        if config.inferred and before.get(name) != config:
            d.review.append(
                f"{name}: paginator inferred from its shapes ({config.describe()}), "
                "not declared in paginators-1.json: check the operation's API reference pages "
                "by this token before releasing paginate_* for it"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.diff", description=__doc__)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    result = compare(
        read_json(args.old),
        read_json(args.new),
        old_paginators=paginators(args.old),
        new_paginators=paginators(args.new),
    )
    print(result.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
