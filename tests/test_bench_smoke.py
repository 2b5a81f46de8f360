"""The benchmarks still run (on tiny inputs): a benchmark that silently broke measures nothing.

These check that each program completes and prints its table, not how fast anything is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CASES = [
    (["bench/ddl_compile.py", "--tables", "20", "--repeat", "1"], "ratio"),
    (["bench/diff.py", "--tables", "20", "--changes", "10", "--repeat", "1"], "diff"),
    (["bench/import_sql.py", "--runs", "1"], "ratio"),
    (["-m", "bench.lint"], "ms CPU"),
    # Two uvicorn processes on Redis and a scratch PostgreSQL database, 4 editors for 3 s.
    (["bench/collab_load.py", "--quick"], "all edits everywhere"),
]


@pytest.mark.parametrize(("argv", "needle"), CASES, ids=[c[0][-1] if c[0][0] == "-m" else c[0][0] for c in CASES])
def test_each_benchmark_runs_to_the_end(argv: list[str], needle: str) -> None:
    result = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert needle in result.stdout
