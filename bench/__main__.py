"""Run every benchmark in bench/ that defines `main()`, or only those named.

    python -m bench            # all of them
    python -m bench pages      # only bench/pages.py (its own options: python -m bench.pages --help)

Each benchmark runs in its own Python process (`python -m bench.<name>`), because each
configures Django for itself (its own database, settings and environment).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def _defines_main(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def benchmark_names() -> list[str]:
    """Modules of bench/ with a top-level `main()`, found without importing them."""
    return sorted(path.stem for path in BENCH_DIR.glob("*.py") if not path.stem.startswith("_") and _defines_main(path))


def run(names: list[str]) -> int:
    available = benchmark_names()
    unknown = [name for name in names if name not in available]
    if unknown:
        print(f"Unknown benchmark: {', '.join(unknown)}. Available: {', '.join(available)}", file=sys.stderr)
        return 2
    failed = []
    for name in names or available:
        print(f"## bench.{name}\n", flush=True)
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent, check=False)  # noqa: S603
        if result.returncode:
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"Failed or refused: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
