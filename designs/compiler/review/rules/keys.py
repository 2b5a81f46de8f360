"""Keys and relationships: primary keys, foreign keys and how tables connect."""

from __future__ import annotations

from collections.abc import Iterator

from ...document import ColumnType, Relationship, Table
from ..framework import Context, Data, Edit, Fix, Hit, find_column, find_in, find_table, fresh_id, rule

SERIAL_BASE = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}


def type_key(ctype: ColumnType) -> tuple[object, ...]:
    """What must match between a foreign key and the column it references (serial counts as its base)."""
    name = SERIAL_BASE.get(ctype.name, ctype.name)
    return (name, ctype.length, ctype.precision, ctype.scale, ctype.array, ctype.unsigned, ctype.enum)


def type_data(ctype: ColumnType) -> Data:
    data = ctype.model_dump(mode="json", exclude_defaults=True)
    data["name"] = SERIAL_BASE.get(ctype.name, ctype.name)
    return data


@rule(
    "DS101",
    "missing-primary-key",
    "error",
    summary="A table has no primary key.",
    why="""Without a primary key rows cannot be addressed one by one: updates and deletes from tools and
    ORMs become ambiguous, logical replication cannot send UPDATE/DELETE, and nothing can reference the table.""",
    fixable=True,
)
def missing_primary_key(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        part = table.partitioning
        if part is not None and any(key.expression for key in part.key):
            continue  # PostgreSQL cannot give a table partitioned on an expression a primary key
        if table.primary_key is None:
            yield ctx.hit(table.id, f"table {table.name} has no primary key", Fix("add a primary key", _add_pk(table)))


def _add_pk(table: Table) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table.id)
        existing = next((c for c in t.get("columns", []) if c["name"].lower() == "id"), None)
        if existing is None:
            existing = {
                "id": fresh_id(data, f"{table.id}.id"),
                "name": "id",
                "type": {"name": "bigint"},
                "nullable": False,
                "identity": {},
            }
            t.setdefault("columns", []).insert(0, existing)
        existing["nullable"] = False
        # A partitioned table's key must include the partition key columns.
        keys = [existing["id"]]
        if table.partitioning is not None:
            keys += [k.column for k in table.partitioning.key if k.column and k.column not in keys]
            for cid in keys:
                find_column(data, cid)["nullable"] = False
        t["primary_key"] = {"columns": keys}

    return edit


@rule(
    "DS102",
    "fk-without-index",
    "warning",
    summary="A foreign key's columns do not lead any index.",
    why="""Deleting or updating a parent row makes the database look up child rows by the foreign-key
    columns; without an index leading with them every such lookup scans the child table, and joins from
    parent to children scan too. PostgreSQL and SQLite do not create this index for you.""",
    fixable=True,
)
def fk_without_index(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        child = ctx.tables.get(rel.from_table)
        if child is None or not rel.from_columns:
            continue
        wanted = set(rel.from_columns)
        n = len(wanted)
        if any(set(key[:n]) == wanted for key in ctx.key_prefixes(child)):
            continue
        cols = ", ".join(ctx.columns[c].name for c in rel.from_columns)
        yield ctx.hit(
            rel.id,
            f"foreign key {child.name}({cols}) has no index leading with its columns",
            Fix(f"add an index on {child.name}({cols})", _add_index(child.id, rel.from_columns)),
        )


def _add_index(table_id: str, columns: list[str], where: str | None = None) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table_id)
        index: Data = {"id": fresh_id(data, f"i_{table_id}_{len(t.get('indexes', []))}"), "columns": []}
        index["columns"] = [{"column": c} for c in columns]
        if where:
            index["where"] = where
        t.setdefault("indexes", []).append(index)

    return edit


FAMILIES = {
    **dict.fromkeys(("smallint", "integer", "bigint"), "integer"),
    **dict.fromkeys(("varchar", "char", "text", "citext"), "text"),
    **dict.fromkeys(("real", "double", "numeric", "money"), "number"),
    **dict.fromkeys(("timestamp", "timestamptz"), "timestamp"),
    **dict.fromkeys(("json", "jsonb"), "json"),
}


