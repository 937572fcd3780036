"""Copy the newest cognito-idp model from the installed botocore into ``service-model/``.

``python -m codegen.update_model [--dest service-model]`` writes the model files uncompressed,
records where they came from in ``SOURCE.json``, and prints the API diff against the model that
was there before. Regenerating the package is the caller's next step (``nox -s update-model``
does both).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from . import diff
from .model import read_json

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
    target = dest / SERVICE / source_dir.name
    target.mkdir(parents=True, exist_ok=True)
    record: dict[str, object] = {
        "botocore": version,
        "service": SERVICE,
        "api_version": source_dir.name,
    }
    files: dict[str, str] = {}
    for stem in FILES:
        src = next(
            (
                p
                for p in (source_dir / f"{stem}.json", source_dir / f"{stem}.json.gz")
                if p.exists()
            ),
            None,
        )
        if src is None:
            continue
        data = read_json(src)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (target / f"{stem}.json").write_text(text, encoding="utf-8")
        files[f"{stem}.json"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    import botocore

    partitions = read_json(Path(botocore.__file__).parent / "data" / "partitions.json")
    text = json.dumps(partitions, indent=2, ensure_ascii=False) + "\n"
    (dest / "partitions.json").write_text(text, encoding="utf-8")
    files["partitions.json"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    record["files"] = files
    (dest / "SOURCE.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    new = read_json(target / "service-2.json")
    return diff.compare(old, new) if old is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.update_model", description=__doc__)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args(argv)
    result = update(args.dest)
    if result is None:
        print("no previous model: nothing to compare")
    else:
        print(result.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
