"""The first revision: every DDL fixture design migrated from an empty design equals its DDL applied
directly, on each engine, and its downgrade leaves nothing behind.

The upgrade runs through the Alembic script, the downgrade as plain SQL. This runs the create paths
over the richest designs we have (schemas, extensions, enums in other schemas, hostile identifiers,
long names, partitions, policies, every type). The audit table is the one thing left out: triggers
and the audit table are not migrated (the plan says so in its notes).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from designs.compiler.ddl import DIALECTS, emit
from designs.compiler.document import Document
from designs.compiler.migrate import diff
from designs.compiler.migrate.alembic import empty_like
from designs.compiler.migrate.sql import statements
from tests.compiler.ddl.conftest import FIXTURES, fixture

from .conftest import Database, run_alembic, snapshot


def without_audit(snap: dict[str, Any], doc: Document) -> dict[str, Any]:
    """The snapshot minus the audit table a design with audited tables gets from its DDL."""
    if not any(t.options.audit for t in doc.tables):
        return snap
    name = doc.settings.audit_table
    out = {k: v for k, v in snap.items() if k.split(".")[-1] != name}
    if "~catalog" in out:
        out["~catalog"] = {
            key: [r for r in rows if not any(name in str(v) for v in r)] for key, rows in out["~catalog"].items()
        }
    return out


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", FIXTURES)
def test_a_design_migrated_from_nothing_equals_its_ddl(
    name: str, dialect: str, databases: dict[str, tuple[Database, Database]]
) -> None:
    doc = fixture(name)
    db, fresh_db = databases[dialect]
    plan = diff(empty_like(doc), doc)

    def fresh() -> dict[str, Any]:
        fresh_db.reset()
        fresh_db.run(emit(doc, dialect).statements)
        with fresh_db.engine.connect() as conn:
            return snapshot(conn, dialect)

    with ThreadPoolExecutor(max_workers=1) as pool:
        expected = pool.submit(fresh)
        if doc.security.roles and dialect == "postgresql":
            # Roles belong to the cluster, not to a schema migration (the plan notes it): the
            # design's DDL creates them, and the policies the upgrade creates name them.
            expected.result()
        db.reset()
        run_alembic(db, plan, "upgrade")
        with db.engine.connect() as conn:
            got = snapshot(conn, dialect)
        assert without_audit(got, doc) == without_audit(expected.result(), doc)

    db.run(statements(plan.reverse(), dialect))
    with db.engine.connect() as conn:
        left = snapshot(conn, dialect)
    assert [k for k in left if not k.startswith("~")] == []
    if dialect == "postgresql":
        assert left["~catalog"]["enums"] == [] and left["~catalog"]["policies"] == []