def _family(ctype: ColumnType) -> tuple[str, int]:
    name = SERIAL_BASE.get(ctype.name, ctype.name)
    return FAMILIES.get(name, name), ctype.array


def _mismatches(ctx: Context, same_family: bool) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        for child_id, parent_id in zip(rel.from_columns, rel.to_columns, strict=False):
            child, parent = ctx.columns.get(child_id), ctx.columns.get(parent_id)
            if child is None or parent is None or type_key(child.type) == type_key(parent.type):
                continue
            if (_family(child.type) == _family(parent.type)) != same_family:
                continue
            target = type_data(parent.type)
            yield ctx.hit(
                child_id,
                f"{ctx.name_of(child_id)} is {_show(child.type)} but references {ctx.name_of(parent_id)}"
                f" ({_show(parent.type)})",
                Fix(f"change {child.name} to {_show(parent.type)}", _set_type(child_id, target)),
            )


@rule(
    "DS103",
    "fk-type-mismatch",
    "warning",
    summary="A foreign-key column's type differs in size from the column it references (bigint → integer).",
    why="""The database accepts it, but the child can hold values the parent never will (a bigint child
    of an integer key, a longer varchar), joins compare across types, and the day the parent key is
    widened the mismatch bites. Keys and their references should have exactly one type.""",
    fixable=True,
)
def fk_type_mismatch(ctx: Context) -> Iterator[Hit]:
    yield from _mismatches(ctx, same_family=True)


@rule(
    "DS111",
    "fk-type-incompatible",
    "error",
    summary="A foreign-key column's type is of a different kind than the column it references (text → integer).",
    why="""PostgreSQL refuses a foreign key between incompatible types ("Key columns ... are of
    incompatible types") and MySQL needs compatible ones; where a cast exists, every join pays for it and
    indexes go unused.""",
    fixable=True,
)
def fk_type_incompatible(ctx: Context) -> Iterator[Hit]:
    yield from _mismatches(ctx, same_family=False)


def _show(ctype: ColumnType) -> str:
    name = SERIAL_BASE.get(ctype.name, ctype.name)
    if ctype.length is not None:
        name += f"({ctype.length})"
    elif ctype.precision is not None:
        name += f"({ctype.precision}" + (f",{ctype.scale})" if ctype.scale is not None else ")")
    return name + "[]" * ctype.array


def _set_type(column_id: str, ctype: Data) -> Edit:
    def edit(data: Data) -> None:
        find_column(data, column_id)["type"] = dict(ctype)

    return edit


