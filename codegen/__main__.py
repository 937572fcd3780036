"""``python -m codegen --model PATH/service-2.json --out DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ir, model, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--model", required=True, type=Path, help="service-2.json (or .json.gz)")
    parser.add_argument("--out", required=True, type=Path, help="package directory to write into")
    parser.add_argument("--no-format", action="store_true", help="skip ruff format (debugging)")
    args = parser.parse_args(argv)
    files = model.load(args.model)
    service = ir.build(files.service, files.paginators)
    try:
        written = render.write(service, args.out, fmt=not args.no_format, data=files)
    except render.FormatError as exc:
        print(f"generation failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"generated {len(written)} files into {args.out}: {len(service.operations)} operations, "
        f"{len(service.structures)} structures, {len(service.enums)} enums, "
        f"{len(service.errors)} errors"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
