"""How long the design review takes on synthetic 300-table designs (the editor asks after each edit).

    .venv/bin/python -m bench.lint            # lint alone: the best of 7 runs, wall and CPU time
    .venv/bin/python -m bench.lint --api      # plus the whole POST /api/review request the editor sends

Target: well under 200 ms for a typical 300-table design, so findings reach the editor within a
second of an edit (the browser test tests/e2e/test_review_speed.py checks the whole path).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from bench.synthetic import design, generate
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


def api_best_of(data: dict[str, Any], runs: int = 7) -> tuple[float, float, int]:
    """The POST /api/review view as the server runs it (body parsing, validation, lint, JSON answer)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")
    import django

    django.setup()
    from ninja.testing import TestClient

    import dbstudio.api  # noqa: F401  (mounts the routers)
    from designs.review_api import router

    class User:
        is_authenticated = True

    client = TestClient(router)
    body = json.dumps({"document": data})
    wall, cpu = [], []
    size = 0
    for _ in range(runs + 1):
        w, c = time.perf_counter(), time.process_time()
        # The body is serialised once, outside the clock (ninja's stubs type ``data`` as a dict only).
        response = client.post("/review", data=body, content_type="application/json", user=User())  # type: ignore[arg-type]
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        assert response.status_code == 200, response.content[:500]
        size = len(response.content)
    return min(wall[1:]), min(cpu[1:]), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", action="store_true", help="also time the POST /api/review request")
    args = parser.parse_args()
    for label, size in SIZES.items():
        wall, cpu, tally = best_of(design(**size))
        print(f"{label}: lint {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; findings {tally}")
        if args.api:
            data = generate(**size)
            wall, cpu, length = api_best_of(data)
            print(f"{label}: POST /api/review {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; {length:,} bytes")


if __name__ == "__main__":
    main()
