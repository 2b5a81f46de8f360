"""Fixture designs, and scratch databases on the real engines to run emitted DDL in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from designs.compiler.document import Document
from designs.compiler.validate import load
from tests.services import scratch_mysql, scratch_postgres, scratch_sqlite

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "designs"
FIXTURES = sorted(p.stem for p in FIXTURE_DIR.glob("*.json"))


def fixture(name: str) -> Document:
    """A compiler fixture design, validated."""
    return load(json.loads((FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8")))


@contextmanager
def scratch(dialect: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on a fresh empty database of ``dialect``, dropped afterwards."""
    if dialect == "postgresql":
        context = scratch_postgres("ddl")
    elif dialect == "mysql":
        context = scratch_mysql("ddl")
    else:
        context = scratch_sqlite(tmp_path)
    with context as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            yield engine
        finally:
            engine.dispose()


def execute_each(cursor: Any, statements: list[str]) -> None:
    """Execute statements one by one on a DB-API cursor, exactly as written; a failure names its statement."""
    for statement in statements:
        try:
            cursor.execute(statement)
        except Exception as exc:
            raise AssertionError(f"statement failed: {statement}\n{exc}") from exc


def run_script(engine: sa.Engine, statements: list[str]) -> None:
    """Execute statements one by one through the DB-API, exactly as emitted (no parameter parsing)."""
    raw = engine.raw_connection()
    try:
        execute_each(raw.cursor(), statements)
        raw.commit()
    finally:
        raw.close()
