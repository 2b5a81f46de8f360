"""Surprises particular to one engine (the design's ``settings.target``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...document import Column
from ..framework import Context, Data, Edit, Fix, Hit, find_column, find_table, fresh_id, rule

MYSQL_DEFAULTS: dict[str, Any] = {
    "smallint": 0,
    "integer": 0,
    "bigint": 0,
    "numeric": 0,
    "real": 0,
    "double": 0,
    "boolean": False,
    "varchar": "",
    "char": "",
}


@rule(
    "DS801",
    "mysql-not-null-without-default",
    "warning",
    summary="On MySQL, a NOT NULL column with no default.",
    why="""Outside strict mode MySQL fills a missing NOT NULL value with the type's implicit default
    (0, '', '0000-00-00') instead of failing, so a forgotten column silently stores a fake value; and
    adding such a column to a filled table back-fills those implicit values. Give an explicit default,
    or rely on strict mode and say so with a suppression.""",
    dialects=("mysql",),
    fixable=True,
)
def mysql_not_null_without_default(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        pk = set(table.primary_key.columns) if table.primary_key else set()
        for column in table.columns:
            if column.nullable or column.default or column.identity or column.generated or column.id in pk:
                continue
            if column.id in ctx.fk_columns:
                continue  # a foreign key has no sensible default; the constraint catches a missing value
            value = _default_for(column)
            fix = None if value is None else Fix(f"default it to {value!r}", _set_default(column.id, value))
            yield ctx.hit(column.id, f"{table.name}.{column.name} is NOT NULL with no default", fix)


def _default_for(column: Column) -> Any:
    if column.type.array or column.type.name == "enum":
        return None
    if column.type.name in ("timestamp", "timestamptz"):
        return "CURRENT_TIMESTAMP"
    return MYSQL_DEFAULTS.get(column.type.name)


def _set_default(column_id: str, value: Any) -> Edit:
    def edit(data: Data) -> None:
        kind = "expression" if value == "CURRENT_TIMESTAMP" else "literal"
        find_column(data, column_id)["default"] = {"kind": kind, "value": value}

    return edit


@rule(
    "DS802",
    "sqlite-length-not-enforced",
    "warning",
    summary="On SQLite, varchar(n)/char(n) does not limit the length.",
    why="""SQLite's type affinity ignores the length: varchar(10) stores a megabyte happily, so a limit
    the design relies on is not there. Add a CHECK (length(col) <= n) to enforce it.""",
    dialects=("sqlite",),
    fixable=True,
)
def sqlite_length_not_enforced(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        checked = " ".join(c.expression.lower() for c in table.checks)
        for column in table.columns:
            if column.type.name not in ("varchar", "char") or column.type.length is None or column.type.array:
                continue
            if f"length({column.name.lower()})" in checked.replace('"', ""):
                continue
            expr = f"length({column.name}) <= {column.type.length}"
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is {column.type.name}({column.type.length});"
                " SQLite will not enforce the length",
                Fix(f"add CHECK ({expr})", _add_check(table.id, column.name, expr)),
            )


def _add_check(table_id: str, column_name: str, expr: str) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table_id)
        t.setdefault("checks", []).append({"id": fresh_id(data, f"ck_{table_id}_{column_name}"), "expression": expr})

    return edit


@rule(
    "DS803",
    "sqlite-numeric-affinity",
    "warning",
    summary="On SQLite, numeric(p,s) is stored as a binary floating-point number when it has a fraction.",
    why="""SQLite has no decimal type: NUMERIC affinity keeps 12.10 as a REAL, so sums of money drift
    like float does. Store amounts as integer minor units (cents) or as text with care.""",
    dialects=("sqlite",),
)
def sqlite_numeric_affinity(ctx: Context) -> Iterator[Hit]:
    for table, column in ctx.of_type("numeric", "money"):
        if True:
            if column.type.name in ("numeric", "money") and (column.type.scale or column.type.name == "money"):
                yield ctx.hit(
                    column.id,
                    f"{table.name}.{column.name} is {column.type.name} with a fraction; SQLite stores it as REAL",
                )


@rule(
    "DS804",
    "sqlite-datetime-as-text",
    "info",
    summary="On SQLite, date and timestamp columns have no real type.",
    why="""SQLite stores dates as TEXT, REAL or INTEGER as given; nothing checks the format, and two
    formats sort wrongly against each other. Add a CHECK on the format or agree on ISO-8601 text in UTC.""",
    dialects=("sqlite",),
)
def sqlite_datetime_as_text(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        checked = " ".join(c.expression.lower() for c in table.checks)
        for column in table.columns:
            if (
                column.type.name in ("date", "timestamp", "timestamptz", "time", "timetz")
                and column.name.lower() not in checked
            ):
                yield ctx.hit(
                    column.id, f"{table.name}.{column.name} is {column.type.name}; SQLite does not check its format"
                )


@rule(
    "DS805",
    "mysql-partial-index",
    "warning",
    summary="On MySQL, an index has a WHERE clause, which MySQL does not support.",
    why="""MySQL has no partial indexes: the index is created over every row, so a partial UNIQUE
    becomes a full UNIQUE and rejects rows the design allows (two soft-deleted rows with one e-mail).""",
    dialects=("mysql",),
)
def mysql_partial_index(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        for index in table.indexes:
            if index.where:
                yield ctx.hit(
                    index.id, f"index {index.name or index.id} on {table.name} is partial; MySQL will index every row"
                )


@rule(
    "DS806",
    "mysql-unsupported-type",
    "warning",
    summary="On MySQL, a PostgreSQL-only type (array, interval, inet, tsvector, xml, ...) is approximated.",
    why="""MySQL has no such type; the emitter falls back to text or JSON, so the database no longer
    checks the values or supports the operators the design expects.""",
    dialects=("mysql",),
)
def mysql_unsupported_type(ctx: Context) -> Iterator[Hit]:
    unsupported = {"interval", "inet", "cidr", "macaddr", "tsvector", "xml", "citext", "money", "timetz", "uuid"}
    for table in ctx.doc.tables:
        for column in table.columns:
            if column.type.raw and "mysql" in column.type.raw:
                continue
            if column.type.array or column.type.name in unsupported:
                shown = column.type.name + "[]" * column.type.array
                yield ctx.hit(column.id, f"{table.name}.{column.name} is {shown}, which MySQL does not have")
