"""A live database (PostgreSQL, MariaDB/MySQL, SQLite) → design document, and exact PostgreSQL import.

SQLAlchemy's inspector reads tables, columns, keys, uniques, checks and indexes; each reflected type
and default is rendered back to SQL and mapped by the same functions the offline importer uses,
so both kinds of import agree. PostgreSQL catalog queries add what the inspector misses: enums,
partitions (folded into their parent), row-level security and policies.
The URL is used for the connection only; it is never stored or logged.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from ..document import Document
from .errors import ParseError, position
from .mermaid import slug
from .sql_model import Model, PendingKey, Sequence
from .sql_split import split
from .sql_types import SQLGLOT_DIALECT, map_default, map_type

_ACTIONS = {"CASCADE": "cascade", "RESTRICT": "restrict", "SET NULL": "set_null", "SET DEFAULT": "set_default"}
_SYSTEM = {"information_schema", "pg_catalog", "pg_toast"}


class IntrospectError(Exception):
    """The database could not be reached or read; the message never holds the URL's password."""


def introspect(url: str, schema: str | None = None) -> tuple[Document, list[str]]:
    """The design of the database at ``url``, and warnings for what was not modelled."""
    try:
        engine = sa.create_engine(_driver(url))
        with engine.connect() as conn:
            return _read(conn, schema)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
        raise IntrospectError(f"could not read the database: {reason}") from None
    except ParseError as exc:
        raise IntrospectError(str(exc)) from None
    finally:
        if "engine" in locals():
            engine.dispose()


def _driver(url: str) -> str:
    parsed = sa.engine.make_url(url)
    driver = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "mysql": "mysql+pymysql",
              "mariadb": "mysql+pymysql"}.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def _type_sql(conn: sa.Connection, col: dict[str, Any], table: str, schema: str | None) -> str:
    """The column's type as SQL; for a type SQLAlchemy does not know (MariaDB's GEOMETRY), the catalog's text."""
    if not isinstance(col["type"], sa.types.NullType):
        return str(col["type"].compile(dialect=conn.dialect))
    if conn.dialect.name in ("mysql", "mariadb"):
        query = sa.text(
            "SELECT COLUMN_TYPE FROM information_schema.columns WHERE table_schema = COALESCE(:s, DATABASE())"
            " AND table_name = :t AND column_name = :c"
        )
        found = conn.execute(query, {"s": schema, "t": table, "c": col["name"]}).scalar()
        if found:
            return str(found)
    return str(col["type"].compile(dialect=conn.dialect))  # raises: reported as an IntrospectError


def _dialect(conn: sa.Connection) -> str:
    name = conn.dialect.name
    return {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}[name]


