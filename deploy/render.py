"""Render a deploy/ template the way the official nginx image does (envsubst of ${NAME}).

    python deploy/render.py TEMPLATE OUTPUT NAME=value ...      (or the values in the environment)

Only ${UPPER_CASE} names are replaced; nginx's own $variables stay. A ${NAME} without a value is
an error, so a missing setting never reaches nginx as literal text. Used to run the production
proxy configuration without Docker (tests/test_production_topology.py, bench/upload_proxy.py).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(template: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise KeyError("no value for " + ", ".join(missing))
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def render_file(template: Path, output: Path, values: dict[str, str]) -> Path:
    output.write_text(render(Path(template).read_text(), values))
    return output


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    values = dict(os.environ)
    values.update(arg.split("=", 1) for arg in argv[2:])
    try:
        render_file(Path(argv[0]), Path(argv[1]), values)
    except KeyError as exc:
        print(f"render: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