@rule(
    "DS104",
    "nullable-multicolumn-fk",
    "warning",
    summary="A multi-column foreign key has nullable columns.",
    why="""Under the default MATCH SIMPLE a row whose foreign-key columns are only partly NULL is not
    checked at all, so it can point at a parent that does not exist. Make every column NOT NULL (or the
    whole key optional by design, with a CHECK that all or none are NULL).""",
    fixable=True,
)
def nullable_multicolumn_fk(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        if len(rel.from_columns) < 2:
            continue
        nullable = [c for c in rel.from_columns if c in ctx.columns and ctx.columns[c].nullable]
        if not nullable:
            continue
        fix = None
        if "set_null" not in (rel.on_delete, rel.on_update):
            fix = Fix("make the foreign-key columns NOT NULL", _not_null(nullable))
        names = ", ".join(ctx.name_of(c) for c in nullable)
        yield ctx.hit(rel.id, f"multi-column foreign key {_rel_name(ctx, rel)} has nullable columns: {names}", fix)


def _not_null(column_ids: list[str]) -> Edit:
    def edit(data: Data) -> None:
        for cid in column_ids:
            find_column(data, cid)["nullable"] = False

    return edit


def _rel_name(ctx: Context, rel: Relationship) -> str:
    child, parent = ctx.tables.get(rel.from_table), ctx.tables.get(rel.to_table)
    return rel.name or f"{child.name if child else '?'} → {parent.name if parent else '?'}"


@rule(
    "DS105",
    "relationship-without-columns",
    "warning",
    summary="An entity-level relationship has no columns yet.",
    why="""A relationship drawn between entities but not bound to columns produces no foreign key: the
    DDL leaves it out and the database will not enforce it. Add the referencing columns.""",
    fixable=True,
)
def relationship_without_columns(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        if rel.from_columns or rel.to_columns:
            continue
        parent = ctx.tables.get(rel.to_table)
        fix = None
        if parent is not None and parent.primary_key is not None:
            fix = Fix(f"add {parent.name}'s key columns to the child and bind them", _bind(ctx, rel))
        yield ctx.hit(rel.id, f"relationship {_rel_name(ctx, rel)} has no columns", fix)


def _bind(ctx: Context, rel: Relationship) -> Edit:
    parent = ctx.tables[rel.to_table]
    assert parent.primary_key is not None
    keys = [ctx.columns[c] for c in parent.primary_key.columns]
    prefix = _singular(parent.name)
    optional = rel.to_cardinality == "zero_or_one"

    def edit(data: Data) -> None:
        child = find_table(data, rel.from_table)
        taken = {c["name"].lower() for c in child.get("columns", [])}
        new_ids = []
        for key in keys:
            name = f"{prefix}_{key.name}"
            n = 2
            while name.lower() in taken:
                name, n = f"{prefix}_{key.name}_{n}", n + 1
            taken.add(name.lower())
            column: Data = {"id": fresh_id(data, f"{rel.from_table}.{name}"), "name": name, "type": type_data(key.type)}
            if not optional:
                column["nullable"] = False
            child.setdefault("columns", []).append(column)
            new_ids.append(column["id"])
        r = find_in(data, "relationships", rel.id)
        r["from_columns"], r["to_columns"] = new_ids, [k.id for k in keys]
        if not optional and "set_null" in (r.get("on_delete"), r.get("on_update")):
            for cid in new_ids:
                find_column(data, cid)["nullable"] = True

    return edit


def _singular(name: str) -> str:
    from .naming import singular

    return singular(name)


@rule(
    "DS106",
    "fk-target-not-unique",
    "error",
    summary="A foreign key references columns that are not a primary key or unique key.",
    why="""A foreign key must reference a primary key or a unique constraint; the database refuses it
    otherwise, and without uniqueness a child row could match several parents.""",
    fixable=True,
)
def fk_target_not_unique(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        parent = ctx.tables.get(rel.to_table)
        if parent is None or not rel.to_columns:
            continue
        if frozenset(rel.to_columns) in ctx.unique_keys(parent):
            continue
        cols = ", ".join(ctx.columns[c].name for c in rel.to_columns if c in ctx.columns)
        yield ctx.hit(
            rel.id,
            f"foreign key {_rel_name(ctx, rel)} references {parent.name}({cols}), which is not a unique key",
            Fix(f"add a unique constraint on {parent.name}({cols})", _add_unique(parent.id, rel.to_columns)),
        )


def _add_unique(table_id: str, columns: list[str]) -> Edit:
    def edit(data: Data) -> None:
        t = find_table(data, table_id)
        t.setdefault("uniques", []).append({"id": fresh_id(data, f"u_{table_id}"), "columns": list(columns)})

    return edit


@rule(
    "DS107",
    "self-reference-without-action",
    "warning",
    summary="A self-referencing foreign key has no ON DELETE action.",
    why="""In a tree (parent_id → id) deleting a node that has children fails with NO ACTION, and the
    application ends up deleting bottom-up by hand. Decide explicitly: SET NULL to orphan the children,
    CASCADE to delete the subtree, or RESTRICT to make the rule visible.""",
    fixable=True,
)
def self_reference_without_action(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        if rel.from_table != rel.to_table or rel.on_delete != "no_action" or not rel.from_columns:
            continue
        nullable = all(ctx.columns[c].nullable for c in rel.from_columns if c in ctx.columns)
        action = "set_null" if nullable else "restrict"
        yield ctx.hit(
            rel.id,
            f"self-referencing foreign key {_rel_name(ctx, rel)} has no ON DELETE action",
            Fix(f"set ON DELETE {action.replace('_', ' ').upper()}", _set_action(rel.id, action)),
        )


def _set_action(rel_id: str, action: str) -> Edit:
    def edit(data: Data) -> None:
        find_in(data, "relationships", rel_id)["on_delete"] = action

    return edit


@rule(
    "DS108",
    "orphan-table",
    "info",
    summary="A table takes part in no relationship.",
    why="""A table that nothing references and that references nothing is often a leftover, a missing
    relationship, or a lookup table whose foreign keys were never drawn. Confirm it stands alone on purpose.""",
)
def orphan_table(ctx: Context) -> Iterator[Hit]:
    if len(ctx.doc.tables) < 2:
        return
    for table in ctx.doc.tables:
        if not ctx.relationships_of.get(table.id) and "audit" not in table.name:
            yield ctx.hit(table.id, f"table {table.name} has no relationships")


@rule(
    "DS109",
    "text-primary-key",
    "info",
    summary="A primary key is a text column (a natural key).",
    why="""Natural text keys are copied into every referencing row and index, make joins slower than an
    integer or uuid, and a change to the value (a renamed code, a changed e-mail) must cascade everywhere.
    Prefer a surrogate key with a UNIQUE constraint on the natural key.""",
)
def text_primary_key(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        if table.primary_key and len(table.primary_key.columns) == 1:
            column = ctx.columns.get(table.primary_key.columns[0])
            if column is not None and column.type.name in ("varchar", "text", "citext") and column.type.array == 0:
                yield ctx.hit(table.id, f"table {table.name} has a text primary key ({column.name})")


@rule(
    "DS110",
    "unbreakable-fk-cycle",
    "warning",
    summary="NOT NULL foreign keys form a cycle with no deferrable constraint.",
    why="""When tables reference each other in a loop through NOT NULL, non-deferrable foreign keys, no
    first row can ever be inserted: each insert needs the other row to exist already. Make one constraint
    DEFERRABLE INITIALLY DEFERRED (or one column nullable).""",
    fixable=True,
)
def unbreakable_fk_cycle(ctx: Context) -> Iterator[Hit]:
    edges: dict[str, list[Relationship]] = {}
    for rel in ctx.doc.relationships:
        if rel.from_table == rel.to_table or rel.deferrable or not rel.from_columns:
            continue
        if all(c in ctx.columns and not ctx.columns[c].nullable for c in rel.from_columns):
            edges.setdefault(rel.from_table, []).append(rel)
    for component in _cycles(edges):
        rel = min(component, key=lambda r: r.id)
        names = " → ".join(sorted({ctx.tables[r.from_table].name for r in component}))
        yield ctx.hit(
            rel.id,
            f"NOT NULL foreign keys loop between {names}; no row can be inserted first",
            Fix("make this foreign key DEFERRABLE INITIALLY DEFERRED", _deferrable(rel.id)),
        )


def _cycles(edges: dict[str, list[Relationship]]) -> list[list[Relationship]]:
    """Strongly connected components with more than one table (Tarjan), as their inner edges."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[Relationship]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for rel in edges.get(node, []):
            nxt = rel.to_table
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members: set[str] = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.add(top)
                if top == node:
                    break
            if len(members) > 1:
                out.append([r for m in members for r in edges.get(m, []) if r.to_table in members])

    for node in list(edges):
        if node not in index:
            visit(node)
    return out


def _deferrable(rel_id: str) -> Edit:
    def edit(data: Data) -> None:
        r = find_in(data, "relationships", rel_id)
        r["deferrable"] = True
        r["initially_deferred"] = True

    return edit
