"""How long the design review takes on synthetic 300-table designs (the editor calls it after each save).

    .venv/bin/python -m bench.lint            # prints the best of 7 runs, wall and CPU time

Target: well under 200 ms for a typical 300-table design, so findings reach the editor within a
second of an edit.
"""

from __future__ import annotations

import time

from bench.synthetic import design
from designs.compiler.review import counts, lint

SIZES = {
    "300 tables, 4,500 columns (typical)": {"tables": 300, "columns": 4_500, "foreign_keys": 450, "indexes": 600},
    "300 tables, 12,000 columns (wide)": {"tables": 300, "columns": 12_000, "foreign_keys": 1_500, "indexes": 2_000},
}


def best_of(doc: object, runs: int = 7) -> tuple[float, float, dict[str, int]]:
    wall, cpu = [], []
    findings = lint(doc)  # type: ignore[arg-type]
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        findings = lint(doc)  # type: ignore[arg-type]
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu), counts(findings)


def main() -> None:
    for label, size in SIZES.items():
        wall, cpu, tally = best_of(design(**size))
        print(f"{label}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; findings {tally}")


if __name__ == "__main__":
    main()
