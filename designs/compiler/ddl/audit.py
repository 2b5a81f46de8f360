"""The audit trail: one audit table per design and row triggers that record every change in it.

PostgreSQL records rows with one PL/pgSQL function (``postgres.py``). MySQL/MariaDB and SQLite get
three single-statement triggers per audited table (AFTER INSERT, UPDATE, DELETE) that build the row
images with ``JSON_OBJECT``/``json_object`` — single statements, so a script runner needs no
DELIMITER juggling. Row images hold every column by name; binary values are written as hex
because JSON cannot hold bytes, and JSON columns appear as their text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from ..document import Column, Table

if TYPE_CHECKING:
    from .base import Emitter

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
COMMENT = "Row changes recorded by the dbstudio_audit() trigger"


def _postgres() -> list[Any]:
    return [
        sa.Column("id", sa.BIGINT, sa.Identity(always=True), primary_key=True),
        sa.Column("changed_at", postgresql.TIMESTAMP(timezone=True), nullable=False, server_default=_sql("now()")),
        sa.Column("changed_by", sa.TEXT, nullable=False, server_default=_sql("current_user")),
        sa.Column("operation", sa.TEXT, nullable=False),
        sa.Column("table_schema", sa.TEXT, nullable=False),
        sa.Column("table_name", sa.TEXT, nullable=False),
        sa.Column("old_row", postgresql.JSONB),
        sa.Column("new_row", postgresql.JSONB),
    ]


def _mysql() -> list[Any]:
    # MariaDB allows no CURRENT_USER() default, so the triggers write changed_by.
    return [
        sa.Column("id", mysql.BIGINT, primary_key=True, autoincrement=True),
        sa.Column("changed_at", mysql.DATETIME(fsp=6), nullable=False, server_default=_sql("CURRENT_TIMESTAMP(6)")),
        sa.Column("changed_by", mysql.VARCHAR(384), nullable=False),
        sa.Column("operation", mysql.VARCHAR(6), nullable=False),
        sa.Column("table_schema", mysql.VARCHAR(64), nullable=False),
        sa.Column("table_name", mysql.VARCHAR(64), nullable=False),
        sa.Column("old_row", mysql.JSON),
        sa.Column("new_row", mysql.JSON),
    ]


def _sqlite() -> list[Any]:
    # SQLite has no users: changed_by stays NULL there.
    return [
        sa.Column("id", sa.INTEGER, primary_key=True, autoincrement=False),
        sa.Column("changed_at", sa.DATETIME, nullable=False, server_default=_sql("CURRENT_TIMESTAMP")),
        sa.Column("changed_by", sa.TEXT),
        sa.Column("operation", sa.TEXT, nullable=False),
        sa.Column("table_schema", sa.TEXT, nullable=False),
        sa.Column("table_name", sa.TEXT, nullable=False),
        sa.Column("old_row", sa.JSON),
        sa.Column("new_row", sa.JSON),
    ]


COLUMNS: dict[str, Callable[[], list[Any]]] = {"postgresql": _postgres, "mysql": _mysql, "sqlite": _sqlite}


def _sql(text: str) -> Any:
    return sa.literal_column(text)


def build_table(emitter: Emitter) -> sa.Table | None:
    """The audit table in ``emitter``'s metadata; None (warned) when a design table has its name."""
    name = emitter.doc.settings.audit_table
    schema = emitter.schema_of(None)
    if any(t.name == name and emitter.schema_of(t.schema_) == schema for t in emitter.doc.tables):
        for table in emitter.doc.tables:
            if table.options.audit:
                emitter.warn(table.id, f"the audit table {name!r} clashes with a design table; no audit trigger")
        return None
    check = sa.CheckConstraint(
        _sql("operation IN ('INSERT', 'UPDATE', 'DELETE')"), name=emitter.namer.fit(f"ck_{name}_operation")
    )
    return sa.Table(
        name, emitter.metadata, *COLUMNS[emitter.name](), check, schema=schema, comment=COMMENT, **emitter.table_kwargs
    )


def row_triggers(emitter: Emitter, table: Table) -> list[str]:
    """AFTER INSERT/UPDATE/DELETE triggers writing ``table``'s changes to the audit table (MySQL, SQLite)."""
    assert emitter.audit_table is not None
    t = emitter.tables[table.id]
    ref = emitter.table_ref(table.id)
    audit = emitter.preparer.format_table(emitter.audit_table)
    mysql_side = emitter.name == "mysql"
    # Only MySQL knows the current user and database; SQLite's main database is "main".
    who, where = ("CURRENT_USER(), ", "DATABASE()") if mysql_side else ("", "'main'")
    target = f"({'changed_by, ' if mysql_side else ''}operation, table_schema, table_name, old_row, new_row)"
    out = []
    for operation in OPERATIONS:
        old = _row(emitter, table, "OLD") if operation != "INSERT" else "NULL"
        new = _row(emitter, table, "NEW") if operation != "DELETE" else "NULL"
        insert = (
            f"INSERT INTO {audit} {target} VALUES ({who}{emitter.literal(operation)}, {where}, "  # noqa: S608 (quoted)
            f"{emitter.literal(t.name)}, {old}, {new})"
        )
        trigger = emitter.quote(emitter.namer.fit(f"{t.name}_audit_{operation.lower()}"))
        when = _skip_refresh(emitter, table) if operation == "UPDATE" and not mysql_side else ""
        head = f"CREATE TRIGGER {trigger} AFTER {operation} ON {ref} FOR EACH ROW"
        out.append(f"{head} {insert}" if mysql_side else f"{head}{when} BEGIN {insert}; END")
    return out


def _row(emitter: Emitter, table: Table, which: str) -> str:
    function = "JSON_OBJECT" if emitter.name == "mysql" else "json_object"
    pairs = []
    for column in table.columns:
        name = emitter.column_name(column)
        value = f"{which}.{emitter.quote(name)}"
        if _binary(column):
            value = f"HEX({value})" if emitter.name == "mysql" else f"hex({value})"
        pairs.append(f"{emitter.literal(name)}, {value}")
    return f"{function}({', '.join(pairs)})"


def _binary(column: Column) -> bool:
    raw = column.type.raw
    return column.type.name == "bytea" and not column.type.array and not (raw and ("mysql" in raw or "sqlite" in raw))


def _skip_refresh(emitter: Emitter, table: Table) -> str:
    """SQLite's updated_at trigger refreshes the row with a second UPDATE; do not log that one.

    The user's own update is logged (its row image carries the previous updated_at); the refresh,
    an UPDATE that changes updated_at and nothing else, is not.
    """
    column = emitter.updated_at_column(table) if emitter.uses_updated_at_trigger(table) else None
    if column is None:
        return ""
    quoted = {c.id: emitter.quote(emitter.column_name(c)) for c in table.columns}
    stamp = quoted[column.id]
    others = [f"NEW.{quoted[c.id]} IS NOT OLD.{quoted[c.id]}" for c in table.columns if c is not column]
    return f" WHEN {' OR '.join([f'NEW.{stamp} IS OLD.{stamp}', *others])}"
