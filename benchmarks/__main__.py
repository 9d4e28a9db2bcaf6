"""Dispatch `python -m benchmarks NAME [ARGS...]` to `benchmarks/NAME.py:main(argv)`.

Each benchmark module writes a JSON result file and a PNG plot under
`benchmarks/results/` and accepts `--quick` for a CI-sized smoke run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and hasattr(importlib.import_module(f"benchmarks.{m.name}"), "main")
    )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not args or args[0] in {"-h", "--help"}:
        print("usage: python -m benchmarks NAME [--quick] [options]\n\nbenchmarks:")
        for name in names:
            doc = (importlib.import_module(f"benchmarks.{name}").__doc__ or "").strip().splitlines()
            print(f"  {name:<22} {doc[0] if doc else ''}")
        return 0
    name = args[0].replace("-", "_")
    if name not in names:
        print(f"error: unknown benchmark {args[0]!r}; choose from: {', '.join(names)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"benchmarks.{name}")
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
