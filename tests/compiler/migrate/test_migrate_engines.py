"""Every change pair on PostgreSQL 15, MariaDB and SQLite: the migrated schema is the fresh one.

For each pair: apply the new design's DDL and take a snapshot; reset; apply the old DDL, insert rows,
upgrade, and the snapshot must equal the fresh one, with the rows still there (renamed and retyped
columns included); then downgrade, and the old schema is back. Every engine upgrades through the
rendered Alembic script and downgrades through the plain SQL, so both renderers run on each.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from designs.compiler.ddl import DIALECTS, emit
from designs.compiler.document import Document
from designs.compiler.migrate import diff
from designs.compiler.migrate.sql import statements

from .conftest import PAIRS, Database, expected_rows, insert_rows, pair, read_rows, run_alembic, snapshot


def same_rows(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    """The rows match, NULLs in the fixture aside (a NOT NULL change backfills those on purpose)."""
    if got.keys() != expected.keys():
        return False
    for table_id, rows in expected.items():
        if len(got[table_id]) != len(rows):
            return False
        for g, e in zip(got[table_id], rows, strict=True):
            if {k: v for k, v in g.items() if e.get(k) is not None} != {k: v for k, v in e.items() if v is not None}:
                return False
    return True


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", PAIRS)
def test_the_upgrade_builds_the_new_schema_and_the_downgrade_the_old(
    name: str, dialect: str, databases: dict[str, tuple[Database, Database]]
) -> None:
    p = pair(name)
    db, fresh_db = databases[dialect]
    plan = diff(p.old, p.new)
    assert plan, "a change pair must change something"

    def fresh(doc: Document) -> dict[str, Any]:
        fresh_db.reset()
        fresh_db.run(emit(doc, dialect).statements)
        with fresh_db.engine.connect() as conn:
            return snapshot(conn, dialect)

    # The new design's DDL goes into the second database while this one is migrated.
    with ThreadPoolExecutor(max_workers=1) as pool:
        fresh_new_future = pool.submit(fresh, p.new)
        db.reset()
        db.run(emit(p.old, dialect).statements)
        with db.engine.connect() as conn:
            fresh_old = snapshot(conn, dialect)
        insert_rows(db.engine, p.old, dialect, p.rows)
        fresh_new = fresh_new_future.result()

    run_alembic(db, plan, "upgrade")
    with db.engine.connect() as conn:
        assert snapshot(conn, dialect) == fresh_new
    assert same_rows(read_rows(db.engine, p.new, dialect, p.rows), expected_rows(p.new, p.rows, dialect))

    db.run(statements(plan.reverse(), dialect))
    with db.engine.connect() as conn:
        assert snapshot(conn, dialect) == fresh_old
    # What the upgrade dropped cannot come back; everything it kept must.
    assert same_rows(
        read_rows(db.engine, p.old, dialect, p.rows, also=p.new), expected_rows(p.old, p.rows, dialect, also=p.new)
    )


@pytest.mark.parametrize("name", PAIRS)
def test_diffing_the_new_design_with_itself_yields_nothing(name: str) -> None:
    p = pair(name)
    assert diff(p.new, p.new).ops == []
    assert diff(p.old, p.old).ops == []


@pytest.mark.parametrize("name", PAIRS)
def test_the_reverse_of_the_reverse_is_the_plan(name: str) -> None:
    p = pair(name)
    plan = diff(p.old, p.new)
    assert plan.reverse().reverse().ops == plan.ops
