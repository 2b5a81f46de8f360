"""Write docs/design.schema.json, the JSON Schema of the design document, from the pydantic models.

Usage (from the repository root):

    python scripts/write_schema.py           # rewrite the committed file
    python scripts/write_schema.py --check   # exit 1 if the committed file is stale

The output is deterministic (sorted keys, 2-space indent, trailing newline) so the committed file
only changes when the format does; tests/compiler/test_document.py fails when it is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "design.schema.json"

# Run as a plain script, Python puts scripts/ on the path, not the repository root.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from designs.compiler.document import json_schema  # noqa: E402


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the schema file; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    parser.add_argument("--output", type=Path, default=SCHEMA_PATH, help="where the schema goes")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is stale; run python scripts/write_schema.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
