"""Copy the newest cognito-idp model from the installed botocore into ``service-model/``.

``python -m codegen.update_model [--dest service-model] [--changelog FILE]`` writes the model
files uncompressed, records where they came from in ``SOURCE.json``, and prints the API diff
against the model that was there before (and writes it to ``FILE`` as changelog Markdown).
Regenerating the package and running the generator tests are the caller's next steps
(``nox -s update-model`` does all three).

``python -m codegen.update_model --drift`` writes nothing: it reports how far the pinned model is
behind the installed botocore's, in operations and members, and exits 1 when it is behind
(``nox -s model-drift`` runs it with the newest botocore).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import diff
from .model import JSON, botocore_partitions, find, paginators, read_json

SERVICE = "cognito-idp"
FILES = ("service-2", "paginators-1", "endpoint-rule-set-1")
DEFAULT_DEST = Path(__file__).resolve().parent.parent / "service-model"


def botocore_model_dir() -> tuple[Path, str]:
    """The newest API version directory of the service in the installed botocore."""
    import botocore

    root = Path(botocore.__file__).parent / "data" / SERVICE
    versions = sorted(p for p in root.iterdir() if p.is_dir())
    if not versions:
        raise FileNotFoundError(f"botocore {botocore.__version__} ships no {SERVICE} model")
    return versions[-1], botocore.__version__


def model_path(dest: Path) -> Path | None:
    """The service-2.json currently pinned under ``dest``, if any."""
    found = sorted(dest.glob(f"{SERVICE}/*/service-2.json"))
    return found[-1] if found else None


def update(dest: Path = DEFAULT_DEST) -> diff.ApiDiff | None:
    """Copy the model; return the diff against the previous one (None when there was none)."""
    source_dir, version = botocore_model_dir()
    previous = model_path(dest)
    old = read_json(previous) if previous else None
    old_paginators = paginators(previous) if previous else {}
    target = dest / SERVICE / source_dir.name
    target.mkdir(parents=True, exist_ok=True)
    record: dict[str, object] = {
        "botocore": version,
        "service": SERVICE,
        "api_version": source_dir.name,
    }
    files: dict[str, str] = {}
    for stem in FILES:
        src = find(source_dir, stem)
        if src is None:
            continue
        data = read_json(src)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (target / f"{stem}.json").write_text(text, encoding="utf-8")
        files[f"{stem}.json"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    text = json.dumps(botocore_partitions(), indent=2, ensure_ascii=False) + "\n"
    (dest / "partitions.json").write_text(text, encoding="utf-8")
    files["partitions.json"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    record["files"] = files
    (dest / "SOURCE.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    new_path = target / "service-2.json"
    if old is None:
        return None
    return diff.compare(
        old,
        read_json(new_path),
        old_paginators=old_paginators,
        new_paginators=paginators(new_path),
    )


@dataclass
class Drift:
    """How far a pinned model is behind botocore's: the API diff and member counts."""

    pinned_botocore: str
    newest_botocore: str
    api: diff.ApiDiff
    members_added: list[str]  # "Shape.Member", new shapes' members included
    members_removed: list[str]

    @property
    def behind(self) -> bool:
        return not self.api.empty

    def report(self) -> str:
        head = f"pinned model: botocore {self.pinned_botocore}; newest: botocore {self.newest_botocore}"
        if not self.behind:
            return f"{head}\nthe pinned model is current"
        api = self.api
        lines = [
            head,
            "the pinned model is behind by "
            f"{len(api.operations_added)} operations added, "
            f"{len(api.operations_removed)} removed, {len(api.operations_changed)} changed; "
            f"{len(self.members_added)} members added, {len(self.members_removed)} removed "
            f"({len(api.members_added)} of the added in existing shapes); "
            f"{len(api.shapes_added)} shapes added; {len(api.breaking)} breaking changes",
        ]
        if api.operations_added:
            lines.append("new operations: " + ", ".join(api.operations_added))
        if api.review:
            lines.append(f"{len(api.review)} to review by hand after the update")
        lines.append("run `nox -s update-model` to move to it")
        return "\n".join(lines)


def _members(model: JSON) -> set[str]:
    return {
        f"{name}.{member}"
        for name, shape in model["shapes"].items()
        for member in shape.get("members", {})
    }


def drift(dest: Path = DEFAULT_DEST) -> Drift:
    """Compare the model pinned under ``dest`` with the installed botocore's; write nothing."""
    source_dir, version = botocore_model_dir()
    pinned = model_path(dest)
    if pinned is None:
        raise FileNotFoundError(f"no pinned {SERVICE} model under {dest}")
    newest = find(source_dir, "service-2")
    if newest is None:
        raise FileNotFoundError(f"botocore {version} ships no {SERVICE} service-2.json")
    old, new = read_json(pinned), read_json(newest)
    record = dest / "SOURCE.json"
    pinned_version = read_json(record).get("botocore", "?") if record.exists() else "?"
    api = diff.compare(
        old,
        new,
        old_paginators=paginators(pinned),
        new_paginators=paginators(newest),
    )
    before, after = _members(old), _members(new)
    return Drift(
        pinned_botocore=str(pinned_version),
        newest_botocore=version,
        api=api,
        members_added=sorted(after - before),
        members_removed=sorted(before - after),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.update_model", description=__doc__)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument(
        "--changelog", type=Path, help="also write the API diff as changelog Markdown here"
    )
    parser.add_argument(
        "--drift", action="store_true", help="only report how far the pinned model is behind"
    )
    args = parser.parse_args(argv)
    if args.drift:
        found = drift(args.dest)
        print(found.report())
        return 1 if found.behind else 0
    result = update(args.dest)
    print("no previous model: nothing to compare" if result is None else result.report())
    if args.changelog:
        text = "- First model: nothing to compare." if result is None else result.markdown()
        args.changelog.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
