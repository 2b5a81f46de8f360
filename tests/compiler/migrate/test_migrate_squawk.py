"""squawk (the PostgreSQL migration linter) finds nothing in our SQL beyond the hazards the plan declares.

Each squawk rule is excused only by a hazard of the matching kind declared in the same migration;
a rule missing from ``EXCUSED_BY`` is never excused. Three rules judge the design's own column types,
not the migration, and are left to the design review (``DESIGN_RULES``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from designs.compiler.migrate import diff
from designs.compiler.migrate.sql import sql_script

from .conftest import PAIRS, pair

SQUAWK = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))

EXCUSED_BY: dict[str, str] = {
    "ban-drop-column": "data_loss",
    "ban-drop-table": "data_loss",
    "changing-column-type": "lock",
    "ban-alter-identity": "lock",
    "adding-field-with-default": "lock",
    "renaming-table": "incompatible",
    "renaming-column": "incompatible",
    "renaming-object": "incompatible",
    "ban-drop-constraint": "incompatible",
    "ban-drop-default": "incompatible",
    "ban-drop-not-null": "incompatible",
    "ban-drop-type": "incompatible",
    "adding-required-field": "data_dependent",
    "adding-not-nullable-field": "data_dependent",
}
# The design chose these types; the migration only follows it. The review lint covers type choices.
DESIGN_RULES = {"prefer-text-field", "ban-char-field", "prefer-bigint-over-int"}


def squawk(sql: str, tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "migration.sql"
    path.write_text(sql, encoding="utf-8")
    result = subprocess.run(
        [SQUAWK, "--reporter", "json", "--pg-version", "15.0", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return json.loads(result.stdout or "[]")


@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
@pytest.mark.parametrize("name", PAIRS)
def test_squawk_reports_only_declared_hazards(name: str, direction: str, tmp_path: Path) -> None:
    p = pair(name)
    plan = diff(p.old, p.new)
    if direction == "downgrade":
        plan = plan.reverse()
    declared = {hazard.kind for _, hazard in plan.hazards}
    findings = squawk(sql_script(plan, "postgresql"), tmp_path)
    unexcused = [
        (f["rule_name"], f["message"])
        for f in findings
        if f["rule_name"] not in DESIGN_RULES and EXCUSED_BY.get(str(f["rule_name"])) not in declared
    ]
    assert unexcused == []


def test_squawk_flags_an_unsafe_script(tmp_path: Path) -> None:
    # The linter itself works: a plain CREATE INDEX without CONCURRENTLY is reported.
    findings = squawk("CREATE INDEX ix ON t (a);\n", tmp_path)
    assert "require-concurrent-index-creation" in {f["rule_name"] for f in findings}
