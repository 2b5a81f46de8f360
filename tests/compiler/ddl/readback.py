"""Read a database back (SQLAlchemy inspector + PostgreSQL catalogs) and list how it differs from the design.

Structure comes from the design document (columns by id → name); only the generated names come from
the emitter, so a wrong column, type family, key, action or comment shows up as a ``Difference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from designs.compiler.ddl import EMITTERS
from designs.compiler.ddl.base import Emitter
from designs.compiler.document import Document, Table


@dataclass(frozen=True)
class Difference:
    object_id: str
    kind: str
    expected: Any
    got: Any


# Portable type → the family the inspector should read back.
FAMILY = {
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "smallserial": "integer",
    "serial": "integer",
    "bigserial": "integer",
    "numeric": "numeric",
    "real": "float",
    "double": "float",
    "money": "money",
    "boolean": "boolean",
    "text": "string",
    "varchar": "string",
    "char": "string",
    "citext": "string",
    "bytea": "binary",
    "date": "date",
    "time": "time",
    "timetz": "time",
    "timestamp": "datetime",
    "timestamptz": "datetime",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "json",
    "xml": "other",
    "inet": "network",
    "cidr": "network",
    "macaddr": "network",
    "tsvector": "tsvector",
    "year": "integer",
    "enum": "enum",
    "raw": "other",
}
_BY_CLASS = (
    (sa.Enum, "enum"),
    (sa.Boolean, "boolean"),
    (sa.Integer, "integer"),
    (sa.Float, "float"),
    (sa.Numeric, "numeric"),
    (sa.DateTime, "datetime"),
    (sa.Date, "date"),
    (sa.Time, "time"),
    (sa.Interval, "interval"),
    (sa.JSON, "json"),
    (sa.Uuid, "uuid"),
    (sa.ARRAY, "array"),
    (sa.String, "string"),
    (sa.LargeBinary, "binary"),
)
_BY_NAME = {
    "YEAR": "integer",
    "MONEY": "money",
    "INET": "network",
    "CIDR": "network",
    "MACADDR": "network",
    "TSVECTOR": "tsvector",
    "BIT": "integer",
    "INTERVAL": "interval",
    "LONGBLOB": "binary",
    "BLOB": "binary",
}


def family(type_: Any) -> str:
    name = type(type_).__name__
    if name in _BY_NAME:
        return _BY_NAME[name]
    for cls, fam in _BY_CLASS:
        if isinstance(type_, cls):
            return fam
    return "other"


def _action(value: Any) -> str:
    return (value or "NO ACTION").upper()


def compare(doc: Document, dialect: str, conn: Connection) -> list[Difference]:
    """Every difference between the design and the database ``conn`` points at."""
    emitter: Emitter = EMITTERS[dialect](doc)
    inspector = sa.inspect(conn)
    out: list[Difference] = []
    for table in doc.tables:
        out.extend(_table(doc, emitter, inspector, table, dialect))
    for rel, fk in emitter.foreign_keys:
        child = emitter.tables[rel.from_table]
        found = {f["name"]: f for f in inspector.get_foreign_keys(child.name, schema=child.schema)}
        if dialect == "sqlite":
            # SQLAlchemy leaves SQLite's doubled quotes in reflected names; key them by the real name.
            found = {str(n).replace('""', '"') if n else n: f for n, f in found.items()}
        got = found.get(str(fk.name))
        if got is None:
            out.append(Difference(rel.id, "foreign key", fk.name, sorted(str(n) for n in found)))
            continue
        parent = emitter.tables[rel.to_table]
        expected = {
            "columns": [child.c[c].name for c in rel.from_columns],
            "referred": (parent.schema, parent.name, [parent.c[c].name for c in rel.to_columns]),
            "on_delete": _action(fk.ondelete),
            "on_update": _action(fk.onupdate),
        }
        options = got.get("options", {})
        reflected = {
            "columns": got["constrained_columns"],
            "referred": (got["referred_schema"], got["referred_table"], got["referred_columns"]),
            "on_delete": _action(options.get("ondelete")),
            "on_update": _action(options.get("onupdate")),
        }
        for key, value in expected.items():
            if reflected[key] != value:
                out.append(Difference(rel.id, f"foreign key {key}", value, reflected[key]))
        design_actions = {"on_delete": rel.on_delete, "on_update": rel.on_update}
        for key, action in design_actions.items():
            wanted = action.replace("_", " ").upper()
            if reflected[key] != wanted and not (action == "no_action" and reflected[key] in ("NO ACTION", "RESTRICT")):
                out.append(Difference(rel.id, f"foreign key {key}", wanted, reflected[key]))
        if dialect == "postgresql" and rel.deferrable != bool(options.get("deferrable")):
            out.append(Difference(rel.id, "foreign key deferrable", rel.deferrable, options.get("deferrable")))
    if dialect == "postgresql":
        out.extend(_postgres_catalog(doc, emitter, conn))
    return out


def _table(doc: Document, emitter: Emitter, inspector: Any, table: Table, dialect: str) -> list[Difference]:
    t = emitter.tables[table.id]
    if t.name not in inspector.get_table_names(schema=t.schema):
        return [Difference(table.id, "table", t.name, None)]
    out: list[Difference] = []
    columns = {c["name"]: c for c in inspector.get_columns(t.name, schema=t.schema)}
    # Names as created: a name over the identifier limit is cut (the emitter warns and says how).
    expected_names = [t.c[c.id].name for c in table.columns]
    if sorted(columns) != sorted(expected_names):
        out.append(Difference(table.id, "columns", sorted(expected_names), sorted(columns)))
    for column in table.columns:
        got = columns.get(t.c[column.id].name)
        if got is None:
            continue
        if got["nullable"] != column.nullable:
            out.append(Difference(column.id, "nullable", column.nullable, got["nullable"]))
        want = "array" if column.type.array else FAMILY[column.type.name]
        if column.type.raw and dialect in column.type.raw:
            want = "raw"
        fam = family(got["type"])
        if want != "raw" and fam != want:
            out.append(Difference(column.id, "type family", want, fam))
        if (got.get("comment") or None) != (column.comment or None):
            out.append(Difference(column.id, "column comment", column.comment, got.get("comment")))
    comment = (
        inspector.get_table_comment(t.name, schema=t.schema).get("text") or None if dialect != "sqlite" else None
    )  # SQLite has no comments and no way to ask
    if comment != (table.comment or None):
        out.append(Difference(table.id, "table comment", table.comment, comment))
    stored_sql = ""
    if dialect == "sqlite":
        # SQLAlchemy parses SQLite constraint names out of the stored CREATE TABLE with patterns that
        # miss names holding quotes or spaces; the stored SQL itself is the authority.
        stored_sql = (
            inspector.bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": t.name}).scalar()
            or ""
        )
    pk = inspector.get_pk_constraint(t.name, schema=t.schema)
    if table.primary_key:
        names = [t.c[c].name for c in table.primary_key.columns]
        if pk["constrained_columns"] != names:
            out.append(Difference(table.id, "primary key columns", names, pk["constrained_columns"]))
        if pk.get("name") != t.primary_key.name and (
            f"CONSTRAINT {emitter.quote(str(t.primary_key.name))} PRIMARY KEY" not in stored_sql
        ):
            out.append(Difference(table.id, "primary key name", t.primary_key.name, pk.get("name")))
    uniques = {u["name"]: u["column_names"] for u in inspector.get_unique_constraints(t.name, schema=t.schema)}
    built = {c.name: c for c in t.constraints}
    for unique in table.uniques:
        name = next(
            n
            for n, c in built.items()
            if isinstance(c, sa.UniqueConstraint) and [x.key for x in c.columns] == unique.columns
        )
        cols = [t.c[c].name for c in unique.columns]
        if uniques.get(name) != cols and f"CONSTRAINT {emitter.quote(str(name))} UNIQUE" not in stored_sql:
            out.append(Difference(unique.id, "unique", (name, cols), uniques))
    checks = {c["name"] for c in inspector.get_check_constraints(t.name, schema=t.schema)}
    for constraint in t.constraints:
        if (
            isinstance(constraint, sa.CheckConstraint)
            and constraint.name not in checks
            and f"CONSTRAINT {emitter.quote(str(constraint.name))} CHECK" not in stored_sql
        ):
            out.append(Difference(table.id, "check", constraint.name, sorted(str(c) for c in checks)))
    indexes = {i["name"]: i for i in inspector.get_indexes(t.name, schema=t.schema)}
    index_names = set(indexes) | _catalog_index_names(inspector.bind, dialect, t.name)
    for index, sa_index in emitter.indexes:
        if sa_index.table is not t:
            continue
        if sa_index.name not in index_names:
            out.append(Difference(index.id, "index", sa_index.name, sorted(str(n) for n in index_names)))
            continue
        got_index = indexes.get(sa_index.name)
        if got_index is None:
            continue  # an expression index on SQLite: the inspector skips those
        want_cols = [t.c[k.column].name if k.column else None for k in index.columns]
        got_cols = list(got_index["column_names"])[: len(want_cols)]
        if got_cols != want_cols:
            out.append(Difference(index.id, "index columns", want_cols, got_index["column_names"]))
        if bool(got_index["unique"]) != index.unique:
            out.append(Difference(index.id, "index unique", index.unique, got_index["unique"]))
        if dialect == "sqlite" and index.where and "sqlite_where" not in got_index.get("dialect_options", {}):
            out.append(Difference(index.id, "partial index", index.where, None))
    for index in table.indexes:
        if not any(i is index for i, _ in emitter.indexes):
            out.append(Difference(index.id, "index", index.name, None))
    return out


def _catalog_index_names(conn: Any, dialect: str, table: str) -> set[str]:
    """Index names straight from the catalog: SQLAlchemy's MySQL reflection keeps doubled backticks
    in names and its SQLite reflection skips expression indexes."""
    if dialect == "mysql":
        query = (
            "SELECT DISTINCT index_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND table_name = :t"
        )
    elif dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
    else:
        return set()
    return set(conn.execute(sa.text(query), {"t": table}).scalars())


def _postgres_catalog(doc: Document, emitter: Emitter, conn: Connection) -> list[Difference]:
    """What the inspector does not show on PostgreSQL: enums, predicates, RLS, policies, partitions, comments."""
    out: list[Difference] = []
    inspector: Any = sa.inspect(conn)  # a PGInspector, with get_enums
    enums = {(e["schema"], e["name"]): e["labels"] for e in inspector.get_enums(schema="*")}
    for enum in doc.enums:
        key = (emitter.schema_of(enum.schema_) or "public", enum.name)
        if enums.get(key) != enum.values:
            out.append(Difference(enum.id, "enum", enum.values, enums.get(key)))
        comment = conn.execute(
            sa.text(
                "SELECT obj_description(t.oid, 'pg_type') FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = :s AND t.typname = :n"
            ),
            {"s": key[0], "n": key[1]},
        ).scalar()
        if comment != enum.comment:
            out.append(Difference(enum.id, "enum comment", enum.comment, comment))
    for index, sa_index in emitter.indexes:
        assert sa_index.table is not None
        row = conn.execute(
            sa.text(
                "SELECT pg_get_expr(i.indpred, i.indrelid), am.amname, obj_description(c.oid, 'pg_class') "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = :n AND n.nspname = :s"
            ),
            {"n": sa_index.name, "s": sa_index.table.schema or "public"},
        ).one()
        if bool(row[0]) != bool(index.where):
            out.append(Difference(index.id, "partial index", index.where, row[0]))
        if row[1] != index.method:
            out.append(Difference(index.id, "index method", index.method, row[1]))
        if row[2] != index.comment:
            out.append(Difference(index.id, "index comment", index.comment, row[2]))
    for table in doc.tables:
        t = emitter.tables[table.id]
        params = {"n": t.name, "s": t.schema or "public"}
        rls = conn.execute(
            sa.text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relname = :n AND n.nspname = :s"
            ),
            params,
        ).one()
        if tuple(rls) != (table.rls.enabled, table.rls.force):
            out.append(Difference(table.id, "row-level security", (table.rls.enabled, table.rls.force), tuple(rls)))
        parts = (
            conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p "
                    "ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
                    "WHERE p.relname = :n AND n.nspname = :s AND NOT c.relispartition IS FALSE ORDER BY 1"
                ),
                params,
            )
            .scalars()
            .all()
        )
        want = sorted(p.name for p in table.partitioning.partitions) if table.partitioning else []
        if sorted(parts) != want:
            out.append(Difference(table.id, "partitions", want, sorted(parts)))
    # Policy names are unique per table, not per database.
    policies = {
        (r[1], r[0]): r[1:]
        for r in conn.execute(sa.text("SELECT policyname, tablename, permissive, cmd FROM pg_policies"))
    }
    for policy in doc.security.policies:
        found = policies.get((emitter.tables[policy.table].name, policy.name))
        want_policy = (
            emitter.tables[policy.table].name,
            "PERMISSIVE" if policy.permissive else "RESTRICTIVE",
            policy.command.upper(),
        )
        if found is None or tuple(found) != want_policy:
            out.append(Difference(policy.id, "policy", want_policy, found))
    return out
