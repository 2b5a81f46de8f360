"""Change pairs, one scratch database per dialect per test module, and a schema snapshot to compare.

A database is reset between pairs (schemas dropped on PostgreSQL, the database recreated on MariaDB,
a new file on SQLite) rather than created per pair, which keeps the engine tests quick.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import tempfile
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from designs.compiler.ddl import EMITTERS
from designs.compiler.document import Document
from designs.compiler.migrate import Plan
from designs.compiler.migrate.alembic import revision_script
from designs.compiler.validate import load
from tests.compiler.ddl.conftest import execute_each
from tests.services import scratch_mysql, scratch_postgres

PAIR_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "migrations"
PAIRS = sorted(p.name for p in PAIR_DIR.iterdir() if p.is_dir())


@dataclass
class Pair:
    name: str
    old: Document
    new: Document
    rows: dict[str, list[dict[str, Any]]]


def pair(name: str) -> Pair:
    folder = PAIR_DIR / name
    rows_file = folder / "rows.json"
    rows = json.loads(rows_file.read_text()) if rows_file.exists() else {}
    return Pair(
        name,
        load(json.loads((folder / "old.json").read_text())),
        load(json.loads((folder / "new.json").read_text())),
        rows,
    )


class Database:
    """A scratch database that can be emptied quickly."""

    def __init__(self, dialect: str, url: str):
        self.dialect = dialect
        self.url = url
        self.engine = sa.create_engine(url, poolclass=sa.NullPool)

    def reset(self) -> None:
        if self.dialect == "postgresql":
            with self.engine.begin() as conn:
                schemas = conn.execute(
                    sa.text(
                        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                        "AND nspname <> 'information_schema'"
                    )
                ).scalars()
                for schema in list(schemas):
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.execute(sa.text("CREATE SCHEMA public"))
        elif self.dialect == "mysql":
            name = self.engine.url.database
            with self.engine.begin() as conn:
                conn.execute(sa.text(f"DROP DATABASE `{name}`"))
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        else:
            path = Path(str(self.engine.url.database))
            self.engine.dispose()
            path.unlink(missing_ok=True)

    def run(self, statements: list[str]) -> None:
        """Execute statements as written, in autocommit mode (scripts carry their own BEGIN/COMMIT)."""
        raw: Any = self.engine.raw_connection()
        try:
            if self.dialect == "postgresql":
                raw.driver_connection.autocommit = True
            elif self.dialect == "mysql":
                raw.driver_connection.autocommit(True)
            else:
                raw.driver_connection.isolation_level = None
            execute_each(raw.cursor(), statements)
        finally:
            raw.close()


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, tuple[Database, Database]]]:
    """Per dialect, two scratch databases: one to migrate in, one to apply the new DDL to directly."""
    with (
        scratch_postgres("migrate") as pg,
        scratch_postgres("migrate") as pg2,
        scratch_mysql("migrate") as my,
        scratch_mysql("migrate") as my2,
        tempfile.TemporaryDirectory() as tmp,
    ):
        dbs = {
            "postgresql": (Database("postgresql", pg), Database("postgresql", pg2)),
            "mysql": (Database("mysql", my), Database("mysql", my2)),
            "sqlite": (
                Database("sqlite", f"sqlite:///{tmp}/migrate.sqlite3"),
                Database("sqlite", f"sqlite:///{tmp}/fresh.sqlite3"),
            ),
        }
        yield dbs
        for pair_ in dbs.values():
            for db in pair_:
                db.engine.dispose()


def run_alembic(db: Database, plan: Plan, direction: str) -> None:
    """Run the rendered revision script's upgrade() or downgrade() through Alembic on ``db``."""
    module = types.ModuleType("revision")
    exec(compile(revision_script(plan, "r2", "r1", dialect=db.dialect), "revision.py", "exec"), module.__dict__)  # noqa: S102
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        # As Alembic's run_migrations nests them: the run's transaction, then the migration's.
        with (
            Operations.context(context),
            context.begin_transaction(),
            context.begin_transaction(_per_migration=True),
        ):
            getattr(module, direction)()
        conn.commit()


# ---- snapshot ------------------------------------------------------------------------------------
def _norm(value: Any) -> Any:
    if isinstance(value, str):
        value = re.sub(r"nextval\('[^']*'::regclass\)", "nextval(…)", value)
        return " ".join(value.split())
    return value


