"""Column types: the choices PostgreSQL's own "Don't Do This" list and experienced reviewers flag."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ...document import Column, Table
from ..framework import Context, Data, Edit, Fix, Hit, find_column, rule

AMOUNT = re.compile(
    r"(^|_)(amount|price|cost|total|subtotal|balance|fee|fees|salary|wage|tax|vat|payment|revenue|charge|money)(_|$)"
)


def _columns(ctx: Context, *types: str) -> Iterator[tuple[Table, Column]]:
    if types:
        yield from ctx.of_type(*types)
    else:
        for table, column, _ in ctx.all_columns:
            yield table, column


def _retype(column_id: str, change: Callable[[Data], None]) -> Edit:
    def edit(data: Data) -> None:
        change(find_column(data, column_id))

    return edit


def _set(**fields: Any) -> Callable[[Data], None]:
    def change(column: Data) -> None:
        ctype = {k: v for k, v in column["type"].items() if k in ("array", "raw")}
        ctype.update({k: v for k, v in fields.items() if v is not None})
        column["type"] = ctype

    return change


@rule(
    "DS301",
    "timestamp-without-time-zone",
    "warning",
    summary="A timestamp column without time zone.",
    why="""timestamp stores a wall-clock reading with no zone: the same value means different instants
    to servers and clients in different zones, and daylight-saving changes make it ambiguous.
    timestamptz stores an instant and converts on the way out.""",
    dialects=("postgresql",),
    fixable=True,
)
def timestamp_without_time_zone(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "timestamp"):
        if column.type.name == "timestamp":
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is timestamp without time zone",
                Fix(
                    "change to timestamptz",
                    _retype(column.id, _set(name="timestamptz", precision=column.type.precision)),
                ),
            )


@rule(
    "DS302",
    "timetz",
    "warning",
    summary="A time with time zone column.",
    why="""A time of day with an offset but no date cannot account for daylight saving, so the offset is
    meaningless; PostgreSQL's documentation discourages the type. Use time (or timestamptz for an instant).""",
    fixable=True,
)
def timetz(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "timetz"):
        if column.type.name == "timetz":
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is time with time zone",
                Fix("change to time", _retype(column.id, _set(name="time", precision=column.type.precision))),
            )


@rule(
    "DS303",
    "char-n",
    "warning",
    summary="A char(n) column.",
    why="""char(n) pads values with spaces to n characters, which leaks into comparisons, lengths and
    client code, and it is no faster than varchar or text. A fixed-length code is better as varchar(n)
    or text with a CHECK on its length.""",
    fixable=True,
)
def char_n(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "char"):
        if column.type.name == "char":
            length = column.type.length
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is char({length or 1})",
                Fix(f"change to varchar({length or 1})", _retype(column.id, _set(name="varchar", length=length or 1))),
            )


@rule(
    "DS304",
    "varchar-without-reason",
    "info",
    summary="A varchar(n) column on PostgreSQL with no stated reason for its limit.",
    why="""On PostgreSQL varchar(n) is stored exactly like text; the limit is a business rule in
    disguise, and raising it later is a schema migration. Use text (with a CHECK when the limit is real),
    or keep varchar(n) and suppress this finding with the reason for the limit.""",
    dialects=("postgresql",),
    fixable=True,
)
def varchar_without_reason(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "varchar"):
        if column.type.name == "varchar" and column.type.length is not None and not column.type.raw:
            if column.id in ctx.fk_columns or column.id in ctx.referenced_columns:
                continue  # keys must match their counterparts; DS103 covers those
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is varchar({column.type.length}) with no reason given",
                Fix("change to text", _retype(column.id, _set(name="text"))),
            )


@rule(
    "DS305",
    "money-type",
    "warning",
    summary="A money column.",
    why="""money's precision and output format follow the server's lc_monetary setting, so a dump
    restored elsewhere can change values; it holds no currency and rounds division. Use numeric with a
    fixed scale (and a currency column when there is more than one).""",
    fixable=True,
)
def money_type(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "money"):
        if column.type.name == "money":
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} uses the money type",
                Fix("change to numeric(19,4)", _retype(column.id, _set(name="numeric", precision=19, scale=4))),
            )


@rule(
    "DS306",
    "float-for-amount",
    "warning",
    summary="A real/double column holds what its name says is an amount of money.",
    why="""Binary floating point cannot represent most decimal fractions (0.1 + 0.2 ≠ 0.3), so sums of
    amounts drift by cents and equality checks fail. Store amounts as numeric with a fixed scale, or as
    integer minor units (cents).""",
    fixable=True,
)
def float_for_amount(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "real", "double"):
        if column.type.name in ("real", "double") and AMOUNT.search(column.name.lower()):
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} stores an amount as {column.type.name}",
                Fix("change to numeric(19,4)", _retype(column.id, _set(name="numeric", precision=19, scale=4))),
            )


SERIAL_BASE = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}


@rule(
    "DS307",
    "serial-instead-of-identity",
    "warning",
    summary="A serial column where an identity column would do.",
    why="""serial is a legacy shorthand: its sequence is a separate object with its own permissions and
    ownership, it is easy to insert past it, and copying the table loses the link. GENERATED ... AS
    IDENTITY is standard SQL and keeps the sequence part of the column.""",
    dialects=("postgresql",),
    fixable=True,
)
def serial_instead_of_identity(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "smallserial", "serial", "bigserial"):
        if column.type.name in SERIAL_BASE and column.type.array == 0:
            base = SERIAL_BASE[column.type.name]
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is {column.type.name}",
                Fix(f"make it {base} GENERATED BY DEFAULT AS IDENTITY", _retype(column.id, _identity(base))),
            )