def _read(conn: sa.Connection, only_schema: str | None) -> tuple[Document, list[str]]:
    dialect = _dialect(conn)
    inspector: Any = sa.inspect(conn)
    model = Model(dialect)
    partitions: dict[tuple[str, str], tuple[tuple[str, str], str]] = {}
    if dialect == "postgresql":
        schemas = [only_schema] if only_schema else [s for s in inspector.get_schema_names()
                                                    if s not in _SYSTEM and not s.startswith("pg_")]
        for enum in inspector.get_enums(schema="*"):
            data: dict[str, Any] = {"id": model.new_id(f"e_{slug(enum['name'])}"), "name": enum["name"],
                                    "values": list(enum["labels"])}
            if enum["schema"] != "public":
                data["schema"] = enum["schema"]
            model.enums[enum["name"].lower()] = data
        for row in conn.execute(sa.text(
            "SELECT n.nspname, c.relname, pn.nspname, p.relname, pg_get_expr(c.relpartbound, c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_namespace pn ON pn.oid = p.relnamespace "
            "WHERE c.relispartition")):
            partitions[(row[0], row[1])] = ((row[2], row[3]), row[4])
        # Sequences, so a nextval() default folds into serial exactly as the offline import folds it.
        for row in conn.execute(sa.text("SELECT sequencename, start_value, increment_by FROM pg_sequences")):
            model.sequences[str(row[0]).lower()] = Sequence(start=int(row[1]), increment=int(row[2]))
    else:
        schemas = [None]
    enum_ids = {n: e["id"] for n, e in model.enums.items()}
    for schema in schemas:
        qualified = None if schema in (None, "public") else schema
        for name in sorted(inspector.get_table_names(schema=schema)):
            table = model.add_table(name, qualified, 0)
            for col in inspector.get_columns(name, schema=schema):
                type_sql = _type_sql(conn, col, name, schema)
                dt = _data_type(type_sql, dialect)
                mapped = map_type(dt, dialect, enum_ids, {})
                data = {"name": col["name"], "type": mapped.data, "nullable": bool(col["nullable"])}
                column = model.add_column(table, data)
                if mapped.enum_values is not None:
                    enum_id = model.new_id(f"e_{table.id[2:]}_{slug(col['name'])}"[:60])
                    model.enums[f"{name}_{col['name']}".lower()] = {"id": enum_id, "name": f"{name}_{col['name']}",
                                                                   "values": mapped.enum_values}
                    column["type"]["enum"] = enum_id
                if col.get("comment"):
                    column["comment"] = col["comment"]
                identity = col.get("identity")
                if identity:
                    column["identity"] = {"always": bool(identity.get("always"))}
                elif col.get("computed"):
                    column["generated"] = {"expression": col["computed"]["sqltext"],
                                           "stored": bool(col["computed"].get("persisted", True))}
                elif col.get("default") is not None:
                    default = _default(str(col["default"]), dialect)
                    if default is not None:
                        column["default"] = default
                if dialect == "mysql" and col.get("autoincrement") is True:
                    column["identity"] = {}
            pk = inspector.get_pk_constraint(name, schema=schema)
            if pk and pk.get("constrained_columns"):
                table.primary_key = {"columns": [table.columns[c.lower()]["id"] for c in pk["constrained_columns"]]}
                # A key column is NOT NULL, as the offline import makes it; SQLite reports its rowid
                # alias (`id INTEGER PRIMARY KEY`) as nullable, which the design format refuses.
                for key_column in pk["constrained_columns"]:
                    table.columns[key_column.lower()]["nullable"] = False
                if pk.get("name") and dialect != "mysql":
                    table.primary_key["name"] = pk["name"]
            for unique in inspector.get_unique_constraints(name, schema=schema):
                table.uniques.append({"id": model.new_id(f"{table.id}.uq_{slug(unique['name'] or 'u')[:20]}"),
                                      "columns": [table.columns[c.lower()]["id"] for c in unique["column_names"]]}
                                     | ({"name": unique["name"]} if unique.get("name") else {}))
            for check in inspector.get_check_constraints(name, schema=schema):
                named = {"name": check["name"]} if check.get("name") else {}
                table.checks.append({"id": model.new_id(f"{table.id}.ck_{slug(check['name'] or 'c')[:20]}"),
                                     "expression": check["sqltext"]} | named)
            for index in inspector.get_indexes(name, schema=schema):
                _index(model, table, index, dialect)
            for fk in inspector.get_foreign_keys(name, schema=schema):
                options = fk.get("options") or {}
                ref_schema = fk.get("referred_schema")
                model.keys.append(PendingKey(
                    table, fk["constrained_columns"], (None if ref_schema in (None, "public") else ref_schema,
                                                      fk["referred_table"]),
                    fk["referred_columns"], fk.get("name"),
                    _ACTIONS.get(str(options.get("ondelete")).upper(), "no_action"),
                    _ACTIONS.get(str(options.get("onupdate")).upper(), "no_action"), bool(options.get("deferrable")),
                    str(options.get("initially") or "").upper() == "DEFERRED", 0))
            if dialect != "sqlite":
                comment = inspector.get_table_comment(name, schema=schema).get("text")
                if comment:
                    table.comment = comment
            if dialect == "postgresql":
                _postgres_table(conn, model, table, schema or "public", partitions)
    return _finish(model)


def _finish(model: Model) -> tuple[Document, list[str]]:
    data, warnings = model.finish()
    return Document.model_validate(data), warnings


def _data_type(type_sql: str, dialect: str) -> exp.DataType | None:
    try:
        created = sqlglot.parse_one(f"CREATE TABLE _t (_c {type_sql})", read=SQLGLOT_DIALECT[dialect])
        kind = created.this.expressions[0].args.get("kind")
        return kind if isinstance(kind, exp.DataType) else None
    except sqlglot.errors.SqlglotError:
        return exp.DataType.build(type_sql, dialect=SQLGLOT_DIALECT[dialect], udt=True)


