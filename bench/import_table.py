"""The corpus table for docs/import.md: per file, what the offline import finds and how long it takes.

    .venv/bin/python bench/import_table.py

Prints a Markdown table: file, tables, columns, foreign keys, indexes, warnings, seconds (one run).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from designs.compiler.parse.errors import ParseError
from designs.compiler.parse.sql import parse_sql

CORPUS = Path("/work/shared/corpus")
DIALECT = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


def main() -> None:
    print("| file | tables | columns | FKs | indexes | warnings | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for folder, dialect in DIALECT.items():
        for path in sorted((CORPUS / folder).glob("*.sql")):
            text = path.read_text("utf-8")
            start = time.perf_counter()
            try:
                result = parse_sql(text, dialect)
            except ParseError as exc:
                print(f"| {folder}/{path.name} | error: {exc} | | | | | {time.perf_counter() - start:.2f} |")
                continue
            seconds = time.perf_counter() - start
            doc = result.document
            columns = sum(len(t.columns) for t in doc.tables)
            indexes = sum(len(t.indexes) for t in doc.tables)
            print(f"| {folder}/{path.name} | {len(doc.tables)} | {columns} | {len(doc.relationships)} | {indexes} "
                  f"| {len(result.warnings)} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
