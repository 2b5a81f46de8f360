"""A database read back with SQLAlchemy's inspector, as plain comparable data, and the differences of two.

Only what the model exports promise to reproduce is compared: tables, columns (name, nullability, type
family), primary keys, foreign keys (columns, target, actions), unique constraints, indexes (name,
columns, uniqueness) and PostgreSQL enum types.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.compiler.ddl.readback import family

SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}


def snapshot(engine: sa.Engine) -> dict[tuple[str, ...], Any]:
    """``{(kind, schema, table, name...): facts}`` for everything compared, keyed so diffs name the object."""
    out: dict[tuple[str, ...], Any] = {}
    with engine.connect() as conn:
        inspector: Any = sa.inspect(conn)
        for schema in sorted(set(inspector.get_schema_names()) - SYSTEM_SCHEMAS):
            for table in inspector.get_table_names(schema=schema):
                if table == "django_migrations":
                    continue
                out[("table", schema, table)] = True
                for col in inspector.get_columns(table, schema=schema):
                    out[("column", schema, table, col["name"])] = (col["nullable"], family(col["type"]))
                pk = inspector.get_pk_constraint(table, schema=schema)
                out[("primary key", schema, table)] = tuple(pk["constrained_columns"])
                out[("primary key name", schema, table)] = pk.get("name")
                for fk in inspector.get_foreign_keys(table, schema=schema):
                    options = fk.get("options", {})
                    out[("foreign key", schema, table, *fk["constrained_columns"])] = (
                        fk["referred_schema"] or "public",
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                    )
                    out[("foreign key name", schema, table, *fk["constrained_columns"])] = fk["name"]
                    out[("foreign key actions", schema, table, *fk["constrained_columns"])] = (
                        (options.get("ondelete") or "NO ACTION").upper(),
                        (options.get("onupdate") or "NO ACTION").upper(),
                    )
                for unique in inspector.get_unique_constraints(table, schema=schema):
                    out[("unique", schema, table, unique["name"])] = tuple(unique["column_names"])
                for index in inspector.get_indexes(table, schema=schema):
                    if index.get("duplicates_constraint"):
                        continue
                    columns = tuple(str(c) for c in index["column_names"])
                    out[("index", schema, table, index["name"])] = (columns, bool(index["unique"]))
        for enum in inspector.get_enums(schema="*"):
            out[("enum", enum["schema"], enum["name"])] = tuple(enum["labels"])
    return out


def differences(expected: dict[tuple[str, ...], Any], got: dict[tuple[str, ...], Any]) -> list[tuple[Any, ...]]:
    """``(key, expected, got)`` for every key whose facts differ (None where one side lacks it)."""
    return [(key, expected.get(key), got.get(key)) for key in sorted(set(expected) | set(got), key=str)
            if expected.get(key) != got.get(key)]


def reset(engine: sa.Engine) -> None:
    """Empty a scratch database between fixtures: drop every user schema (types, tables, extensions in it)."""
    with engine.begin() as conn:
        schemas = conn.execute(
            sa.text(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast')"
                " AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%'"
            )
        ).scalars()
        for schema in list(schemas):
            conn.execute(sa.schema.DropSchema(schema, cascade=True, if_exists=True))
        conn.execute(sa.text("CREATE SCHEMA public"))


def to_json(snap: dict[tuple[str, ...], Any]) -> list[Any]:
    return [[list(key), value] for key, value in snap.items()]


def from_json(data: list[Any]) -> dict[tuple[str, ...], Any]:
    def freeze(value: Any) -> Any:
        return tuple(freeze(v) for v in value) if isinstance(value, list) else value

    return {tuple(key): freeze(value) for key, value in data}
