"""The design's own conventions: bookkeeping timestamps and documentation coverage."""

from __future__ import annotations

from collections.abc import Iterator

from ...document import Table
from ..framework import Context, Data, Edit, Fix, Hit, find_table, fresh_id, rule

NOW = {"kind": "expression", "value": "CURRENT_TIMESTAMP"}


def _timestamp_column(table: Table, name: str) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table.id)
        column = {
            "id": fresh_id(data, f"{table.id}.{name}"),
            "name": name,
            "type": {"name": "timestamptz"},
            "nullable": False,
            "default": dict(NOW),
        }
        t.setdefault("columns", []).append(column)

    return edit


def _has(table: Table, name: str) -> bool:
    return any(c.name.lower() == name for c in table.columns)


def _bookkeeping_applies(table: Table) -> bool:
    # Views of history (the audit log) and pure link tables are not asked for bookkeeping columns.
    return "audit" not in table.name.lower()


@rule(
    "DS501",
    "missing-created-at",
    "warning",
    summary="A table lacks created_at although settings.timestamps.created_at asks for it.",
    why="""The design's convention says every table records when a row was created; a table without it
    cannot answer "since when" questions, support incremental exports, or help when debugging data.""",
    fixable=True,
)
def missing_created_at(ctx: Context) -> Iterator[Hit]:
    if not ctx.doc.settings.timestamps.created_at:
        return
    for table in ctx.doc.tables:
        if _bookkeeping_applies(table) and not _has(table, "created_at"):
            yield ctx.hit(
                table.id,
                f"table {table.name} has no created_at column",
                Fix("add created_at", _timestamp_column(table, "created_at")),
            )


@rule(
    "DS502",
    "missing-updated-at",
    "warning",
    summary="A table lacks updated_at although settings.timestamps.updated_at asks for it.",
    why="""The design's convention says every table records its last change; without updated_at, caches,
    sync jobs and incremental exports cannot find changed rows.""",
    fixable=True,
)
def missing_updated_at(ctx: Context) -> Iterator[Hit]:
    if not ctx.doc.settings.timestamps.updated_at:
        return
    for table in ctx.doc.tables:
        if _bookkeeping_applies(table) and not _has(table, "updated_at"):
            yield ctx.hit(
                table.id,
                f"table {table.name} has no updated_at column",
                Fix("add updated_at", _timestamp_column(table, "updated_at")),
            )


@rule(
    "DS503",
    "updated-at-without-trigger",
    "warning",
    summary="A table has updated_at but no trigger maintains it (neither the table option nor the design's).",
    why="""An updated_at that every code path must remember to set is soon wrong: bulk updates, admin
    scripts and other services forget. A trigger keeps it true.""",
    fixable=True,
)
def updated_at_without_trigger(ctx: Context) -> Iterator[Hit]:
    if ctx.doc.settings.timestamps.updated_at_trigger:
        return  # the design maintains updated_at on every table
    for table in ctx.doc.tables:
        if _has(table, "updated_at") and not table.options.updated_at_trigger:
            yield ctx.hit(
                table.id,
                f"table {table.name} has updated_at but no trigger maintains it",
                Fix("maintain it with a trigger", _trigger(table.id)),
            )


def _trigger(table_id: str) -> Edit:
    def edit(data: Data) -> None:
        find_table(data, table_id).setdefault("options", {})["updated_at_trigger"] = True

    return edit


@rule(
    "DS504",
    "missing-table-comment",
    "info",
    summary="A table has no comment.",
    why="""The comment is the data dictionary: it travels with the schema into every tool
    (psql \\d+, IDEs, the generated docs). A table whose purpose is written nowhere gets misused.""",
)
def missing_table_comment(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        if not (table.comment or "").strip():
            yield ctx.hit(table.id, f"table {table.name} has no comment")


@rule(
    "DS505",
    "comment-coverage",
    "info",
    summary="Too few columns are commented (min_comment_coverage, 50% by default; keys excluded).",
    why="""Column comments are what the data dictionary shows. Keys and bookkeeping columns explain
    themselves; the rest (status codes, amounts and their units, flags) need a sentence.""",
)
def comment_coverage(ctx: Context) -> Iterator[Hit]:
    wanted = ctx.config.option("min_comment_coverage", 50)
    obvious = {"id", "created_at", "updated_at", "deleted_at"}
    total = commented = 0
    for table in ctx.doc.tables:
        pk = set(table.primary_key.columns) if table.primary_key else set()
        for column in table.columns:
            if column.id in pk or column.id in ctx.fk_columns or column.name.lower() in obvious:
                continue
            total += 1
            commented += bool((column.comment or "").strip())
    if total and commented * 100 < wanted * total:
        yield ctx.hit(
            None, f"{commented} of {total} non-key columns have a comment ({commented * 100 // total}%, want {wanted}%)"
        )