def snapshot(conn: sa.Connection, dialect: str) -> dict[str, Any]:
    """Everything the schema says, keyed by name and independent of column order."""
    inspector: Any = sa.inspect(conn)
    schemas: list[str | None] = [None]
    if dialect == "postgresql":
        schemas = [s for s in inspector.get_schema_names() if s not in ("information_schema",)]
    out: dict[str, Any] = {}
    for schema in schemas:
        # The get_multi_* calls read every table of the schema in one query each.
        columns = inspector.get_multi_columns(schema=schema)
        pks = inspector.get_multi_pk_constraint(schema=schema)
        fks = inspector.get_multi_foreign_keys(schema=schema)
        uniques = inspector.get_multi_unique_constraints(schema=schema)
        checks = inspector.get_multi_check_constraints(schema=schema)
        indexes = inspector.get_multi_indexes(schema=schema)
        comments = inspector.get_multi_table_comment(schema=schema) if dialect != "sqlite" else {}
        for key in columns:
            name = f"{key[0]}.{key[1]}" if key[0] else key[1]
            pk = pks.get(key) or {}
            out[name] = {
                "columns": {
                    c["name"]: (
                        str(c["type"]),
                        c["nullable"],
                        _norm(c.get("default")),
                        c.get("comment"),
                        _norm(str(c.get("identity"))) if c.get("identity") else None,
                        c.get("autoincrement") if dialect == "mysql" else None,
                    )
                    for c in columns[key]
                },
                "pk": (pk.get("name"), pk.get("constrained_columns")),
                "fks": sorted(
                    (
                        str(f["name"]),
                        f["constrained_columns"],
                        f["referred_table"],
                        f["referred_columns"],
                        sorted(f.get("options", {}).items()),
                    )
                    for f in fks.get(key, [])
                ),
                "uniques": sorted((str(u["name"]), u["column_names"]) for u in uniques.get(key, [])),
                "checks": sorted((str(c["name"]), _norm(c["sqltext"])) for c in checks.get(key, [])),
                "indexes": sorted(
                    (str(i["name"]), [str(x) for x in i["column_names"]], bool(i["unique"]))
                    for i in indexes.get(key, [])
                ),
                "comment": (comments.get(key) or {}).get("text"),
            }
    if dialect == "postgresql":
        out["~catalog"] = _postgres_catalog(conn)
    if dialect == "sqlite":
        out["~sqlite_indexes"] = sorted(
            conn.execute(sa.text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")).all()
        )
    return out


def _postgres_catalog(conn: sa.Connection) -> dict[str, Any]:
    def rows(query: str) -> list[Any]:
        return sorted(tuple(r) for r in conn.execute(sa.text(query)))

    return {
        "enums": rows(
            "SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text, "
            "obj_description(t.oid, 'pg_type') FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
            "JOIN pg_namespace n ON n.oid = t.typnamespace GROUP BY 1, 2, t.oid"
        ),
        "indexes": rows(
            "SELECT schemaname, indexname, indexdef, obj_description((quote_ident(schemaname) || '.' || "
            "quote_ident(indexname))::regclass, 'pg_class') FROM pg_indexes "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ),
        "constraints": rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) "
            "AND conrelid <> 0"
        ),
        "rls": rows(
            "SELECT c.oid::regclass::text, relrowsecurity, relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
        ),
        "policies": rows(
            "SELECT schemaname, tablename, policyname, permissive, cmd, roles::text, qual, with_check FROM pg_policies"
        ),
        "partitions": rows(
            "SELECT c.oid::regclass::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.relispartition"
        ),
        "identity": rows(
            "SELECT table_schema, table_name, column_name, is_identity, identity_generation, identity_start, "
            "identity_increment FROM information_schema.columns "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND is_identity = 'YES'"
        ),
    }


# ---- rows ----------------------------------------------------------------------------------------
def insert_rows(engine: sa.Engine, doc: Document, dialect: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert fixture rows (keyed by table and column ids) through the design's own metadata."""
    emitter = EMITTERS[dialect](doc)
    with engine.begin() as conn:
        for table_id, items in rows.items():
            if table_id in emitter.tables and items:
                t = emitter.tables[table_id]
                conn.execute(t.insert(), [{k: _value(t.c[k], v) for k, v in item.items()} for item in items])


def _kept(doc: Document, also: Document | None, table_id: str, keys: list[str]) -> list[str]:
    """Column ids of ``doc``'s table that ``also`` (when given) has too: values a migration keeps."""
    other = also.table(table_id) if also is not None else None
    if also is not None and other is None:
        return []
    return [k for k in keys if other is None or other.column(k) is not None]


def _value(column: sa.Column[Any], value: Any) -> Any:
    """A JSON fixture value as the column's Python type (SQLite's DATE wants a date, not text)."""
    if not isinstance(value, str):
        return value
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is datetime.date:
        return datetime.date.fromisoformat(value)
    if python_type is decimal.Decimal:
        return decimal.Decimal(value)
    return value


def _kept_columns(
    doc: Document, rows: dict[str, list[dict[str, Any]]], dialect: str, also: Document | None
) -> Iterator[tuple[str, sa.Table, list[str], list[dict[str, Any]]]]:
    """(table id, table, column keys, fixture rows) for each fixture table ``doc`` (and ``also``) has columns of."""
    emitter = EMITTERS[dialect](doc)
    for table_id, items in rows.items():
        if table_id not in emitter.tables or not items:
            continue
        t = emitter.tables[table_id]
        keys = _kept(doc, also, table_id, [k for k in items[0] if k in set(t.c.keys())])
        if keys:
            yield table_id, t, keys, items


def read_rows(
    engine: sa.Engine, doc: Document, dialect: str, rows: dict[str, list[dict[str, Any]]], also: Document | None = None
) -> dict[str, Any]:
    """The fixture rows as the database holds them now, as text, for the columns ``doc`` (and ``also``) has."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table_id, t, keys, _ in _kept_columns(doc, rows, dialect, also):
            got = conn.execute(sa.select(*[t.c[k] for k in keys])).all()
            out[table_id] = _sorted([{k: _text(v) for k, v in zip(keys, row, strict=True)} for row in got], table_id)
    return out


def expected_rows(
    doc: Document, rows: dict[str, list[dict[str, Any]]], dialect: str, also: Document | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table_id, _, keys, items in _kept_columns(doc, rows, dialect, also):
        out[table_id] = _sorted([{k: _text(item[k]) for k in keys} for item in items], table_id)
    return out


def _sorted(rows: list[dict[str, Any]], table_id: str) -> list[dict[str, Any]]:
    """Rows in a fixed order: by their id-like column (a row's other values may change)."""
    return sorted(rows, key=lambda r: str(next((v for k, v in sorted(r.items()) if k.endswith("_id")), "")))


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    text = str(value)
    if re.fullmatch(r"-?\d+\.\d+", text):
        text = text.rstrip("0").rstrip(".")
    return text
