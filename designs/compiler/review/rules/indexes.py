"""Indexes: duplicates, redundancy, too many, useless ones, and queries no index serves."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...document import AccessPattern, Index, Table
from ..framework import Context, Data, Edit, Fix, Hit, all_columns, find_table, index_columns, rule
from .keys import _add_index


def _signature(index: Index) -> tuple[object, ...]:
    keys = tuple((k.column, k.expression, k.order, k.nulls, k.opclass) for k in index.columns)
    return (keys, index.method, index.where, tuple(index.include))


def _drop_index(table_id: str, index_id: str) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table_id)
        t["indexes"] = [i for i in t.get("indexes", []) if i["id"] != index_id]

    return edit


def _names(ctx: Context, columns: tuple[str, ...] | list[str]) -> str:
    return ", ".join(ctx.columns[c].name for c in columns if c in ctx.columns)


@rule(
    "DS201",
    "duplicate-index",
    "warning",
    summary="Two indexes on a table have the same definition.",
    why="""A duplicate index doubles the write cost and the disk and cache it uses, and the planner
    gains nothing from the second copy.""",
    fixable=True,
)
def duplicate_index(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        seen: dict[tuple[object, ...], Index] = {}
        for index in table.indexes:
            sig = _signature(index)
            first = seen.get(sig)
            if first is None:
                seen[sig] = index
                continue
            # Keep the unique one when only one of the two enforces uniqueness.
            drop = first if index.unique and not first.unique else index
            keep = index if drop is first else first
            yield ctx.hit(
                drop.id,
                f"index {drop.name or drop.id} on {table.name}({_names(ctx, index_columns(drop))})"
                f" duplicates {keep.name or keep.id}",
                Fix("drop the duplicate index", _drop_index(table.id, drop.id)),
            )


@rule(
    "DS202",
    "redundant-index",
    "warning",
    summary="A plain index is a leading prefix of another index, the primary key or a unique key.",
    why="""A B-tree on (a, b) already serves every lookup on (a); a separate index on (a) only costs
    writes, disk and cache. The same holds for an index on the primary key or a unique key.""",
    fixable=True,
)
def redundant_index(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        structures: list[tuple[str, tuple[str, ...]]] = []
        if table.primary_key:
            structures.append(("the primary key", tuple(table.primary_key.columns)))
        structures.extend((f"unique {u.name or u.id}", tuple(u.columns)) for u in table.uniques)
        plain = [
            i for i in table.indexes if i.method == "btree" and i.where is None and all_columns(i) and not i.include
        ]
        for index in table.indexes:
            if index.method == "btree" and index.where is None and all_columns(index):
                structures.append((f"index {index.name or index.id}", index_columns(index)))
        seen_sigs: set[tuple[object, ...]] = set()
        for index in plain:
            sig = _signature(index)
            if sig in seen_sigs:
                continue  # an exact duplicate is DS201's
            seen_sigs.add(sig)
            if index.unique:
                continue
            cols = index_columns(index)
            for label, key in structures:
                if label == f"index {index.name or index.id}" or len(key) < len(cols) or key[: len(cols)] != cols:
                    continue
                if label.startswith("index ") and len(key) == len(cols):
                    continue  # same columns in another index: DS201 or different options
                yield ctx.hit(
                    index.id,
                    f"index {index.name or index.id} on {table.name}({_names(ctx, cols)}) is covered by {label}",
                    Fix("drop the redundant index", _drop_index(table.id, index.id)),
                )
                break


@rule(
    "DS203",
    "too-many-indexes",
    "warning",
    summary="A table has more indexes than the configured limit (max_indexes, default 10).",
    why="""Every index is written on every insert and on updates of its columns, competes for cache,
    and slows bulk loads and vacuum. Past a handful, review which ones the queries really use.""",
)
def too_many_indexes(ctx: Context) -> Iterator[Hit]:
    limit = ctx.config.option("max_indexes", 10)
    for table in ctx.doc.tables:
        if len(table.indexes) > limit:
            yield ctx.hit(table.id, f"table {table.name} has {len(table.indexes)} indexes (limit {limit})")


@rule(
    "DS204",
    "low-cardinality-index",
    "warning",
    summary="A single-column index on a boolean or enum column.",
    why="""A column with two or a few values splits the table into large groups; the planner rarely uses
    such an index (a sequential scan is cheaper) yet every write maintains it. Use a partial index on the
    rare value (WHERE NOT processed) or put the column after a selective one in a composite index.""",
    fixable=True,
)
def low_cardinality_index(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        for index in table.indexes:
            if len(index.columns) != 1 or index.unique or index.where or index.columns[0].column is None:
                continue
            column = ctx.columns.get(index.columns[0].column)
            if column is None or column.type.array or column.type.name not in ("boolean", "enum"):
                continue
            yield ctx.hit(
                index.id,
                f"index {index.name or index.id} on {table.name}({column.name}) indexes a {column.type.name} column",
                Fix("drop the index", _drop_index(table.id, index.id)),
            )


SOFT_DELETE = re.compile(r"^(deleted_at|deleted_on|archived_at|removed_at|is_deleted|deleted|is_archived|archived)$")


@rule(
    "DS205",
    "soft-delete-without-partial-index",
    "warning",
    summary="A soft-deleted table's unique keys and indexes ignore the soft-delete column.",
    why="""With soft deletes most queries read only live rows, and a deleted row should not block a new
    one with the same unique value (a re-registered e-mail). Unique keys and hot indexes should be partial
    (WHERE deleted_at IS NULL) so they hold live rows only.""",
    dialects=("postgresql", "sqlite"),
    fixable=True,
)
def soft_delete_without_partial_index(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        column = next((c for c in table.columns if SOFT_DELETE.match(c.name.lower())), None)
        if column is None:
            continue
        if any(index.where and column.name.lower() in index.where.lower() for index in table.indexes):
            continue
        live = f"{column.name} IS NULL" if column.type.name != "boolean" else f"NOT {column.name}"
        fix = None
        if table.uniques:
            fix = Fix(f"make the unique keys partial indexes WHERE {live}", _partial_uniques(table, live))
        yield ctx.hit(column.id, f"{table.name}.{column.name} soft-deletes rows but no index is partial on it", fix)


def _partial_uniques(table: Table, where: str) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table.id)
        for unique in t.pop("uniques", []):
            index: Data = {"id": unique["id"], "columns": [{"column": c} for c in unique["columns"]]}
            index.update(unique=True, where=where)
            if unique.get("name"):
                index["name"] = unique["name"]
            t.setdefault("indexes", []).append(index)

    return edit


def _pattern_columns(pattern: AccessPattern) -> list[str]:
    cols = list(dict.fromkeys(pattern.equality))
    for c in pattern.range[:1] or [o.column for o in pattern.order_by]:
        if c not in cols:
            cols.append(c)
    return cols


@rule(
    "DS206",
    "access-pattern-without-index",
    "warning",
    summary="A declared access pattern has no index that serves it.",
    why="""The design says this query runs; without an index leading with its equality columns (then
    its range or sort column) it reads the whole table each time, which grows worse with every row.""",
    fixable=True,
)
def access_pattern_without_index(ctx: Context) -> Iterator[Hit]:
    for pattern in ctx.doc.access_patterns:
        table = ctx.tables.get(pattern.table)
        if table is None or pattern.contains or pattern.text_search:
            continue
        lead = set(pattern.equality) or set(pattern.range[:1]) or {o.column for o in pattern.order_by[:1]}
        if not lead:
            continue
        n = len(lead)
        prefixes = list(ctx.key_prefixes(table))
        prefixes.extend(index_columns(i) for i in table.indexes if i.method == "btree" and i.where == pattern.where)
        if any(set(key[:n]) == lead for key in prefixes):
            continue
        cols = _pattern_columns(pattern)
        yield ctx.hit(
            pattern.id,
            f"access pattern {pattern.name} on {table.name} has no index on ({_names(ctx, cols)})",
            Fix(f"add an index on {table.name}({_names(ctx, cols)})", _add_index(table.id, cols, pattern.where)),
        )


@rule(
    "DS207",
    "btree-on-jsonb-or-array",
    "warning",
    summary="A B-tree index on a jsonb, array or tsvector column.",
    why="""Queries on these types ask about what a value contains (@>, ?, @@, &&), which a B-tree cannot
    answer; it serves only whole-value equality. A GIN index serves containment and text search.""",
    dialects=("postgresql",),
    fixable=True,
)
def btree_on_jsonb(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        for index in table.indexes:
            if index.method != "btree" or index.unique or len(index.columns) != 1 or index.columns[0].column is None:
                continue
            column = ctx.columns.get(index.columns[0].column)
            if column is None or not (column.type.array or column.type.name in ("jsonb", "tsvector")):
                continue
            yield ctx.hit(
                index.id,
                f"index {index.name or index.id} on {table.name}({column.name}) is a B-tree on"
                f" {column.type.name}{'[]' if column.type.array else ''}",
                Fix("make it a GIN index", _gin(table.id, index.id)),
            )


def _gin(table_id: str, index_id: str) -> Edit:
    def edit(data: Data) -> None:
        index = next(i for i in find_table(data, table_id)["indexes"] if i["id"] == index_id)
        index["method"] = "gin"
        for key in index["columns"]:
            key.pop("order", None)
            key.pop("nulls", None)
        index.pop("include", None)

    return edit


@rule(
    "DS208",
    "include-repeats-key",
    "info",
    summary="An index INCLUDEs a column that is already one of its keys.",
    why="""A key column is already stored in the index; including it again only makes the index wider.""",
    fixable=True,
)
def include_repeats_key(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        for index in table.indexes:
            keys = {k.column for k in index.columns if k.column}
            repeated = [c for c in index.include if c in keys]
            if repeated:
                yield ctx.hit(
                    index.id,
                    f"index {index.name or index.id} on {table.name} includes key column(s) {_names(ctx, repeated)}",
                    Fix("remove them from INCLUDE", _drop_include(table.id, index.id, repeated)),
                )


def _drop_include(table_id: str, index_id: str, repeated: list[str]) -> Edit:
    def edit(data: Data) -> None:
        index = next(i for i in find_table(data, table_id)["indexes"] if i["id"] == index_id)
        index["include"] = [c for c in index.get("include", []) if c not in repeated]

    return edit