def _default(text: str, dialect: str) -> dict[str, Any] | None:
    try:
        return map_default(sqlglot.parse_one(text, read=SQLGLOT_DIALECT[dialect]), dialect)
    except sqlglot.errors.SqlglotError:
        return {"kind": "expression", "value": text}


def _index(model: Model, table: Any, index: dict[str, Any], dialect: str) -> None:
    options = index.get("dialect_options") or {}
    if index.get("duplicates_constraint"):
        return
    columns = []
    expressions = index.get("expressions") or [None] * len(index["column_names"])
    for column_name, expression in zip(index["column_names"], expressions, strict=False):
        column = table.column(column_name) if column_name else None
        columns.append({"column": column["id"]} if column else {"expression": expression or column_name})
    data: dict[str, Any] = {"id": model.new_id(f"{table.id}.ix_{slug(index['name'] or 'i')[:24]}"), "columns": columns}
    if index.get("name"):
        data["name"] = index["name"]
    if index.get("unique"):
        data["unique"] = True
    using = options.get("postgresql_using")
    if using and using != "btree":
        data["method"] = using
    if dialect == "mysql" and str(options.get("mysql_prefix") or "").upper() in ("FULLTEXT", "SPATIAL"):
        data["method"] = str(options["mysql_prefix"]).lower()
    if options.get("postgresql_where") is not None:
        data["where"] = str(options["postgresql_where"])
    table.indexes.append(data)


def _postgres_table(conn: sa.Connection, model: Model, table: Any, schema: str,
                    partitions: dict[tuple[str, str], tuple[tuple[str, str], str]]) -> None:
    row = conn.execute(sa.text(
        "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_partkeydef(c.oid) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = :t AND n.nspname = :s"),
        {"t": table.name, "s": schema}).one()
    if row[0] or row[1]:
        table.rls = {"enabled": bool(row[0]), "force": bool(row[1])}
    if row[2]:
        strategy, _, keys = row[2].partition(" ")
        key = []
        for part in keys.strip("()").split(","):
            column = table.column(part.strip().strip('"'))
            key.append({"column": column["id"]} if column else {"expression": part.strip()})
        table.partitioning = {"strategy": strategy.lower(), "key": key, "partitions": []}
    if (schema, table.name) in partitions:
        (pschema, pname), bound = partitions[(schema, table.name)]
        from .sql_pg import _bound

        table.partition_of = ((None if pschema == "public" else pschema, pname), _bound(bound) or {"is_default": True})


def exact_postgres(text: str, server_url: str) -> tuple[Document, list[str]]:
    """Run a PostgreSQL script in a throwaway database on ``server_url``, read it back, drop it.

    psql meta-commands, CREATE/DROP DATABASE and data statements (INSERT, COPY) are not run; the
    first statement PostgreSQL rejects is a ParseError at its position in the file.
    """
    import psycopg

    statements = split(text, "postgresql")
    server = sa.engine.make_url(server_url)
    name = f"dbs_import_{secrets.token_hex(4)}"
    admin = psycopg.connect(host=server.host or "127.0.0.1", port=server.port or 5432,
                            user=server.username or "postgres", password=server.password,
                            dbname=server.database or "postgres", autocommit=True, connect_timeout=5)
    try:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
            with psycopg.connect(host=server.host or "127.0.0.1", port=server.port or 5432,
                                 user=server.username or "postgres", password=server.password, dbname=name,
                                 autocommit=True) as conn:
                for statement in statements:
                    words = statement.text[:40].upper().split()
                    if statement.client or words[:1] in (["INSERT"], ["COPY"]) or words[:2] in (
                        ["CREATE", "DATABASE"], ["DROP", "DATABASE"]):
                        continue
                    try:
                        conn.execute(statement.text.encode())
                    except psycopg.Error as exc:
                        offset = statement.offset
                        pos = exc.diag.statement_position
                        if pos:
                            offset += len(statement.text.encode()[: int(pos) - 1].decode("utf-8", "replace"))
                        line, column = position(text, offset)
                        raise ParseError(f"PostgreSQL: {exc.diag.message_primary or exc}", line, column) from None
            return introspect(url)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