def _identity(base: str) -> Callable[[Data], None]:
    def change(column: Data) -> None:
        column["type"] = {"name": base}
        column["identity"] = column.get("identity") or {}
        column["nullable"] = False
        column.pop("default", None)
        column.pop("generated", None)

    return change


@rule(
    "DS308",
    "json-instead-of-jsonb",
    "warning",
    summary="A json column on PostgreSQL.",
    why="""json keeps the text as typed and reparses it on every access; jsonb is stored parsed, is
    faster to query, and can be indexed with GIN. Keep json only to preserve key order or duplicates.""",
    dialects=("postgresql",),
    fixable=True,
)
def json_instead_of_jsonb(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "json"):
        if column.type.name == "json":
            yield ctx.hit(
                column.id,
                f"{table.name}.{column.name} is json, not jsonb",
                Fix("change to jsonb", _retype(column.id, _set(name="jsonb"))),
            )


@rule(
    "DS309",
    "enum-or-lookup-table",
    "info",
    summary="An enum with many values, or one shared by several tables: a lookup table may serve better.",
    why="""An enum is compact and checked, but adding a value is DDL, values cannot be removed or
    carry attributes (label, sort order, active flag), and MySQL rewrites the table to change one. When
    the list is long or changes, a lookup table with a foreign key is easier to evolve.""",
)
def enum_or_lookup_table(ctx: Context) -> Iterator[Hit]:
    limit = ctx.config.option("max_enum_values", 10)
    users: dict[str, set[str]] = {}
    for table, column in _columns(ctx, "enum"):
        if column.type.enum:
            users.setdefault(column.type.enum, set()).add(table.id)
    for enum in ctx.doc.enums:
        if len(enum.values) > limit:
            yield ctx.hit(enum.id, f"enum {enum.name} has {len(enum.values)} values; consider a lookup table")
        elif len(users.get(enum.id, ())) > 3:
            yield ctx.hit(enum.id, f"enum {enum.name} is used by {len(users[enum.id])} tables; consider a lookup table")


@rule(
    "DS310",
    "unused-enum",
    "info",
    summary="An enum no column uses.",
    why="""An unused type is clutter that readers must still understand, and it is emitted into the DDL.""",
    fixable=True,
)
def unused_enum(ctx: Context) -> Iterator[Hit]:
    used = {column.type.enum for _, column in _columns(ctx, "enum") if column.type.enum}
    for enum in ctx.doc.enums:
        if enum.id not in used:
            yield ctx.hit(
                enum.id, f"enum {enum.name} is not used by any column", Fix("remove the enum", _drop_enum(enum.id))
            )


def _drop_enum(enum_id: str) -> Edit:
    def edit(data: Data) -> None:
        data["enums"] = [e for e in data.get("enums", []) if e["id"] != enum_id]

    return edit


@rule(
    "DS311",
    "temporal-name-wrong-type",
    "warning",
    summary="A column named like a moment (…_at, …_on) has a text or number type.",
    why="""Dates kept as strings or numbers sort wrongly, accept impossible values and need parsing in
    every query; date arithmetic and time-zone handling are lost. Use a date or timestamp type.""",
    fixable=True,
)
def temporal_name_wrong_type(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "varchar", "char", "text", "integer", "bigint", "smallint"):
        name = column.name.lower()
        if not name.endswith(("_at", "_on")) or column.type.array or column.generated:
            continue
        if column.type.name not in ("varchar", "char", "text", "integer", "bigint", "smallint"):
            continue
        target = "date" if name.endswith("_on") else "timestamptz"
        fix = None
        if column.default is None and column.id not in ctx.fk_columns and column.identity is None:
            fix = Fix(f"change to {target}", _retype(column.id, _set(name=target)))
        yield ctx.hit(column.id, f"{table.name}.{column.name} holds a moment as {column.type.name}", fix)


FLAG_PREFIXES = ("is_", "has_", "can_", "should_", "allow_", "allows_")
FLAG_NAME = re.compile(r"^(is|has|can|should|allow|allows)_[a-z0-9_]+$")


@rule(
    "DS312",
    "flag-not-boolean",
    "warning",
    summary="A column named like a flag (is_…, has_…) is not boolean.",
    why="""A flag kept as an integer or a one-letter string accepts values that mean nothing (2, 'x'),
    and every reader must know the encoding. boolean says what it is (MySQL maps it to TINYINT(1)).""",
    fixable=True,
)
def flag_not_boolean(ctx: Context) -> Iterator[Hit]:
    for table, column in _columns(ctx, "smallint", "integer", "char", "varchar"):
        if (
            not column.name.lower().startswith(FLAG_PREFIXES)
            or not FLAG_NAME.match(column.name.lower())
            or column.type.array
            or column.generated
        ):
            continue
        if column.type.name not in ("smallint", "integer", "char", "varchar"):
            continue
        if column.id in ctx.fk_columns:
            continue
        yield ctx.hit(
            column.id,
            f"{table.name}.{column.name} is a flag stored as {column.type.name}",
            Fix("change to boolean", _retype(column.id, _to_boolean)),
        )


def _to_boolean(column: Data) -> None:
    column["type"] = {"name": "boolean"}
    default = column.get("default")
    if default is not None:
        value = default.get("value")
        truthy = value not in (0, "0", "f", "F", "n", "N", "false", False, None, "")
        column["default"] = {"kind": "literal", "value": truthy}
