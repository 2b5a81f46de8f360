"""Import the largest corpus schema (danbooru_structure.sql) and compare with sqlglot's bare parse.

    .venv/bin/python bench/import_sql.py [--runs 5]

Prints the median seconds of our offline import (split, classify, parse with sqlglot, build and
validate the design) and of ``sqlglot.parse(text, read="postgres")`` of the same file (with
``error_level=IGNORE``: sqlglot raises on the file's first function otherwise), and the ratio.
The target is at most 2x: our import parses a subset of the statements with sqlglot, plus its own
work. Not a test: run on demand.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlglot
from sqlglot.errors import ErrorLevel

from designs.compiler.parse.sql import parse_sql

FILE = Path("/work/shared/corpus/postgres/danbooru_structure.sql")


def median_seconds(run: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = FILE.read_text("utf-8")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    ours = median_seconds(lambda: parse_sql(text, "postgresql"), args.runs)
    # sqlglot rejects the file (``text[]`` in a function signature, line 86) unless told to go on.
    bare = median_seconds(lambda: sqlglot.parse(text, read="postgres", error_level=ErrorLevel.IGNORE), args.runs)
    print(f"file: {FILE.name} ({len(text):,} chars), median of {args.runs} runs")
    print(f"dbstudio import: {ours:.3f}s   sqlglot.parse: {bare:.3f}s   ratio: {ours / bare:.2f}x")


if __name__ == "__main__":
    main()
