"""How fast two versions of a big design are compared and written as a migration.

    python bench/diff.py                      # 1,000 tables, 100 changes, 3 rounds
    python bench/diff.py --tables 200 --changes 20 --repeat 2

The old version comes from ``bench/synthetic.py`` (seed 1: 1,000 tables, 12,000 columns, 1,500
foreign keys, 2,000 indexes). The new version applies ``--changes`` edits spread over the design,
in a fixed rotation: rename a table, rename a column, add a column, drop a column, widen a type,
make a column NOT NULL, add an index, drop an index, change a foreign key's ON DELETE, add a table.
Both are validated once, outside the timings. Timed, in process CPU seconds (median of rounds):

* **diff**: ``diff(old, new)``, the comparison by id into ordered operations.
* **alembic**: ``revision_script(plan, ...)``: upgrade and derived downgrade through Alembic's renderer.
* **sql**: ``sql_script(plan, "postgresql")``: the safe PostgreSQL SQL through Alembic's offline mode.
* **emit (reference)**: ``emit(new, "postgresql")``, the whole DDL of the new version, in the same process.
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import generate  # noqa: E402
from bench.timing import timed  # noqa: E402
from designs.compiler.ddl import emit  # noqa: E402
from designs.compiler.migrate import diff  # noqa: E402
from designs.compiler.migrate.alembic import revision_script  # noqa: E402
from designs.compiler.migrate.sql import sql_script  # noqa: E402
from designs.compiler.validate import load  # noqa: E402


def changed(data: dict[str, Any], changes: int) -> dict[str, Any]:
    """A copy of ``data`` with ``changes`` edits, spread evenly over its tables (deterministic)."""
    new = copy.deepcopy(data)
    tables = new["tables"]
    step = max(len(tables) // max(changes, 1), 1)
    fk_by_child = {r["from_table"]: r for r in new.get("relationships", [])}
    referenced = {c for r in new.get("relationships", []) for c in r["from_columns"] + r["to_columns"]}
    for n in range(changes):
        table = tables[(n * step) % len(tables)]
        plain = [
            c
            for c in table["columns"]
            if c["id"] not in referenced
            and all(c["id"] not in [k.get("column") for k in i["columns"]] for i in table.get("indexes", []))
            and all(c["id"] not in u["columns"] for u in table.get("uniques", []))
            and c["id"] not in (table.get("primary_key") or {}).get("columns", [])
        ]
        kind = n % 10
        if kind == 0:
            table["name"] += "_renamed"
        elif kind == 1 and plain:
            plain[0]["name"] += "_renamed"
        elif kind == 2:
            table["columns"].append({"id": f"c_bench_{n}", "name": f"added_{n}", "type": {"name": "text"}})
        elif kind == 3 and plain and not table.get("checks"):
            table["columns"].remove(plain[-1])
        elif kind == 4 and plain:
            plain[0]["type"] = {"name": "text"}
        elif kind == 5 and plain:
            plain[0]["nullable"] = False
            plain[0].setdefault("default", {"kind": "literal", "value": "0"})
        elif kind == 6 and plain:
            table.setdefault("indexes", []).append({"id": f"i_bench_{n}", "columns": [{"column": plain[0]["id"]}]})
        elif kind == 7 and table.get("indexes"):
            dropped = table["indexes"].pop()
            # keep FK columns indexed: only drop an index no foreign key needs
            if any(k.get("column") in referenced for k in dropped["columns"]):
                table["indexes"].append(dropped)
                table["comment"] = f"changed {n}"
        elif kind == 8 and table["id"] in fk_by_child:
            fk_by_child[table["id"]]["on_delete"] = "cascade"
        else:
            tables.append(
                {
                    "id": f"t_bench_{n}",
                    "name": f"bench_new_{n}",
                    "columns": [
                        {"id": f"c_bench_new_{n}", "name": "id", "type": {"name": "bigint"}, "nullable": False}
                    ],
                    "primary_key": {"columns": [f"c_bench_new_{n}"]},
                }
            )
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    columns, fks, indexes = args.tables * 12, args.tables * 3 // 2, args.tables * 2
    data = generate(tables=args.tables, columns=columns, foreign_keys=fks, indexes=indexes, seed=1)
    old, new = load(data), load(changed(data, args.changes))
    plan = diff(old, new)
    script = revision_script(plan, "v2", "v1")
    compile(script, "revision.py", "exec")  # the script is valid Python
    functions: dict[str, Callable[[], object]] = {
        "diff": lambda: diff(old, new),
        "alembic": lambda: revision_script(plan, "v2", "v1"),
        "sql": lambda: sql_script(plan, "postgresql"),
        "emit (reference)": lambda: emit(new, "postgresql"),
    }
    rounds = timed(functions, args.repeat)
    median = {name: statistics.median(r[name] for r in rounds) for name in functions}
    reference = median["emit (reference)"]
    print(
        f"# {args.tables} tables, {sum(len(t.columns) for t in old.tables)} columns; "
        f"{len(plan.ops)} operations from {args.changes} edits, {len(plan.hazards)} hazards"
    )
    print(f"# Python {platform.python_version()}, median of {args.repeat} rounds, process CPU seconds")
    print("| step | seconds | x emit |")
    print("|---|---:|---:|")
    for name, seconds in median.items():
        print(f"| {name} | {seconds:.3f} | {seconds / reference:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
